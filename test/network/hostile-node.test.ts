/**
 * Issue 14's hostile-peer acceptance test against a node started by the CLI: a.os runs the names
 * machine (genesis records with `~net-key`), `[p2p]` on, low per-peer rates. Three in-process
 * hostile peers registered on a's chain send a.os random frames, an oversized frame and 10,000
 * kernel requests per second; each is cut off, while b.os (a real kernel on its own libp2p host)
 * keeps getting answers from a.os's `bank:chain:sys` process, and a.os keeps running.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { toBase64 } from "@cosmjs/encoding"
import { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import { Effect, Exit, Scope } from "effect"
import { NETWORKING } from "../../capabilities/Capability.ts"
import { KERNEL_PROCESS, parseAddress } from "../../kernel/Address.ts"
import { makeKernel, type KernelApi } from "../../kernel/Kernel.ts"
import { request } from "../../kernel/Message.ts"
import { parseNoteValue } from "../../modules/names/NoteValue.ts"
import { loadConfig, writeConfig } from "../../node/config/ConfigFile.ts"
import { generateEd25519, readEd25519KeyFile, type Ed25519Key } from "../../node/home/ValidatorKey.ts"
import { KERNEL_PROTOCOL } from "../../node/network/KernelTransport.ts"
import { makeNetwork, type NetworkApi } from "../../node/network/Network.ts"
import { staticPeerDirectory } from "../../node/network/PeerDirectory.ts"
import { peerIdOfNetKey } from "../../node/network/PeerIdentity.ts"
import { multiaddr } from "@multiformats/multiaddr"
import { editGenesis, freePort, makeHome, rpc, startNode, type NodeProcess } from "../e2e/harness.ts"
import { until } from "./support.ts"

const note = (key: string, text: string) => ({ key, value: toBase64(parseNoteValue(key, text)) })
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test("random frames, an oversized frame and a 10,000 requests/s flood are cut off; b.os keeps its answers", async () => {
  const a = await makeHome(200, { modules: ["names"] })
  const aPort = await freePort()
  const aKey = readEd25519KeyFile(join(a.home, "config", "node_key.json"))
  const keys: Record<string, Ed25519Key> = { "b.os": generateEd25519(), "m1.os": generateEd25519(), "m2.os": generateEd25519(), "m3.os": generateEd25519() }
  editGenesis(a.home, (g) => {
    const list = g.app_state.names.names as unknown[]
    list.push({ name: "a.os", owner: a.devAddress, open: false, notes: [note("~net-key", hex(aKey.pubkey)), note("~ip", "127.0.0.1"), note("~tcp-port", String(aPort))] })
    for (const [n, k] of Object.entries(keys)) list.push({ name: n, owner: a.devAddress, open: false, notes: [note("~net-key", hex(k.pubkey))] })
  })
  const config = await Effect.runPromise(loadConfig(a.home))
  writeConfig(a.home, {
    ...config,
    p2p: { ...config.p2p, enabled: true, listen: [`/ip4/127.0.0.1/tcp/${aPort}`], name: "a.os", maxFrameBytes: 65_536, peerFramesPerSecond: 1000, peerFrameBurst: 2000, cutOffSeconds: 120 }
  })
  const directory = staticPeerDirectory([{ name: "a.os", owner: a.devAddress, netKey: aKey.pubkey, ip: "127.0.0.1", tcpPort: aPort, routers: [] }])
  const scope = Effect.runSync(Scope.make())
  const peer = (name: string): Promise<NetworkApi> =>
    Effect.runPromise(makeNetwork({ key: keys[name]!, our: name, listen: ["/ip4/127.0.0.1/tcp/0"], directory, limits: { peerFramesPerSecond: 1e6, peerFrameBurst: 1e6 } }).pipe(Scope.provide(scope)))
  const kernels: Array<KernelApi> = []
  const client = (name: string, net: NetworkApi) => {
    const k = makeKernel({ node: name })
    kernels.push(k)
    k.attachTransport(net.transport)
    return k.spawn({ id: { processName: "client", packageName: "test", publisherNode: "sys" }, process: {}, grants: [{ issuer: KERNEL_PROCESS, params: NETWORKING }] })
  }
  const bank = parseAddress("a.os@bank:chain:sys")
  const body = RequestQuery.encode(RequestQuery.fromPartial({ path: "/cosmos.bank.v1beta1.Query/TotalSupply", data: new Uint8Array(), height: 0n })).finish()
  const query = request(body, 10_000)
  const floodQuery = request(body, 2000)
  let node: NodeProcess | undefined
  try {
    node = await startNode(a, 60_000)
    const b = client("b.os", await peer("b.os"))
    const ask = async () => ResponseQuery.decode((await b.request(bank, query)).response.body)
    assert.is((await ask()).code, 0, "b.os queries a.os's bank through the kernel")
    // b keeps asking in the background throughout the attacks
    let answered = 0
    let failed = 0
    let attacking = true
    const steady = (async () => {
      while (attacking) {
        await ask().then((r) => (r.code === 0 ? answered++ : failed++), () => failed++)
        await sleep(20)
      }
    })()
    const cutOffLogged = (peerId: string) => () => node!.output().includes(`cut off peer`) && node!.output().includes(peerId)

    // m1: well-framed random payloads the kernel cannot decode
    const m1 = await peer("m1.os")
    for (let i = 0; i < 400; i++) {
      const ok = await m1.transport.send("a.os", new Uint8Array(randomBytes(200))).then(() => true, () => false)
      if (!ok) break
    }
    await until(cutOffLogged(m1.peerId.toString()), 10_000, "m1 (random frames) cut off")

    // m2: a header announcing a frame over max_frame_bytes, on a raw kernel stream
    const m2 = await peer("m2.os")
    const s = await m2.libp2p.dialProtocol(multiaddr(`/ip4/127.0.0.1/tcp/${aPort}/p2p/${peerIdOfNetKey(aKey.pubkey).toString()}`), KERNEL_PROTOCOL)
    const h = new Uint8Array(5)
    new DataView(h.buffer).setUint32(0, 65_537)
    h[4] = 2
    s.send(h)
    s.send(new Uint8Array(4096))
    await until(cutOffLogged(m2.peerId.toString()), 10_000, "m2 (oversized frame) cut off")

    // m3: 10,000 kernel requests per second (100 every 10 ms) until its sends fail
    const m3net = await peer("m3.os")
    const m3 = client("m3.os", m3net)
    let sent = 0
    for (let tick = 0; tick < 500 && !node.output().includes(m3net.peerId.toString()); tick++) {
      for (let i = 0; i < 100; i++, sent++) m3.request(bank, floodQuery).catch(() => undefined)
      await sleep(10)
    }
    await until(cutOffLogged(m3net.peerId.toString()), 10_000, "m3 (flood) cut off")
    assert.match(node.output(), new RegExp(`cut off peer m3\\.os ${m3net.peerId.toString()}: flood: over 1000 frames/s`))

    attacking = false
    await steady
    console.log(`b.os: ${answered} answers and ${failed} failures during the attacks; m3 sent ${sent} requests before its cut-off`)
    // the flood shares this process with b.os, so b's pace drops while it lasts; none may fail
    assert.ok(answered >= 5, `b.os got ${answered} answers during the attacks`)
    assert.is(failed, 0, "none of b.os's queries failed")
    assert.is((await ask()).code, 0, "b.os still answered after the attacks")
    assert.is(node.child.exitCode, null, "a.os kept running")
    // RPC net_info lists the connected kernel peers: b.os with its counters, no cut-off peer
    const info = await rpc(a.rpcUrl, "net_info")
    const names = info.peers.map((p: { node_info: { moniker: string } }) => p.node_info.moniker)
    assert.ok(names.includes("b.os"), `net_info peers: ${names.join(", ")}`)
    for (const m of ["m1.os", "m2.os", "m3.os"]) assert.not.ok(names.includes(m), `${m} is cut off`)
    const bInfo = info.peers.find((p: { node_info: { moniker: string } }) => p.node_info.moniker === "b.os")
    assert.ok(Number(bInfo.connection_status.frames_received) > answered)
    assert.is(bInfo.remote_ip, "127.0.0.1")
  } catch (e) {
    process.stderr.write(`---- a.os\n${node?.output().slice(-4000) ?? ""}\n`)
    throw e
  } finally {
    for (const k of kernels) k.shutdown()
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await node?.kill()
  }
})

test.run()
