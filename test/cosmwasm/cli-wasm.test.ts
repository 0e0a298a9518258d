/**
 * The `tx wasm` and `query wasm` CLI commands (modules/cyberwasm/cosmwasm/cli) against a node
 * started by the CLI with CyberWasm enabled, signing with the home's `dev` key: hackatom is
 * stored (plain and gzipped), instantiated with funds and an admin, queried in every way,
 * executed (its release pays the beneficiary), migrated, its admin set and cleared; instantiate2
 * lands on CosmJS's predicted address. Wrong input is refused by the CLI with a message naming it,
 * before anything is sent. Independent commands run concurrently (each CLI start costs seconds).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { fromHex } from "@cosmjs/encoding"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "fflate"
import { checksumOf, classicAddress, cliJson, cliRun, fixture, instantiate2Address, startWasmNode, type WasmNode } from "./e2e-support.ts"

const hackatom = fixture("hackatom")
const checksum = checksumOf(hackatom)
const dir = mkdtempSync(join(tmpdir(), "ck-cli-wasm-"))
const file = join(dir, "hackatom.wasm")
writeFileSync(file, hackatom)
const gz = join(dir, "hackatom.wasm.gz")
writeFileSync(gz, gzipSync(hackatom))

let n: WasmNode
let contract = ""
const json = <T = any>(...args: string[]): Promise<T> => cliJson<T>(n, ...args)
const refused = async (what: string, pattern: RegExp, ...args: string[]) => {
  const r = await cliRun(n, ...args)
  assert.is(r.status, 1, `${what}: exit status (stdout ${r.stdout}, stderr ${r.stderr})`)
  assert.match(r.stderr, pattern, `${what}: ${r.stderr}`)
}
const balance = async (address: string) => (await n.client.getBalance(address, "boot")).amount

test.before(async () => {
  n = await startWasmNode()
})

test.after(async () => {
  await n?.stop()
})

test("tx wasm store (a plain and a gzipped file) and query wasm code / codes", async () => {
  const stored = await json("tx", "wasm", "store", "dev", file)
  assert.is(stored.code, 0, stored.raw_log)
  assert.is(stored.code_id, "1")
  assert.is(stored.checksum, checksum)
  const second = await json("tx", "wasm", "store", "dev", gz, "--instantiate-anyof-addresses", n.alice)
  assert.is(second.code_id, "2")
  assert.is(second.checksum, checksum)

  const [info, info2, page] = await Promise.all([
    json("query", "wasm", "code", "1", join(dir, "downloaded.wasm")),
    json("query", "wasm", "code", "2"),
    json("query", "wasm", "codes", "--limit", "1")
  ])
  assert.equal(info, {
    code_id: "1", creator: n.alice, data_hash: checksum.toUpperCase(),
    instantiate_permission: { permission: "ACCESS_TYPE_EVERYBODY", addresses: [] }, size: hackatom.length, written_to: join(dir, "downloaded.wasm")
  })
  assert.ok(readFileSync(join(dir, "downloaded.wasm")).equals(Buffer.from(hackatom)), "the downloaded code is the original Wasm")
  assert.equal(info2.instantiate_permission, { permission: "ACCESS_TYPE_ANY_OF_ADDRESSES", addresses: [n.alice] })
  assert.equal(page.code_infos.map((c: any) => [c.code_id, c.creator]), [["1", n.alice]])
  assert.ok(page.pagination.next_key, "a next key when more codes follow")
  const rest = await json("query", "wasm", "list-code", "--page-key", page.pagination.next_key)
  assert.equal(rest.code_infos.map((c: any) => c.code_id), ["2"])
  assert.equal(rest.pagination.next_key, null)
})

test("tx wasm instantiate with --amount and --admin; query wasm contract, list-contract-by-code, contract-history, contract-state", async () => {
  const msg = JSON.stringify({ verifier: n.alice, beneficiary: n.bob })
  const r = await json("tx", "wasm", "instantiate", "dev", "1", msg, "--label", "cli hackatom", "--admin", "dev", "--amount", "777boot")
  assert.is(r.code, 0, r.raw_log)
  contract = r.contract_address
  assert.is(contract, classicAddress(1n, 1n))
  assert.is(await balance(contract), "777")

  const [c, byCode, history, smart, raw, rawAscii, all] = await Promise.all([
    json("query", "wasm", "contract", contract),
    json("query", "wasm", "list-contract-by-code", "1"),
    json("query", "wasm", "contract-history", contract),
    json("query", "wasm", "contract-state", "smart", contract, '{"verifier":{}}'),
    json("query", "wasm", "contract-state", "raw", contract, Buffer.from("config").toString("hex")),
    json("query", "wasm", "contract-state", "raw", contract, "config", "--ascii"),
    json("query", "wasm", "contract-state", "all", contract)
  ])
  assert.is(c.address, contract)
  const { created, ...rest } = c.contract_info
  assert.equal(rest, { code_id: "1", creator: n.alice, admin: n.alice, label: "cli hackatom", ibc_port_id: "", extension: null })
  assert.ok(Number(created.block_height) >= 1, `created at ${JSON.stringify(created)}`)
  assert.equal(byCode.contracts, [contract])
  assert.equal(history.entries.map((e: any) => [e.operation, e.code_id, e.msg]), [["CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT", "1", { verifier: n.alice, beneficiary: n.bob }]])
  assert.equal(smart.data, { verifier: n.alice })
  assert.equal(JSON.parse(Buffer.from(raw.data, "base64").toString()), { verifier: n.alice, beneficiary: n.bob, funder: n.alice })
  assert.equal(rawAscii.data, raw.data)
  assert.equal(all.models.map((m: any) => [m.key, m.value]), [[Buffer.from("config").toString("hex").toUpperCase(), raw.data]])
})

test("tx wasm execute pays the beneficiary; migrate, set-contract-admin, clear-contract-admin", async () => {
  const r = await json("tx", "wasm", "execute", "dev", contract, '{"release":{}}')
  assert.is(r.code, 0, r.raw_log)
  assert.is(r.data, "f00baa")
  assert.is(await balance(n.bob), "777")
  assert.is(await balance(contract), "0")

  const m = await json("tx", "wasm", "migrate", "dev", contract, "2", JSON.stringify({ verifier: n.bob }))
  assert.is(m.code, 0, m.raw_log)
  assert.equal(await n.client.queryContractSmart(contract, { verifier: {} }), { verifier: n.bob })
  assert.is((await n.client.getContract(contract)).codeId, 2)

  assert.is((await json("tx", "wasm", "set-admin", "dev", contract, n.fred)).code, 0)
  assert.is((await n.client.getContract(contract)).admin, n.fred)
  // dev is no longer the admin: the node refuses (exit 1, wasmd's text)
  await refused("clear by a non-admin", /can not modify contract: unauthorized/, "tx", "wasm", "clear-contract-admin", "dev", contract, "--gas", "500000")
  assert.is((await n.client.getContract(contract)).admin, n.fred)
})

test("tx wasm instantiate2 lands on CosmJS's instantiate2Address; --no-admin", async () => {
  const salt = Buffer.from("cli salt")
  const r = await json("tx", "wasm", "instantiate2", "dev", "1", JSON.stringify({ verifier: n.alice, beneficiary: n.alice }), salt.toString("hex"), "--label", "predictable", "--no-admin")
  assert.is(r.code, 0, r.raw_log)
  assert.is(r.contract_address, instantiate2Address(fromHex(checksum), n.alice, salt, "cyber"))
  assert.is((await n.client.getContract(r.contract_address)).admin, undefined)
})

test("bad input is refused with a message naming it; the node's own refusals too", async () => {
  await Promise.all([
    refused("missing admin choice", /you must set an admin or explicitly pass --no-admin/, "tx", "wasm", "instantiate", "dev", "1", "{}", "--label", "x"),
    refused("missing label", /label is required/, "tx", "wasm", "instantiate", "dev", "1", "{}", "--no-admin"),
    refused("bad code id", /invalid code id "abc"/, "tx", "wasm", "instantiate", "dev", "abc", "{}", "--label", "x", "--no-admin"),
    refused("bad JSON", /invalid execute message: not JSON/, "tx", "wasm", "execute", "dev", contract, "{release")
  ])
  await Promise.all([
    refused("bad contract address", /invalid contract address "cyber1nope"/, "tx", "wasm", "execute", "dev", "cyber1nope", "{}"),
    refused("not a wasm file", /invalid input file .*: use a wasm binary or its gzip/, "tx", "wasm", "store", "dev", join(new URL("../..", import.meta.url).pathname, "package.json")),
    refused("smart query not JSON", /query data must be json/, "query", "wasm", "contract-state", "smart", contract, "verifier"),
    refused("unknown code", /code id 99: no such code/, "query", "wasm", "code", "99")
  ])
})

test.run()
