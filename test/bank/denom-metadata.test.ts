/**
 * Bank denom metadata: genesis entries checked as the SDK's Metadata.Validate (each failure a
 * typed genesis error naming the entry and the problem), the dev genesis's coin metadata
 * (node/home/CoinMetadata.ts) accepted, and the DenomMetadata / DenomMetadataByQueryString /
 * DenomsMetadata queries through CosmJS's bank extension and raw ABCI.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import {
  QueryDenomMetadataByQueryStringRequest, QueryDenomMetadataByQueryStringResponse, QueryDenomMetadataRequest
} from "cosmjs-types/cosmos/bank/v1beta1/query"
import { coinMetadata, genesisCoinsMetadata } from "../../node/home/CoinMetadata.ts"
import { makeWallet, TestChain } from "../auth/support/Chain.ts"

const { addresses } = await makeWallet(1)
const alice = addresses[0]!

const uatom = {
  description: "The native staking token of the Cosmos Hub.",
  denom_units: [
    { denom: "uatom", exponent: 0, aliases: ["microatom"] },
    { denom: "matom", exponent: 3, aliases: ["milliatom"] },
    { denom: "atom", exponent: 6, aliases: [] }
  ],
  base: "uatom",
  display: "atom",
  name: "Cosmos Hub Atom",
  symbol: "ATOM"
}

/** uatom's metadata with `change` applied (a deep copy). */
const variant = (change: (m: any) => void): unknown => {
  const m = JSON.parse(JSON.stringify(uatom))
  change(m)
  return m
}

const genesisError = async (denomMetadata: unknown): Promise<{ _tag: string; codespace: string; code: number; log: string }> => {
  try {
    await TestChain.start({ genesis: { auth: {}, bank: { balances: [{ address: alice, coins: [{ denom: "boot", amount: "5" }] }], denom_metadata: denomMetadata } } })
  } catch (e) {
    return e as never
  }
  throw new Error("expected a genesis error")
}

const refused = async (entries: unknown, re: RegExp): Promise<void> => {
  const e = await genesisError(entries)
  assert.is(e._tag, "InvalidRequest", `typed chain error for ${re}`)
  assert.is(e.codespace, "sdk")
  assert.match(e.log, /^invalid bank genesis: denom_metadata\[\d+\]/)
  assert.match(e.log, re)
}

test("genesis: each Metadata.Validate rule refuses a bad entry, naming the entry and the problem", async () => {
  await refused([variant((m) => { m.base = "1atom" })], /denom_metadata\[0\] \(base "1atom"\): invalid metadata base denom: invalid denom: "1atom"/)
  await refused([variant((m) => { m.display = "" })], /invalid metadata display denom: invalid denom: ""/)
  await refused([variant((m) => { m.denom_units.reverse() })], /metadata's first denomination unit must be the one with base denom 'uatom'/)
  await refused([variant((m) => { m.denom_units[0].exponent = 1 })], /the exponent for base denomination unit uatom must be 0/)
  await refused([variant((m) => { m.denom_units[2].exponent = 3 })], /denom units should be sorted asc by exponent \(unit 2 "atom" has exponent 3 after 3\)/)
  await refused([variant((m) => { m.denom_units.splice(1, 2, { denom: "atom", exponent: 3, aliases: [] }, { denom: "matom", exponent: 2, aliases: [] }) })], /sorted asc by exponent/)
  await refused([variant((m) => { m.denom_units[2].denom = "matom" })], /duplicate denomination unit matom/)
  await refused([variant((m) => { m.denom_units[1].denom = "m" })], /invalid denom unit: invalid denom: "m"/)
  await refused([variant((m) => { m.denom_units[0].aliases = ["microatom", "microatom"] })], /duplicate denomination unit alias "microatom"/)
  await refused([variant((m) => { m.denom_units[0].aliases = ["  "] })], /alias for denom unit uatom cannot be blank/)
  await refused([variant((m) => { m.display = "katom" })], /metadata must contain a denomination unit with display denom 'katom'/)
  await refused([variant((m) => { m.denom_units = [] })], /metadata must contain a denomination unit with display denom 'atom'/)
  // the second of two entries for one base: the index of the duplicate is named
  await refused([uatom, variant((m) => { m.description = "again" })], /denom_metadata\[1\]: duplicate client metadata for denom uatom/)
  // shapes: exponent beyond uint32, negative, fractional; aliases not strings
  await refused([variant((m) => { m.denom_units[2].exponent = 2 ** 32 })], /denom_metadata\[0\]\.denom_units\[2\]\.exponent must be an integer from 0 to 4294967295/)
  await refused([variant((m) => { m.denom_units[1].exponent = -3 })], /denom_units\[1\]\.exponent must be an integer/)
  await refused([variant((m) => { m.denom_units[1].exponent = 1.5 })], /denom_units\[1\]\.exponent must be an integer/)
  await refused([variant((m) => { m.denom_units[0].aliases = [7] })], /denom_metadata\[0\]\.denom_units\[0\]\.aliases\[0\] must be a string/)
  await refused(["uatom"], /denom_metadata\[0\] must be an object/)
})

test("genesis: a valid list is stored whole; queries find each entry by base", async () => {
  const chain = await TestChain.start({ genesis: { auth: {}, bank: { balances: [{ address: alice, coins: [{ denom: "boot", amount: "5" }] }], denom_metadata: [uatom, coinMetadata("boot", "t-1", "fee")] } } })
  const q = chain.queryClient()
  const atom = await q.bank.denomMetadata("uatom")
  assert.is(atom.display, "atom")
  assert.equal(atom.denomUnits.map((u) => [u.denom, u.exponent, u.aliases]), [["uatom", 0, ["microatom"]], ["matom", 3, ["milliatom"]], ["atom", 6, []]])
  const all = await q.bank.denomsMetadata()
  assert.equal(all.map((m) => m.base).sort(), ["boot", "uatom"])
  // SDK 0.50's query-string variant answers the same
  const r = await chain.query("/cosmos.bank.v1beta1.Query/DenomMetadataByQueryString", QueryDenomMetadataByQueryStringRequest.encode({ denom: "boot" }).finish())
  assert.is(r.code, 0, r.log)
  const boot = QueryDenomMetadataByQueryStringResponse.decode(r.value).metadata!
  assert.is(boot.symbol, "BOOT")
  assert.is(boot.base, "boot")
})

test("queries: a malformed denom is InvalidRequest, an unknown one NotFound, on both paths", async () => {
  const chain = await TestChain.start({ genesis: { auth: {}, bank: { balances: [], denom_metadata: [uatom] } } })
  for (const [path, enc] of [
    ["/cosmos.bank.v1beta1.Query/DenomMetadata", (d: string) => QueryDenomMetadataRequest.encode({ denom: d }).finish()],
    ["/cosmos.bank.v1beta1.Query/DenomMetadataByQueryString", (d: string) => QueryDenomMetadataByQueryStringRequest.encode({ denom: d }).finish()]
  ] as const) {
    const bad = await chain.query(path, enc("x".repeat(5000)))
    assert.is(bad.code, 18, `${path}: malformed denom is InvalidRequest (sdk 18)`)
    assert.ok(bad.log.length < 300, "the log quotes a bounded prefix of the denom")
    const empty = await chain.query(path, enc(""))
    assert.is(empty.code, 18)
    const missing = await chain.query(path, enc("uosmo"))
    assert.is(missing.code, 38, `${path}: unknown denom is NotFound`)
    assert.match(missing.log, /client metadata for denom uosmo/)
  }
})

test("dev genesis coin metadata: units from the SI prefix, each accepted by the bank", async () => {
  const boot = coinMetadata("boot", "cyberkernel-dev-1", "fee")
  assert.equal(boot.denom_units, [{ denom: "boot", exponent: 0, aliases: [] }])
  assert.is(boot.display, "boot")
  assert.is(boot.symbol, "BOOT")
  assert.match(boot.description, /fee, staking and governance coin of cyberkernel-dev-1/)
  const u = coinMetadata("uatom", "c", "funded")
  assert.equal(u.denom_units.map((x) => [x.denom, x.exponent]), [["uatom", 0], ["matom", 3], ["atom", 6]])
  assert.is(u.display, "atom")
  const mv = coinMetadata("millivolt", "c", "funded")
  assert.equal(mv.denom_units.map((x) => [x.denom, x.exponent]), [["millivolt", 0], ["volt", 3]])
  assert.is(mv.display, "volt")
  // "ux" is too short a name to be a micro prefix: one unit
  assert.equal(coinMetadata("uxy", "c", "funded").denom_units.length, 1)
  const list = genesisCoinsMetadata("hydrogen", "c", [{ coins: [{ denom: "uatom" }, { denom: "hydrogen" }] }, { coins: [{ denom: "millivolt" }, { denom: "boot" }] }])
  assert.equal(list.map((m) => m.base), ["hydrogen", "boot", "millivolt", "uatom"], "fee denom first, then the funded ones once each in order")
  // the bank accepts them all
  const chain = await TestChain.start({ genesis: { auth: {}, bank: { balances: [], denom_metadata: list } } })
  const all = await chain.queryClient().bank.denomsMetadata()
  assert.equal(all.map((m) => m.display).sort(), ["atom", "boot", "hydrogen", "volt"])
})

test.run()
