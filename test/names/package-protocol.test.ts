/**
 * `/cyberkernel/package/1` and the download check between two in-process libp2p nodes (the
 * protocol file node/network/protocols/packages.ts, packages/PeerInstall.ts downloadPackage):
 * a published zip arrives and matches the chain's hash; a tampered zip, an unpublished package, a
 * key that differs from `~net-key`, an answer over the size limit, a peer sending more than it
 * announced and a malformed request are each refused with a clear error.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { noise } from "@chainsafe/libp2p-noise"
import { yamux } from "@chainsafe/libp2p-yamux"
import { generateKeyPair } from "@libp2p/crypto/keys"
import { tcp } from "@libp2p/tcp"
import { strToU8, zipSync } from "fflate"
import { createLibp2p, type Libp2p } from "libp2p"
import { sha256 } from "../../lib/Bytes.ts"
import type { NameRecord } from "../../modules/names/Messages.ts"
import type { NodeRecord } from "../../modules/names/NodeRecord.ts"
import { dialAddressOf } from "../../node/network/PeerDirectory.ts"
import { fetchPackage, PACKAGE_PROTOCOL, servePackages } from "../../node/network/protocols/packages.ts"
import { downloadPackage, PeerInstallError, type PeerSource, withDialer } from "../../packages/PeerInstall.ts"

const zipOf = (pkg: string, publisher: string, filler = 0): Uint8Array => zipSync({
  "pkg/manifest.json": strToU8(JSON.stringify([{ process_name: "svc", process_wasm_path: "/svc.wasm", on_exit: "None", request_networking: false, request_capabilities: [], grant_capabilities: [], public: true }])),
  "pkg/metadata.json": strToU8(JSON.stringify({ properties: { package_name: pkg, publisher } })),
  "pkg/svc.wasm": Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, filler)
}, { level: 0 })

const server = async (): Promise<{ node: Libp2p; netKey: Uint8Array; port: number }> => {
  const key = await generateKeyPair("Ed25519")
  const node = await createLibp2p({ privateKey: key, addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] }) as unknown as Libp2p
  const port = Number(node.getMultiaddrs()[0]!.toString().split("/tcp/")[1]!.split("/")[0])
  return { node, netKey: key.publicKey.raw, port }
}

const listing = (name: string, hash: Uint8Array, node: string): NameRecord => ({
  name, owner: "cyber1x", open: false, notes: [{ key: "~package-hash", value: hash }, { key: "~package-node", value: new TextEncoder().encode(node) }]
})

test("a published zip is fetched and checked; tampered, unpublished, wrong key and oversized are refused", async () => {
  const good = zipOf("demo", "bob.os")
  const tampered = zipOf("demo", "bob.os", 1)
  const s = await server()
  let serve = good
  const stop = await servePackages(s.node, async (id) => (id === "demo:bob.os" ? serve : undefined))
  const nodes = new Map<string, NodeRecord>([["bob.os", { name: "bob.os", owner: "cyber1x", netKey: s.netKey, ip: "127.0.0.1", tcpPort: s.port, routers: [] }]])
  const names = new Map<string, NameRecord>([["demo.bob.os", listing("demo.bob.os", sha256(good), "bob.os")], ["other.bob.os", listing("other.bob.os", sha256(good), "bob.os")]])
  try {
    await withDialer(async (libp2p) => {
      const src: PeerSource = { libp2p, names: async (n: string) => names.get(n), nodes: async (n: string) => nodes.get(n) }
      const d = await downloadPackage("demo:bob.os", src)
      assert.equal(d.zip, good)
      assert.is(d.contents.id, "demo:bob.os")
      assert.is(d.node, "bob.os")

      const refused = async (id: string, pattern: RegExp, source = src) => {
        try {
          await downloadPackage(id, source)
        } catch (e) {
          assert.instance(e, PeerInstallError)
          assert.match((e as Error).message, pattern)
          return
        }
        assert.unreachable(`${id} was accepted`)
      }
      serve = tampered
      await refused("demo:bob.os", /refused: its sha256 [0-9a-f]{64} differs from the chain's ~package-hash [0-9a-f]{64} \(tampered or stale\); nothing installed/)
      serve = good
      await refused("nope:bob.os", /not published: the chain has no name nope\.bob\.os/)
      await refused("other:bob.os", /not served: this node does not publish other:bob\.os/)
      await refused("bad id", /must be name:publisher/)
      // a directory that points bob.os at another key: Noise refuses the listener
      const wrongKey = { ...src, nodes: async () => ({ ...nodes.get("bob.os")!, netKey: (await generateKeyPair("Ed25519")).publicKey.raw }) }
      await refused("demo:bob.os", /download from bob\.os failed: cannot reach the peer/, wrongKey)
      // the asker's size limit is checked on the announced length
      await refused("demo:bob.os", new RegExp(`the answer is ${good.length} bytes, over the limit of 100`), { ...src, maxBytes: 100 })
    })
  } finally {
    await stop()
    await s.node.stop()
  }
})

test("a peer that sends more than it announced, or garbage, is refused; a malformed request gets bad request", async () => {
  const s = await server()
  // a hostile server: announces 3 bytes, sends 6
  await s.node.handle(PACKAGE_PROTOCOL, async (stream) => {
    stream.send(Uint8Array.of(0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6))
    await stream.close()
  })
  const addr = dialAddressOf({ name: "h.os", owner: "", netKey: s.netKey, ip: "127.0.0.1", tcpPort: s.port, routers: [] })!
  try {
    await withDialer(async (libp2p) => {
      await fetchPackage(libp2p, addr, "demo:h.os").then(() => assert.unreachable("accepted"), (e: Error) => assert.match(e.message, /more bytes than the answer's length/))
      await s.node.unhandle(PACKAGE_PROTOCOL)
      await servePackages(s.node, async () => new Uint8Array(10))
      // a raw stream with a zero-length id
      const stream = await libp2p.dialProtocol(addr as never, PACKAGE_PROTOCOL)
      stream.send(Uint8Array.of(0, 0))
      await stream.close()
      const chunks: Uint8Array[] = []
      for await (const c of stream as unknown as AsyncIterable<Uint8Array | { subarray(): Uint8Array }>) chunks.push(c instanceof Uint8Array ? c : c.subarray())
      const answer = Buffer.concat(chunks)
      assert.is(answer[0], 2, "bad request status")
      assert.match(answer.subarray(3).toString(), /u16 length/)
      // the server still serves afterwards
      assert.equal(await fetchPackage(libp2p, addr, "x:h.os"), new Uint8Array(10))
    })
  } finally {
    await s.node.stop()
  }
})

test("a server answers one request per peer and at most maxConcurrent at once; more are told busy", async () => {
  const s = await server()
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  await servePackages(s.node, async () => {
    await gate
    return new Uint8Array(5)
  }, 2)
  const addr = dialAddressOf({ name: "s.os", owner: "", netKey: s.netKey, ip: "127.0.0.1", tcpPort: s.port, routers: [] })!
  const busy = (pattern: RegExp) => (p: Promise<unknown>) => p.then(() => assert.unreachable("accepted"), (e: Error) => assert.match(e.message, pattern))
  try {
    await withDialer((one) => withDialer((two) => withDialer(async (three) => {
      const first = fetchPackage(one, addr, "a:s.os")
      await new Promise((r) => setTimeout(r, 200))
      await busy(/peer busy: one request per peer at a time/)(fetchPackage(one, addr, "b:s.os"))
      const second = fetchPackage(two, addr, "b:s.os")
      await new Promise((r) => setTimeout(r, 200))
      await busy(/peer busy: serving 2 packages already/)(fetchPackage(three, addr, "c:s.os"))
      release()
      assert.equal(await first, new Uint8Array(5))
      assert.equal(await second, new Uint8Array(5))
      assert.equal(await fetchPackage(three, addr, "c:s.os"), new Uint8Array(5), "served again once the answers are done")
    })))
  } finally {
    await s.node.stop()
  }
})

test.run()
