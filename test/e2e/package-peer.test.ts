/**
 * Issue 14 item 4 end to end: a package published by node B is installed on node A by name.
 * B is a node started by the CLI with the names machine and `[p2p]` on, named bob.os (registered
 * with its node key as `~net-key`, `~ip`, `~tcp-port` through `cyberkernel tx names`). B runs
 * `cyberkernel package publish` (the zip kept under its home, `demo.bob.os` listed with
 * `~package-hash` and `~package-node`); A (another home) runs `cyberkernel package install
 * demo:bob.os`, which reads the listing through B's RPC, fetches the zip from B over libp2p and
 * checks its sha256 against the chain. Refused with a clear error and nothing installed: a zip a
 * hostile node (evil.os, listed as the serving node of another package) serves with other bytes;
 * a package B no longer holds in the published version (B serves only what the chain lists).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { execFile } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { noise } from "@chainsafe/libp2p-noise"
import { yamux } from "@chainsafe/libp2p-yamux"
import { generateKeyPair } from "@libp2p/crypto/keys"
import { tcp } from "@libp2p/tcp"
import { strToU8, zipSync } from "fflate"
import { createLibp2p, type Libp2p } from "libp2p"
import { buildComponent } from "../../kernel/userspace/Build.ts"
import { sha256 } from "../../lib/Bytes.ts"
import { readEd25519KeyFile } from "../../node/home/ValidatorKey.ts"
import { servePackages } from "../../node/network/protocols/packages.ts"
import { SERVICE_SOURCE } from "../userspace/setup.ts"
import { freePort, makeHome, startNode } from "./harness.ts"

const root = new URL("../..", import.meta.url).pathname
const run = promisify(execFile)
const ck = async (...args: string[]) => (await run(process.execPath, [join(root, "cli/main.ts"), ...args], { cwd: root })).stdout
const ckJson = async (...args: string[]) => JSON.parse(await ck(...args, "--output", "json"))
const ckFails = async (...args: string[]): Promise<string> => {
  try {
    await run(process.execPath, [join(root, "cli/main.ts"), ...args], { cwd: root })
  } catch (e) {
    const err = e as { stderr: string; stdout: string }
    return err.stderr + err.stdout
  }
  throw new Error(`cyberkernel ${args.join(" ")} succeeded`)
}

const setP2p = (home: string, values: Record<string, string>): void => {
  const path = join(home, "config", "config.toml")
  const text = readFileSync(path, "utf8")
  const start = text.indexOf("\n[p2p]\n")
  assert.ok(start >= 0, "config.toml has a [p2p] table")
  const next = text.indexOf("\n[", start + 1)
  let section = text.slice(start, next < 0 ? undefined : next)
  for (const [k, v] of Object.entries(values)) section = section.replace(new RegExp(`\\n${k} = .*`), `\n${k} = ${v}`)
  writeFileSync(path, text.slice(0, start) + section + (next < 0 ? "" : text.slice(next)))
}

const pkg = (wasm: Uint8Array, name: string, version: string): Uint8Array =>
  zipSync({
    "pkg/manifest.json": strToU8(JSON.stringify([{ process_name: "svc", process_wasm_path: "/svc.wasm", on_exit: "Restart", request_networking: false, request_capabilities: [], grant_capabilities: [], public: true }])),
    "pkg/metadata.json": strToU8(JSON.stringify({ properties: { package_name: name, publisher: "bob.os", current_version: version } })),
    "pkg/svc.wasm": wasm
  }, { level: 0 })

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

test("a package published by B is installed on A by name; a tampered download and an unlisted version are refused", async () => {
  const wasm = new Uint8Array(readFileSync(await buildComponent(SERVICE_SOURCE)))
  const b = await makeHome(200, { modules: ["names"] })
  const a = await makeHome(200)
  const port = await freePort()
  setP2p(b.home, { enabled: "true", listen: JSON.stringify([`/ip4/127.0.0.1/tcp/${port}`]), name: JSON.stringify("bob.os") })
  const node = await startNode(b, 60_000)
  let evil: Libp2p | undefined
  try {
    const bq = ["--home", b.home, "--node", b.rpcUrl]
    const bKey = readEd25519KeyFile(join(b.home, "config", "node_key.json")).pubkey
    await ckJson("tx", "names", "register", "dev", "bob.os", ...bq)
    for (const [k, v] of [["~net-key", hex(bKey)], ["~ip", "127.0.0.1"], ["~tcp-port", String(port)]]) await ckJson("tx", "names", "set", "dev", "bob.os", k!, v!, ...bq)

    // B publishes demo:bob.os
    const zip = pkg(wasm, "demo", "1.0.0")
    const zipFile = join(b.home, "demo.zip")
    writeFileSync(zipFile, zip)
    assert.is((await ckJson("package", "publish", zipFile, "dev", ...bq)).code, 0)
    const listing = await ckJson("query", "names", "resolve", "demo.bob.os", ...bq)
    assert.equal(listing.notes.map((n: { key: string; value: string }) => [n.key, n.value]), [["~package-hash", hex(sha256(zip))], ["~package-node", "bob.os"]])

    // A installs it by name through B's RPC and B's libp2p host
    const installed = await ckJson("package", "install", "demo:bob.os", "--yes", "--home", a.home, "--node", b.rpcUrl)
    assert.equal(installed, { installed: "demo:bob.os", processes: ["svc"], from: "bob.os", sha256: hex(sha256(zip)) })
    assert.equal((await ckJson("package", "list", "--home", a.home)).map((p: { id: string }) => p.id), ["demo:bob.os"])
    assert.equal(new Uint8Array(readFileSync(join(a.home, "packages", "demo@bob.os", "pkg", "svc.wasm"))), wasm, "the component arrived intact")

    // a hostile node evil.os is listed as the server of evil:bob.os and serves other bytes
    const evilKey = await generateKeyPair("Ed25519")
    const evilPort = await freePort()
    evil = await createLibp2p({ privateKey: evilKey, addresses: { listen: [`/ip4/127.0.0.1/tcp/${evilPort}`] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] }) as unknown as Libp2p
    const honest = pkg(wasm, "evil", "1.0.0")
    const tampered = pkg(new Uint8Array([...wasm.subarray(0, wasm.length - 1), wasm[wasm.length - 1]! ^ 1]), "evil", "1.0.0")
    await servePackages(evil, async () => tampered)
    await ckJson("tx", "names", "register", "dev", "evil.os", ...bq)
    for (const [k, v] of [["~net-key", hex(evilKey.publicKey.raw)], ["~ip", "127.0.0.1"], ["~tcp-port", String(evilPort)]]) await ckJson("tx", "names", "set", "dev", "evil.os", k!, v!, ...bq)
    await ckJson("tx", "names", "register", "dev", "evil.bob.os", ...bq)
    await ckJson("tx", "names", "set", "dev", "evil.bob.os", "~package-hash", hex(sha256(honest)), ...bq)
    await ckJson("tx", "names", "set", "dev", "evil.bob.os", "~package-node", "evil.os", ...bq)
    const refused = await ckFails("package", "install", "evil:bob.os", "--yes", "--home", a.home, "--node", b.rpcUrl)
    assert.match(refused, new RegExp(`evil:bob\\.os: download from evil\\.os refused: its sha256 ${hex(sha256(tampered))} differs from the chain's ~package-hash ${hex(sha256(honest))} \\(tampered or stale\\); nothing installed`))
    assert.ok(!existsSync(join(a.home, "packages", "evil@bob.os")), "nothing of it written")

    // B's published file replaced by another version without a new listing: B no longer serves it
    const a2 = await makeHome(200)
    writeFileSync(join(b.home, "packages", "published", "demo@bob.os.zip"), pkg(wasm, "demo", "2.0.0"))
    assert.match(await ckFails("package", "install", "demo:bob.os", "--yes", "--home", a2.home, "--node", b.rpcUrl), /download from bob\.os failed: not served: this node does not publish demo:bob\.os/)
    // an unknown package and a malformed id
    assert.match(await ckFails("package", "install", "nothing:bob.os", "--yes", "--home", a2.home, "--node", b.rpcUrl), /not published: the chain has no name nothing\.bob\.os/)
    assert.equal(await ckJson("package", "list", "--home", a2.home), [])
    // B is still up and serving RPC
    assert.is((await ckJson("query", "names", "resolve", "bob.os", ...bq)).name, "bob.os")
  } finally {
    await evil?.stop()
    await node.kill("SIGTERM")
  }
})

test.run()
