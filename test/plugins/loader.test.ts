// node/Plugins.ts: manifest parsing errors, the code hash (stable, one byte changes it), the
// loader's checks of the machine against the manifest, install and verify.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { recordOf } from "../../chain/Registry.ts"
import { authorityMsgFromJSON, decodeAuthorityMsg } from "../../chain/Authority.ts"
import {
  activationProposal, installPlugin, loadPlugin, missingActivation, parseManifest, pluginCatalog, pluginCodeHash, pluginFiles, PluginLoadError,
  PluginManifestError, readManifest, verifyPlugins
} from "../../node/Plugins.ts"
import { sha256, toHex } from "../../lib/Bytes.ts"

const HELLO = new URL("../../plugins/hello", import.meta.url).pathname
const OPTS = { bech32Prefix: "cyber", bondDenom: "boot" }
const tmp = (): string => mkdtempSync(join(tmpdir(), "ck-plugins-"))
const dirs: string[] = []
test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

/** A copy of plugins/hello with its package.json changed by `edit`. */
const helloCopy = (edit: (pkg: any) => void = () => undefined): string => {
  const d = join(tmp(), "hello")
  dirs.push(d)
  cpSync(HELLO, d, { recursive: true })
  const pkg = JSON.parse(readFileSync(join(d, "package.json"), "utf8"))
  edit(pkg)
  writeFileSync(join(d, "package.json"), JSON.stringify(pkg, null, 2))
  return d
}

/** Asserts that `p` rejects with an error `ok` accepts. */
const rejects = async (p: Promise<unknown>, ok: (e: unknown) => boolean, what: string): Promise<void> => {
  const got = await p.then(() => undefined, (e: unknown) => ({ e }))
  assert.ok(got !== undefined, `${what}: resolved`)
  assert.ok(ok(got!.e), `${what}: rejected with ${String(got!.e)}`)
}

const manifestText = (ck: unknown, version: unknown = "0.1.0") => JSON.stringify({ name: "x", version, cyberkernel: ck })
const good = { machine: "hello", entry: "Hello.ts", wit: "wit/hello.wit", msgTypeUrls: ["/a.B"], queryPrefixes: ["/a.Query/"], grants: [] }

const refuses = (text: string, plugin: string, needle: string) => {
  try {
    parseManifest(text, "folder")
  } catch (e) {
    assert.instance(e, PluginManifestError)
    assert.is((e as PluginManifestError).plugin, plugin)
    assert.ok((e as Error).message.includes(needle), `"${(e as Error).message}" names ${needle}`)
    return
  }
  assert.unreachable(`accepted ${text}`)
}

test("manifest: a valid one parses with its version and grants", () => {
  const m = parseManifest(manifestText({ ...good, grants: [{ principal: "machine:hello", capability: { interface: "bank", method: "balance", constraints: [] } }] }), "folder")
  assert.is(m.machine, "hello")
  assert.is(m.version, "0.1.0")
  assert.equal(m.grants, [{ principal: "machine:hello", capability: { interface: "bank", method: "balance", constraints: [] } }])
  assert.equal(readManifest(HELLO).msgTypeUrls, ["/cyberkernel.hello.v1.MsgHello"])
})

test("manifest: parse errors are typed and name the plugin and the field", () => {
  refuses("{not json", "folder", "not valid JSON")
  refuses("[]", "folder", "JSON object")
  refuses(JSON.stringify({ version: "0.1.0" }), "folder", "no \"cyberkernel\" object")
  refuses(manifestText({ ...good, machine: "Hello!" }), "folder", "machine name")
  refuses(manifestText(good, "1.0"), "hello", "semver")
  refuses(manifestText(good, null), "hello", "semver")
  refuses(manifestText({ ...good, entry: "../escape.ts" }), "hello", "entry must be a relative path")
  refuses(manifestText({ ...good, entry: "/abs/Hello.ts" }), "hello", "entry must be a relative path")
  refuses(manifestText({ ...good, entry: "Hello.py" }), "hello", ".ts, .js or .mjs")
  refuses(manifestText({ ...good, wit: "wit/hello.txt" }), "hello", ".wit")
  refuses(manifestText({ ...good, msgTypeUrls: "/a.B" }), "hello", "msgTypeUrls must be a list")
  refuses(manifestText({ ...good, msgTypeUrls: ["a.B"] }), "hello", "must start with \"/\"")
  refuses(manifestText({ ...good, queryPrefixes: ["/q/", "/q/"] }), "hello", "twice")
  refuses(manifestText({ ...good, grants: [{ principal: "machine:hello" }] }), "hello", "grants")
  const missing = helloCopy((p) => { p.cyberkernel.wit = "wit/none.wit" })
  assert.throws(() => readManifest(missing), (e: unknown) => e instanceof PluginManifestError && e.message.includes("wit/none.wit"))
})

test("code hash: sorted paths and content hashes, stable across copies, changed by one byte", () => {
  const files = pluginFiles(HELLO)
  assert.equal(files, [...files].sort())
  assert.ok(files.includes("package.json") && files.includes("wit/hello.wit"))
  // the documented formula, computed here independently
  const parts: number[] = []
  for (const f of files) parts.push(...new TextEncoder().encode(f), 0, ...sha256(new Uint8Array(readFileSync(join(HELLO, f)))))
  const want = toHex(sha256(Uint8Array.from(parts)))
  assert.is(pluginCodeHash(HELLO), want)
  const copy = helloCopy()
  writeFileSync(join(copy, "package.json"), readFileSync(join(HELLO, "package.json")))
  assert.is(pluginCodeHash(copy), want, "a byte-identical copy elsewhere hashes the same")
  writeFileSync(join(copy, ".git-ignored-note"), "dot files are not part of the plugin")
  assert.is(pluginCodeHash(copy), want)
  const text = readFileSync(join(copy, "README.md"))
  text[0] = text[0]! ^ 1
  writeFileSync(join(copy, "README.md"), text)
  assert.is.not(pluginCodeHash(copy), want, "one flipped bit changes the hash")
})

test("loader: the machine gets the code hash; a machine differing from its manifest is refused naming the plugin", async () => {
  const ok = await loadPlugin(HELLO, OPTS)
  assert.is(ok.machine.name, "hello")
  assert.is(ok.machine.codeHash, pluginCodeHash(HELLO))
  assert.is(toHex(recordOf(ok.machine).codeHash), ok.codeHash, "the registry records the plugin's code hash")
  const cases: Array<[string, (pkg: any) => void, string]> = [
    ["version", (p) => { p.version = "0.2.0" }, "machine version 0.1.0 differs from package.json version 0.2.0"],
    ["machine", (p) => { p.cyberkernel.machine = "hola" }, "built machine \"hello\", the manifest names \"hola\""],
    ["msgTypeUrls", (p) => { p.cyberkernel.msgTypeUrls.push("/cyberkernel.hello.v1.MsgBye") }, "msgTypeUrls"],
    ["queryPrefixes", (p) => { p.cyberkernel.queryPrefixes = ["/other.Query/"] }, "queryPrefixes"],
    ["grants", (p) => { p.cyberkernel.grants = [{ principal: "machine:hello", capability: { interface: "bank", method: "send", constraints: [] } }] }, "grants"],
    ["entry", (p) => { p.cyberkernel.entry = "Codecs.ts" }, "exports no factory"],
    ["reserved name", (p) => { p.cyberkernel.machine = "registry" }, "system namespace or a built-in machine"],
    ["built-in name", (p) => { p.cyberkernel.machine = "bank" }, "system namespace or a built-in machine"]
  ]
  for (const [what, edit, needle] of cases) {
    const dir = helloCopy(edit)
    try {
      await loadPlugin(dir, OPTS)
      assert.unreachable(`${what}: loaded`)
    } catch (e) {
      assert.instance(e, PluginLoadError, what)
      assert.ok(["hello", "hola", "registry", "bank"].includes((e as PluginLoadError).plugin), what)
      assert.ok((e as Error).message.includes(needle), `${what}: "${(e as Error).message}" includes ${needle}`)
    }
  }
})

test("npm dependencies: an exact installed version loads; another version, a range or a missing package is refused naming both", async () => {
  const installed = JSON.parse(readFileSync(new URL("../../node_modules/@noble/hashes/package.json", import.meta.url), "utf8")).version as string
  // a source outside the node's folder: install loads its copy, which resolves through <home>/plugins/node_modules
  const ok = helloCopy((pkg) => { pkg.dependencies = { "@noble/hashes": installed } })
  const home = tmp()
  dirs.push(home)
  const inst = await installPlugin(ok, home, OPTS)
  assert.is((await loadPlugin(inst.dir, OPTS)).manifest.dependencies["@noble/hashes"], installed)
  await rejects(loadPlugin(helloCopy((pkg) => { pkg.dependencies = { "@noble/hashes": "0.0.1" } }), OPTS),
    (e) => e instanceof PluginLoadError && new RegExp(`@noble/hashes@0\\.0\\.1; this node has ${installed.replace(/\./g, "\\.")}`).test((e as Error).message), "another version")
  refuses(JSON.stringify({ name: "x", version: "0.1.0", dependencies: { "@noble/hashes": "^2.0.0" }, cyberkernel: good }), "hello", "exact version")
  await rejects(loadPlugin(helloCopy((pkg) => { pkg.dependencies = { "no-such-package-here": "1.0.0" } }), OPTS),
    (e) => e instanceof PluginLoadError && /no-such-package-here@1\.0\.0, which this node does not have installed/.test((e as Error).message), "a missing package")
})

test("install copies the plugin into <home>/plugins/<name>, refuses a bad one, and verify catches changed files", async () => {
  const home = tmp()
  dirs.push(home)
  await rejects(installPlugin(helloCopy((p) => { p.version = "x" }), home, OPTS), (e) => e instanceof PluginManifestError, "bad manifest")
  await rejects(installPlugin(helloCopy((p) => { p.version = "0.3.0" }), home, OPTS), (e) => e instanceof PluginLoadError, "machine differs")
  assert.equal(pluginCatalog(home), [], "nothing installed after refusals")
  const p = await installPlugin(HELLO, home, OPTS)
  assert.is(p.dir, join(home, "plugins", "hello"))
  assert.is(p.codeHash, pluginCodeHash(HELLO))
  assert.equal(pluginCatalog(home).map((e) => e.name), ["hello"])
  assert.equal((await verifyPlugins(home, OPTS)).map((c) => c.problem), [undefined])
  // the chain's record for another code hash is reported
  const other = { ...recordOf((await loadPlugin(HELLO, OPTS)).machine, 9, "scheduled"), codeHash: new Uint8Array(32) }
  const [vs] = await verifyPlugins(home, OPTS, "hello", [other])
  assert.ok(vs?.problem?.includes("chain's registry record"), vs?.problem)
  writeFileSync(join(p.dir, "Hello.ts"), readFileSync(join(p.dir, "Hello.ts"), "utf8") + "\n// edited\n")
  const [changed] = await verifyPlugins(home, OPTS, "hello")
  assert.ok(changed?.problem?.includes("files changed since install"), changed?.problem)
  await rejects(verifyPlugins(home, OPTS, "nope"), (e) => e instanceof PluginManifestError, "verify of a plugin not installed")
})

test("missingActivation: a due scheduled machine without code (or with other code) is named with version and code hash", async () => {
  const hello = (await loadPlugin(HELLO, OPTS)).machine
  const rec = recordOf(hello, 8, "scheduled")
  assert.is(missingActivation([rec], [], "c-1", 7), undefined, "not due before its height")
  const miss = missingActivation([rec], [], "c-1", 8)
  assert.ok(miss)
  assert.ok(miss.message.includes(`"hello" version 0.1.0 (code hash ${toHex(rec.codeHash)}) at height 8`), miss.message)
  assert.ok(miss.message.includes("last committed height 7"), miss.message)
  assert.is(missingActivation([rec], [hello], "c-1", 8), undefined, "the node has it")
  const wrong = missingActivation([{ ...rec, codeHash: new Uint8Array(32).fill(1) }], [hello], "c-1", 8)
  assert.ok(wrong?.message.includes("differs from the chain's"), wrong?.message)
  assert.is(missingActivation([{ ...rec, status: "active" }], [], "c-1", 8), undefined, "active machines are the start check's business")
})

test("plugin proposal: its activation message is a valid MsgActivateMachine carrying version, code hash and grants", async () => {
  const file = await activationProposal(HELLO, { ...OPTS, height: 120, deposit: "10000000boot", genesis: { greetings: [] } })
  const [json] = file.messages as Array<Record<string, unknown>>
  const msg = decodeAuthorityMsg(authorityMsgFromJSON(json!))
  assert.is(msg.kind, "activate")
  if (msg.kind !== "activate") return
  assert.is(msg.name, "hello")
  assert.is(msg.version, "0.1.0")
  assert.is(toHex(msg.codeHash), pluginCodeHash(HELLO))
  assert.is(msg.height, 120n)
  assert.equal(JSON.parse(msg.genesisJson), { greetings: [] })
  assert.is(msg.authority, "cyber10d07y265gmmuvt4z0w9aw880jnsr700jaf5dlf", "the gov module account")
  assert.is(file.deposit, "10000000boot")
})

test.run()
