import { test } from "uvu"
import * as assert from "uvu/assert"
import { zipSync, strToU8 } from "fflate"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { formatProcessId } from "../../kernel/Address.ts"
import { request } from "../../kernel/Message.ts"
import { buildComponent, CACHE_DIR } from "../../kernel/userspace/Build.ts"
import { bootPackages, INSTALLER_ID, Installer, installerProcess } from "../../packages/Installer.ts"
import { ManifestError } from "../../packages/Manifest.ts"
import { readPackage } from "../../packages/Package.ts"
import { ask, json, parse, pid, removeHome, SERVICE_SOURCE, startNode, tempHome } from "./setup.ts"

const entry = (over: Record<string, unknown> = {}) => ({
  process_name: "svc",
  process_wasm_path: "/svc.wasm",
  on_exit: "Restart",
  request_networking: false,
  request_capabilities: ["timer:distro:sys", { process: "kv:distro:sys", params: { note: "unused" } }],
  grant_capabilities: [],
  public: true,
  ...over
})

const metadata = { properties: { package_name: "demo", publisher: "alice.os" } }

const makeZip = (files: Record<string, Uint8Array>): Uint8Array => zipSync(files, { level: 0 })
let wasm: Uint8Array
const pkgZip = (manifest: unknown = [entry()], extra: Record<string, Uint8Array> = {}) =>
  makeZip({ "pkg/manifest.json": strToU8(JSON.stringify(manifest)), "pkg/metadata.json": strToU8(JSON.stringify(metadata)), "pkg/svc.wasm": wasm, ...extra })

test.before(async () => {
  wasm = new Uint8Array(await readFile(await buildComponent(SERVICE_SOURCE)))
})

const capsOf = (node: { kernel: { capabilitiesOf(p: ReturnType<typeof pid>): Array<{ issuer: { process: ReturnType<typeof pid> }; params: string }> } }) =>
  node.kernel.capabilitiesOf(pid("svc", "demo", "alice.os")).map((c) => `${formatProcessId(c.issuer.process)} ${c.params}`).sort()

test("install, restart the node: processes come back with the same capabilities and state; uninstall removes them", async () => {
  const home = await tempHome()
  const installer = await Installer.open(home, { cacheDir: CACHE_DIR })
  let shown: unknown
  const p = await installer.install(pkgZip(), (requested) => {
    shown = requested
    return true
  })
  assert.is(p.id, "demo:alice.os")
  assert.equal(shown, [{ process: "svc:demo:alice.os", networking: false, capabilities: [{ issuer: "timer:distro:sys", params: '"messaging"' }, { issuer: "kv:distro:sys", params: '{"note":"unused"}' }] }])
  assert.equal(installer.list().map((x) => x.id), ["demo:alice.os"])

  const node = await startNode(home)
  await bootPackages(node.kernel, installer, { state: node.runtime.state })
  const svc = pid("svc", "demo", "alice.os")
  const client = node.kernel.spawn({ id: pid("client"), process: {} })
  assert.equal(await ask(client, svc, { op: "incr" }), { count: 1 })
  // At run time it gains kv capabilities (open), which must persist too.
  await ask(client, svc, { op: "call", target: "alice.os@kv:distro:sys", body: { op: "open", db: "main" } })
  assert.equal(await ask(client, svc, { op: "kv-set", key: "k", value: "v" }), { ok: { ok: true } })
  const before = capsOf(node)
  assert.ok(before.includes('kv:distro:sys {"db":"demo:alice.os/main","kv":"write"}'))
  assert.ok(before.includes('timer:distro:sys "messaging"'))
  await installer.snapshotCapabilities(node.kernel)
  await node.stop()

  const again = await startNode(home)
  const installer2 = await Installer.open(home, { cacheDir: CACHE_DIR })
  const started = await bootPackages(again.kernel, installer2, { state: again.runtime.state })
  assert.equal(started, [svc])
  assert.equal(capsOf(again), before)
  const client2 = again.kernel.spawn({ id: pid("client"), process: {} })
  assert.equal(await ask(client2, svc, { op: "count" }), { count: 1 })
  assert.equal(await ask(client2, svc, { op: "kv-get", key: "k" }), { ok: { value: "v" } })

  await installer2.uninstall("demo:alice.os", again.kernel)
  assert.not.ok(again.kernel.has(svc))
  assert.equal(installer2.list(), [])
  assert.not.ok(existsSync(installer2.packageDir("demo:alice.os")))
  assert.equal((await Installer.open(home, { cacheDir: CACHE_DIR })).list(), [])
  await again.stop()
  await removeHome(home)
})

test("refused approval installs nothing", async () => {
  const home = await tempHome()
  const installer = await Installer.open(home, { cacheDir: CACHE_DIR })
  try {
    await installer.install(pkgZip(), () => false)
    assert.unreachable()
  } catch (e) {
    assert.is((e as { _tag: string })._tag, "InstallError")
  }
  assert.equal(installer.list(), [])
  await removeHome(home)
})

test("a manifest entry may ask for pipelined delivery (light guests); absent it is left unset (1)", () => {
  assert.is(readPackage(pkgZip([entry({ pipeline: 32 })])).manifest[0]!.pipeline, 32)
  assert.is(readPackage(pkgZip([entry()])).manifest[0]!.pipeline, undefined)
})

test("malformed manifests and zips are refused with an error naming the bad field", () => {
  const cases: Array<[Uint8Array, string]> = [
    [strToU8("not a zip at all"), "zip"],
    [makeZip({ "pkg/metadata.json": strToU8(JSON.stringify(metadata)) }), "pkg/manifest.json"],
    [makeZip({ "pkg/manifest.json": strToU8("[]") }), "pkg/metadata.json"],
    [pkgZip("{"), "manifest.json"],
    [pkgZip([]), "manifest.json[0]"],
    [pkgZip([entry({ process_wasm_path: 3 })]), "manifest.json[0].process_wasm_path"],
    [pkgZip([entry({ process_wasm_path: "/missing.wasm" })]), "manifest.json[0].process_wasm_path"],
    [pkgZip([entry({ process_wasm_path: "/../svc.wasm" })]), "manifest.json[0].process_wasm_path"],
    [pkgZip([entry({ process_name: "Bad Name" })]), "manifest.json[0].process_name"],
    [pkgZip([entry({ on_exit: "Sometimes" })]), "manifest.json[0].on_exit"],
    [pkgZip([entry({ public: "yes" })]), "manifest.json[0].public"],
    [pkgZip([entry({ pipeline: 0 })]), "manifest.json[0].pipeline"],
    [pkgZip([entry({ pipeline: 257 })]), "manifest.json[0].pipeline"],
    [pkgZip([entry({ pipeline: 1.5 })]), "manifest.json[0].pipeline"],
    [pkgZip([entry({ pipeline: "32" })]), "manifest.json[0].pipeline"],
    [pkgZip([entry({ request_networking: undefined })]), "manifest.json[0].request_networking"],
    [pkgZip([entry({ request_capabilities: ["not-a-process"] })]), "manifest.json[0].request_capabilities[0]"],
    [pkgZip([entry(), entry({ grant_capabilities: [{ process: "x" }] })]), "manifest.json[1].grant_capabilities[0].process"],
    [pkgZip([entry(), entry()]), "manifest.json[1].process_name"],
    [pkgZip([entry({ process_wasm_path: "/core.wasm" })], { "pkg/core.wasm": Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0) }), "manifest.json[0].process_wasm_path"],
    [makeZip({ "pkg/manifest.json": strToU8(JSON.stringify([entry()])), "pkg/metadata.json": strToU8('{"properties":{"package_name":"demo"}}'), "pkg/svc.wasm": wasm }), "metadata.json.properties.publisher"]
  ]
  for (const [zip, field] of cases) {
    try {
      readPackage(zip)
      assert.unreachable(`accepted; expected ${field}`)
    } catch (e) {
      assert.instance(e, ManifestError, String(e))
      assert.is((e as ManifestError).field, field, (e as ManifestError).message)
    }
  }
})

test("the installer process installs from a blob, starts the package, and is private", async () => {
  const node = await startNode()
  const installer = await Installer.open(node.home, { cacheDir: CACHE_DIR })
  node.kernel.spawn({ id: INSTALLER_ID, process: installerProcess(node.kernel, installer, { state: node.runtime.state }) })
  const admin = node.kernel.spawn({ id: pid("admin"), process: {} })
  const nobody = node.kernel.spawn({ id: pid("nobody"), process: {} })
  node.kernel.grant(pid("admin"), [{ issuer: INSTALLER_ID, params: '"messaging"' }])
  const to = node.kernel.address(INSTALLER_ID)
  try {
    await nobody.request(to, request(json({ op: "list" }), 5000))
    assert.unreachable()
  } catch (e) {
    assert.is((e as { _tag: string })._tag, "CapabilityNotHeld")
  }
  const r = await admin.request(to, request(json({ op: "install", approve: true }), 60_000), { bytes: pkgZip() })
  assert.equal(parse(r.response.body), { ok: { package: "demo:alice.os", started: ["svc:demo:alice.os"] } })
  assert.equal(await ask(admin, pid("svc", "demo", "alice.os"), { op: "ping", n: 5 }), { pong: 5 })
  const bad = await admin.request(to, request(json({ op: "install", approve: true }), 60_000), { bytes: pkgZip([entry({ public: 1 })]) })
  assert.equal(parse(bad.response.body).error.tag, "ManifestError")
  assert.match(parse(bad.response.body).error.message, /manifest\.json\[0\]\.public/)
  await node.stop()
  await removeHome(node.home)
})

test.run()
