import { test } from "uvu"
import * as assert from "uvu/assert"
import { cli } from "./cliProcess.ts"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

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
  assert.is(r.dev_account.mnemonic.split(" ").length, 24)
  const genesis = JSON.parse(readFileSync(join(home, "config", "genesis.json"), "utf8"))
  assert.is(genesis.app_state.bank.balances[0].address, r.dev_account.address)
  const second = await cli(["init", "--home", home])
  assert.is(second.code, 0)
  assert.match(second.stdout, "nothing changed")
  assert.not.match(second.stdout, r.dev_account.mnemonic)
  const show = await cli(["keys", "show", "dev", "--address", "--home", home])
  assert.is(show.stdout.trim(), r.dev_account.address)
  const missing = await cli(["keys", "show", "nobody", "--home", home])
  assert.is(missing.code, 1)
  assert.match(missing.stderr, "error: key \"nobody\" not found")
})

test("keys add --recover into the file keyring reads mnemonic and passphrase from stdin", async () => {
  const home = mkdtempSync(join(tmpdir(), "ck-cli-"))
  const mnemonic = "enlist hip relief stomach skate base shallow young switch frequent cry park"
  const r = await cli(["keys", "add", "bob", "--recover", "--keyring-backend", "file", "--home", home, "--output", "json"], { input: `${mnemonic}\npassword123\n` })
  assert.is(r.code, 0, r.stderr)
  assert.is(JSON.parse(r.stdout).address, "cyber14qemq0vw6y3gc3u3e0aty2e764u4gs5l76s4y8")
  assert.not.match(readFileSync(join(home, "keyring-file", "bob.json"), "utf8"), "stomach")
  const short = await cli(["keys", "add", "carol", "--keyring-backend", "file", "--home", home], { input: "short\n" })
  assert.is(short.code, 1)
  assert.match(short.stderr, "at least 8 characters")
})

test("bin/cyberkernel.mjs runs the CLI under the system Node by re-executing the pinned Node", async () => {
  const systemNode = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => existsSync(p)) ?? process.execPath
  const r = await cli(["keys", "--help"], { node: systemNode, entry: "bin/cyberkernel.mjs" })
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, "cyberkernel keys")
})

test.run()
