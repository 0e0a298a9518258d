import { test } from "uvu"
import * as assert from "uvu/assert"
import { cli } from "./cliProcess.ts"

const commands = [
  [], ["init"], ["start"], ["status"],
  ["keys"], ["keys", "add"], ["keys", "list"], ["keys", "show"], ["keys", "delete"],
  ["tx"], ["tx", "bank"], ["tx", "bank", "send"],
  ["query"], ["query", "bank"], ["query", "bank", "balances"], ["query", "tx"]
]

/** What some help texts must mention besides usage and global flags. */
const mustList: Record<string, ReadonlyArray<string>> = {
  "": ["init", "start", "keys", "tx", "query", "status", "--node", "--output", "--keyring-backend"],
  "tx bank send": ["<from>", "<to>", "<amount>", "--gas", "--fees", "--broadcast-mode"],
  "query bank balances": ["<address>", "--denom"],
  "query tx": ["<hash>"],
  "keys add": ["<name>", "--recover"],
  "init": ["--chain-id", "--moniker"]
}

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
      for (const s of mustList[c.join(" ")] ?? []) assert.match(r.stdout, s, `${path} --help lists ${s}`)
    }
  }
  await Promise.all([worker(), worker()])
})

test.run()
