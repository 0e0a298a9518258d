import { test } from "uvu"
import * as assert from "uvu/assert"
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = new URL("../..", import.meta.url).pathname

interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }

/** Run the CLI as a child process under the pinned Node (the one running this test). */
const cli = (args: ReadonlyArray<string>, node = process.execPath, entry = "cli/main.ts", input?: string): Promise<Run> =>
  new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", CYBERKERNEL_HOME: join(tmpdir(), "ck-help-unused") }
    delete env.CYBERKERNEL_KEYRING_PASSPHRASE
    const child = execFile(node, [entry, ...args], { cwd: root, env },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }))
    child.stdin!.end(input ?? "")
  })

const commands = [
  [], ["init"], ["start"], ["status"],
  ["keys"], ["keys", "add"], ["keys", "list"], ["keys", "show"], ["keys", "delete"],
  ["tx"], ["tx", "bank"], ["tx", "bank", "send"],
  ["query"], ["query", "bank"], ["query", "bank", "balances"], ["query", "tx"]
]

test("--help on every command exits 0 with usage text", async () => {
  // two at a time: each child loads effect and CosmJS (about 0.7 s)
  const queue = [...commands]
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const r = await cli([...c, "--help"])
      const path = ["cyberkernel", ...c].join(" ")
      assert.is(r.code, 0, `${path} --help exited ${r.code}: ${r.stderr}`)
      assert.match(r.stdout, "USAGE", `${path} --help prints usage`)
      assert.match(r.stdout, path, `${path} --help names the command`)
      assert.match(r.stdout, "--home", `${path} --help lists the global flags`)
    }
  }
  await Promise.all([worker(), worker()])
})

test("subcommand help lists their arguments and flags", async () => {
  const send = await cli(["tx", "bank", "send", "--help"])
  for (const s of ["<from>", "<to>", "<amount>", "--gas", "--fees", "--node", "--keyring-backend"]) assert.match(send.stdout, s)
  const balances = await cli(["query", "bank", "balances", "--help"])
  assert.match(balances.stdout, "<address>")
  const top = await cli(["--help"])
  for (const s of ["init", "start", "keys", "tx", "query", "status", "--output"]) assert.match(top.stdout, s)
})

test("an unknown subcommand exits 1 and says so", async () => {
  const r = await cli(["keys", "frobnicate"])
  assert.is(r.code, 1)
  assert.match(r.stdout + r.stderr, "Unknown subcommand")
})

test("init and keys through the CLI: idempotent init, dev key shown, JSON output", async () => {
  const home = mkdtempSync(join(tmpdir(), "ck-cli-"))
  const first = await cli(["init", "--home", home, "--output", "json"])
  assert.is(first.code, 0, first.stderr)
  const r = JSON.parse(first.stdout)
  assert.is(r.devAccount.mnemonic.split(" ").length, 24)
  const genesis = JSON.parse(readFileSync(join(home, "config", "genesis.json"), "utf8"))
  assert.is(genesis.app_state.bank.balances[0].address, r.devAccount.address)
  const second = await cli(["init", "--home", home])
  assert.is(second.code, 0)
  assert.match(second.stdout, "nothing changed")
  assert.not.match(second.stdout, r.devAccount.mnemonic)
  const show = await cli(["keys", "show", "dev", "--address", "--home", home])
  assert.is(show.stdout.trim(), r.devAccount.address)
  const missing = await cli(["keys", "show", "nobody", "--home", home])
  assert.is(missing.code, 1)
  assert.match(missing.stderr, "error: key \"nobody\" not found")
})

test("keys add --recover into the file keyring reads mnemonic and passphrase from stdin", async () => {
  const home = mkdtempSync(join(tmpdir(), "ck-cli-"))
  const mnemonic = "enlist hip relief stomach skate base shallow young switch frequent cry park"
  const r = await cli(["keys", "add", "bob", "--recover", "--keyring-backend", "file", "--home", home, "--output", "json"], process.execPath, "cli/main.ts", `${mnemonic}\npassword123\n`)
  assert.is(r.code, 0, r.stderr)
  assert.is(JSON.parse(r.stdout).address, "cyber14qemq0vw6y3gc3u3e0aty2e764u4gs5l76s4y8")
  assert.not.match(readFileSync(join(home, "keyring-file", "bob.json"), "utf8"), "stomach")
  const short = await cli(["keys", "add", "carol", "--keyring-backend", "file", "--home", home], process.execPath, "cli/main.ts", "short\n")
  assert.is(short.code, 1)
  assert.match(short.stderr, "at least 8 characters")
})

test("bin/cyberkernel.mjs runs the CLI under the system Node by re-executing the pinned Node", async () => {
  const systemNode = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => existsSync(p)) ?? process.execPath
  const r = await cli(["keys", "--help"], systemNode, "bin/cyberkernel.mjs")
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, "cyberkernel keys")
})

test.run()
