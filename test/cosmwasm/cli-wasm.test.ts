/**
 * The `tx wasm` and `query wasm` CLI commands (modules/cyberwasm/cosmwasm/cli) against a node
 * started by the CLI with CyberWasm enabled, signing with the home's `dev` key: hackatom is
 * stored, instantiated with funds and an admin, queried in every way, executed (its release pays
 * the beneficiary), migrated, its admin set and cleared; instantiate2 lands on CosmJS's predicted
 * address. Wrong input is refused by the CLI with a message naming it, before anything is sent.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { fromHex } from "@cosmjs/encoding"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "fflate"
import { checksumOf, classicAddress, instantiate2Address, cli, cliResult, fixture, startWasmNode, type WasmNode } from "./e2e-support.ts"

const hackatom = fixture("hackatom")
const checksum = checksumOf(hackatom)
const dir = mkdtempSync(join(tmpdir(), "ck-cli-wasm-"))
const file = join(dir, "hackatom.wasm")
writeFileSync(file, hackatom)

let n: WasmNode
let contract = ""
const json = <T = any>(...args: string[]): T => JSON.parse(cli(n, ...args)) as T
const refused = (what: string, pattern: RegExp, ...args: string[]) => {
  const r = cliResult(n, ...args)
  assert.is(r.status, 1, `${what}: exit status (stdout ${r.stdout})`)
  assert.match(r.stderr, pattern, `${what}: ${r.stderr}`)
}

test.before(async () => {
  n = await startWasmNode()
})

test.after(async () => {
  await n?.stop()
})

test("tx wasm store (plain and gzipped file) and query wasm code / codes", () => {
  const stored = json("tx", "wasm", "store", "dev", file)
  assert.is(stored.code, 0, stored.raw_log)
  assert.is(stored.code_id, "1")
  assert.is(stored.checksum, checksum)
  const gz = join(dir, "hackatom.wasm.gz")
  writeFileSync(gz, gzipSync(hackatom))
  const second = json("tx", "wasm", "store", "dev", gz, "--instantiate-everybody")
  assert.is(second.code_id, "2")

  const info = json("query", "wasm", "code", "1", join(dir, "downloaded.wasm"))
  assert.equal(info.code_id, "1")
  assert.equal(info.creator, n.alice)
  assert.equal(info.data_hash, checksum.toUpperCase())
  assert.equal(info.instantiate_permission, { permission: "ACCESS_TYPE_EVERYBODY", addresses: [] })
  assert.ok(readFileSync(join(dir, "downloaded.wasm")).equals(Buffer.from(hackatom)), "the downloaded code is the original Wasm")
  const codes = json("query", "wasm", "codes")
  assert.equal(codes.code_infos.map((c: any) => [c.code_id, c.creator]), [["1", n.alice], ["2", n.alice]])
  assert.equal(codes.pagination.next_key, null)
  const page = json("query", "wasm", "list-code", "--limit", "1")
  assert.is(page.code_infos.length, 1)
  assert.ok(page.pagination.next_key, "a next key when more codes follow")
})

test("tx wasm instantiate with --amount and --admin; query wasm contract, list-contract-by-code, contract-history, contract-state", () => {
  const msg = JSON.stringify({ verifier: n.alice, beneficiary: n.bob })
  const r = json("tx", "wasm", "instantiate", "dev", "1", msg, "--label", "cli hackatom", "--admin", "dev", "--amount", "777boot")
  assert.is(r.code, 0, r.raw_log)
  contract = r.contract_address
  assert.is(contract, classicAddress(1n, 1n))
  assert.equal(json("query", "bank", "balances", contract).balances, [{ denom: "boot", amount: "777" }])

  const c = json("query", "wasm", "contract", contract)
  assert.is(c.address, contract)
  const { created, ...rest } = c.contract_info
  assert.equal(rest, { code_id: "1", creator: n.alice, admin: n.alice, label: "cli hackatom", ibc_port_id: "", extension: null })
  assert.ok(Number(created.block_height) >= 1, `created at ${JSON.stringify(created)}`)
  assert.equal(json("query", "wasm", "list-contract-by-code", "1").contracts, [contract])
  const history = json("query", "wasm", "contract-history", contract)
  assert.equal(history.entries.map((e: any) => [e.operation, e.code_id, e.msg]), [["CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT", "1", { verifier: n.alice, beneficiary: n.bob }]])
  assert.equal(json("query", "wasm", "contract-state", "smart", contract, '{"verifier":{}}').data, { verifier: n.alice })
  const raw = json("query", "wasm", "contract-state", "raw", contract, Buffer.from("config").toString("hex"))
  assert.equal(JSON.parse(Buffer.from(raw.data, "base64").toString()), { verifier: n.alice, beneficiary: n.bob, funder: n.alice })
  assert.equal(json("query", "wasm", "contract-state", "raw", contract, "config", "--ascii").data, raw.data)
  const all = json("query", "wasm", "contract-state", "all", contract)
  assert.equal(all.models.map((m: any) => m.key), [Buffer.from("config").toString("hex").toUpperCase()])
})

test("tx wasm execute pays the beneficiary; migrate, set-contract-admin, clear-contract-admin", () => {
  const r = json("tx", "wasm", "execute", "dev", contract, '{"release":{}}')
  assert.is(r.code, 0, r.raw_log)
  assert.is(r.data, "f00baa")
  assert.equal(json("query", "bank", "balances", n.bob).balances, [{ denom: "boot", amount: "777" }])

  const m = json("tx", "wasm", "migrate", "dev", contract, "2", JSON.stringify({ verifier: n.bob }))
  assert.is(m.code, 0, m.raw_log)
  assert.equal(json("query", "wasm", "contract-state", "smart", contract, '{"verifier":{}}').data, { verifier: n.bob })
  assert.is(json("query", "wasm", "contract", contract).contract_info.code_id, "2")

  assert.is(json("tx", "wasm", "set-contract-admin", "dev", contract, n.fred).code, 0)
  assert.is(json("query", "wasm", "contract", contract).contract_info.admin, n.fred)
  // dev is no longer the admin: the node refuses (exit 1, wasmd's text)
  refused("clear by a non-admin", /can not modify contract: unauthorized/, "tx", "wasm", "clear-admin", "dev", contract, "--gas", "500000")
})

test("tx wasm instantiate2 lands on CosmJS's instantiate2Address; --no-admin", () => {
  const salt = Buffer.from("cli salt").toString("hex")
  const r = json("tx", "wasm", "instantiate2", "dev", "1", JSON.stringify({ verifier: n.alice, beneficiary: n.alice }), salt, "--label", "predictable", "--no-admin")
  assert.is(r.code, 0, r.raw_log)
  assert.is(r.contract_address, instantiate2Address(fromHex(checksum), n.alice, Buffer.from("cli salt"), "cyber"))
  assert.is(json("query", "wasm", "contract", r.contract_address).contract_info.admin, "")
})

test("bad input is refused by the CLI with a message naming it", () => {
  refused("missing admin choice", /you must set an admin or explicitly pass --no-admin/, "tx", "wasm", "instantiate", "dev", "1", "{}", "--label", "x")
  refused("missing label", /label is required/, "tx", "wasm", "instantiate", "dev", "1", "{}", "--no-admin")
  refused("bad code id", /invalid code id "abc"/, "tx", "wasm", "instantiate", "dev", "abc", "{}", "--label", "x", "--no-admin")
  refused("bad JSON", /invalid execute message: not JSON/, "tx", "wasm", "execute", "dev", contract, "{release")
  refused("bad contract address", /invalid contract address "cyber1nope"/, "tx", "wasm", "execute", "dev", "cyber1nope", "{}")
  refused("not a wasm file", /invalid input file .*: use a wasm binary or its gzip/, "tx", "wasm", "store", "dev", join(new URL("../..", import.meta.url).pathname, "package.json"))
  refused("smart query not JSON", /query data must be json/, "query", "wasm", "contract-state", "smart", contract, "verifier")
  refused("unknown code", /code 99 not found|not found/, "query", "wasm", "code", "99")
})

test.run()
