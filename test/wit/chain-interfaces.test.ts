/**
 * Machine interfaces in WIT (wit/chain/*.wit -> chain/generated/*.ts by wit/chain.ts): the
 * committed modules are current, a WIT edit without regeneration is detected, a caller with a
 * drifted field fails tsc, codecs round-trip, the wire matches the Cosmos / go-cyber messages,
 * and malformed bytes give InvalidRequest (code 18) naming record and field.
 */
import { Output } from "cosmjs-types/cosmos/bank/v1beta1/bank"
import { QueryBalanceResponse, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query"
import { spawnSync } from "node:child_process"
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { AccountResponse, authInterface, EnsureAccountResponse } from "../../chain/generated/auth.ts"
import {
  BalanceResponse, bankClient, bankDispatcher, bankInterface, MintRequest, SendRequest, SupplyResponse, type BankHandlers
} from "../../chain/generated/bank.ts"
import { cyberwasmInterface, DeliverRequest } from "../../chain/generated/cyberwasm.ts"
import { graphInterface, LinkRequest, RankResponse, SearchRequest, SearchResponse } from "../../chain/generated/graph.ts"
import type { ChainCall } from "../../chain/Machine.ts"
import { MsgCyberlink, QueryRankResponse, QuerySearchRequest, QuerySearchResponse } from "../../modules/graph/Messages.ts"
import { OUT_DIR, staleChainFiles, WIT_DIR } from "../../wit/chain.ts"

const root = new URL("../..", import.meta.url).pathname
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

const errorOf = (f: () => unknown): { _tag: string; code: number; log: string } => {
  try {
    f()
  } catch (e) {
    return e as never
  }
  throw new Error("expected an error")
}

test("the committed chain/generated modules are current with wit/chain (wit:check-chain)", () => {
  assert.equal(staleChainFiles(WIT_DIR, OUT_DIR), [])
})

test("editing a copy of bank.wit without regenerating is detected (bank.ts only)", () => {
  const tmp = mkdtempSync(join(tmpdir(), "wit-drift-"))
  try {
    cpSync(WIT_DIR, tmp, { recursive: true })
    const bank = join(tmp, "bank.wit")
    const text = readFileSync(bank, "utf8")
    const edited = text.replace("    to: string,\n    amount: list<coin>,", "    recipient: string,\n    amount: list<coin>,")
    assert.is.not(edited, text, "the edit applies")
    writeFileSync(bank, edited)
    assert.equal(staleChainFiles(tmp, OUT_DIR), ["bank.ts"])
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

/** tsc --noEmit over the fixtures alone (temp tsconfig extending the main one). */
const tsc = (fixtures: ReadonlyArray<string>): { status: number | null; out: string } => {
  const tmp = mkdtempSync(join(tmpdir(), "wit-tsc-"))
  try {
    const config = join(tmp, "tsconfig.json")
    writeFileSync(config, JSON.stringify({
      extends: join(root, "tsconfig.json"),
      compilerOptions: { typeRoots: [join(root, "node_modules/@types")] },
      include: [],
      files: fixtures.map((f) => join(root, "test/wit/fixtures", f))
    }))
    const r = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "--pretty", "false", "-p", config], { encoding: "utf8" })
    return { status: r.status, out: r.stdout + r.stderr }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

test("a caller with a drifted field fails tsc; the correct caller passes (one tsc run over both)", () => {
  const r = tsc(["drift-caller.ts", "good-caller.ts"])
  assert.is.not(r.status, 0, r.out)
  const errors = r.out.split("\n").filter((l) => / error TS\d+/.test(l))
  assert.ok(errors.length > 0, r.out)
  assert.ok(errors.every((l) => l.includes("drift-caller.ts")), `only the drifted caller fails:\n${r.out}`)
  assert.match(r.out, /'fromAddress' does not exist in type 'SendRequest'/)
})

test("bank wire: send = MsgSend, mint = Output, balance / supply responses = the Query messages", () => {
  const send = { from: "cyber1from", to: "cyber1to", amount: [{ denom: "boot", amount: "5" }, { denom: "hydrogen", amount: "12" }] }
  const bytes = SendRequest.encode(send)
  assert.is(hex(bytes), hex(MsgSend.encode({ fromAddress: send.from, toAddress: send.to, amount: send.amount }).finish()))
  assert.equal(SendRequest.decode(bytes), send)
  const cosmjs = MsgSend.decode(bytes)
  assert.is(cosmjs.fromAddress, "cyber1from")
  const mint = { address: "cyber1x", coins: [{ denom: "boot", amount: "1" }] }
  assert.is(hex(MintRequest.encode(mint)), hex(Output.encode(mint).finish()))
  assert.is(hex(BalanceResponse.encode({ balance: { denom: "boot", amount: "0" } })), hex(QueryBalanceResponse.encode({ balance: { denom: "boot", amount: "0" } }).finish()))
  assert.is(hex(SupplyResponse.encode({ amount: { denom: "boot", amount: "9" } })), hex(QuerySupplyOfResponse.encode({ amount: { denom: "boot", amount: "9" } }).finish()))
})

test("round trips: option absent / present, bool, bytes, u64, u32, nested and repeated records", () => {
  assert.equal(BalanceResponse.decode(BalanceResponse.encode({})), { balance: undefined })
  assert.equal(BalanceResponse.decode(BalanceResponse.encode({ balance: { denom: "", amount: "" } })), { balance: { denom: "", amount: "" } })
  assert.equal(EnsureAccountResponse.decode(EnsureAccountResponse.encode({ created: true })), { created: true })
  assert.equal(EnsureAccountResponse.decode(EnsureAccountResponse.encode({ created: false })), { created: false })
  const account = { account: { typeUrl: "/cosmos.auth.v1beta1.BaseAccount", value: Uint8Array.of(1, 2, 3, 0, 255) } }
  assert.equal(AccountResponse.decode(AccountResponse.encode(account)), account)
  assert.is(hex(AccountResponse.encode(account)), hex(QueryAccountResponse.encode(account).finish()))
  const big = (1n << 64n) - 1n
  assert.equal(RankResponse.decode(RankResponse.encode({ rank: big })), { rank: big })
  assert.is(hex(RankResponse.encode({ rank: 123456789012345678n })), hex(QueryRankResponse.encode({ rank: 123456789012345678n }).finish()))
  const msg = new Uint8Array(300).map((_, i) => i & 0xff)
  assert.equal(DeliverRequest.decode(DeliverRequest.encode({ message: msg })).message, msg)
  // graph: MsgCyberlink and the search messages are wire-identical with modules/graph/Messages.ts
  const link = { neuron: "cyber1n", links: [{ from: "Qm1", to: "Qm2" }, { from: "Qm3", to: "Qm4" }] }
  assert.is(hex(LinkRequest.encode(link)), hex(MsgCyberlink.encode(link).finish()))
  assert.equal(LinkRequest.decode(MsgCyberlink.encode(link).finish()), link)
  const search = { particle: "Qm1", pagination: { page: 2, perPage: 10 } }
  assert.is(hex(SearchRequest.encode(search)), hex(QuerySearchRequest.encode(search).finish()))
  assert.equal(SearchRequest.decode(SearchRequest.encode({ particle: "Qm1" })), { particle: "Qm1", pagination: undefined })
  const res = { result: [{ particle: "Qm9", rank: 7n }], pagination: { total: 3 } }
  assert.is(hex(SearchResponse.encode(res)), hex(QuerySearchResponse.encode({ result: res.result, total: 3 }).finish()))
  assert.equal(SearchResponse.decode(new Uint8Array()), { result: [], pagination: { total: 0 } }, "a missing record reads as its defaults")
})

test("interface specs: names, kebab-case methods, read-only marks from `@read-only`", () => {
  assert.is(bankInterface.name, "bank")
  assert.equal(Object.keys(bankInterface.methods), ["send", "balance", "balances", "supply", "mint", "burn"])
  assert.equal(Object.entries(bankInterface.methods).filter(([, m]) => m.readOnly).map(([k]) => k), ["balance", "balances", "supply"])
  assert.equal(Object.keys(authInterface.methods), ["ensure-account", "account"])
  assert.is(authInterface.methods["account"]!.readOnly, true)
  assert.is(authInterface.methods["ensure-account"]!.readOnly, false)
  assert.equal(Object.entries(graphInterface.methods).filter(([, m]) => m.readOnly).map(([k]) => k), ["rank", "outlinks", "backlinks"])
  assert.equal(Object.keys(cyberwasmInterface.methods), ["deliver", "ibc-callback"])
})

const malformed: ReadonlyArray<readonly [string, Uint8Array, RegExp, string?]> = [
  ["truncated inside a string", Uint8Array.of(0x0a, 0x05, 0x61), /send-request\.from: length 5 exceeds the 1 bytes left/],
  ["hostile length (2^32 - 1)", Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f), /send-request\.from: length 4294967295 exceeds/],
  ["length past 32 bits", Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), /send-request\.from: varint exceeds 32 bits/],
  ["truncated tag", Uint8Array.of(0x80), /send-request\.\(tag\): truncated varint/],
  ["u64 varint past 10 bytes", Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), /rank-response\.rank: truncated or overlong varint/, "rank"],
  ["wrong wire type", Uint8Array.of(0x08, 0x01), /send-request\.from: wrong wire type 0/],
  ["unknown field", Uint8Array.of(0x22, 0x00), /send-request: unknown field number 4/],
  ["invalid UTF-8", Uint8Array.of(0x12, 0x02, 0xc3, 0x28), /send-request\.to: invalid UTF-8/],
  ["malformed nested coin", Uint8Array.of(0x1a, 0x02, 0x0a, 0x05), /coin\.denom: length 5 exceeds the 0 bytes left/]
]

for (const [what, bytes, re, codec] of malformed) {
  test(`malformed ${codec ?? "send"} request (${what}): InvalidRequest code 18 naming record and field`, () => {
    const e = errorOf(() => (codec === "rank" ? RankResponse : SendRequest).decode(bytes))
    assert.is(e._tag, "InvalidRequest")
    assert.is(e.code, 18)
    assert.match(e.log, re)
  })
}

test("other malformed values: bool out of range, u32 overflow; encode refuses out-of-range integers", () => {
  const e1 = errorOf(() => EnsureAccountResponse.decode(Uint8Array.of(0x08, 0x02)))
  assert.match(e1.log, /ensure-account-response\.created: bool must be 0 or 1/)
  const e2 = errorOf(() => SearchRequest.decode(Uint8Array.of(0x12, 0x06, 0x08, 0x80, 0x80, 0x80, 0x80, 0x10)))
  assert.match(e2.log, /page-request\.page: varint exceeds 32 bits/)
  assert.is(e2.code, 18)
  const e3 = errorOf(() => RankResponse.encode({ rank: -1n }))
  assert.match(e3.log, /rank-response\.rank: -1 does not fit u64/)
})

test("client and dispatcher: typed both ways over the call function; bad body or method are typed errors", () => {
  const seen: ChainCall[] = []
  const handlers: BankHandlers<undefined> = {
    send: (_c, caller, req) => {
      assert.is(caller, "machine:auth")
      assert.equal(req.amount, [{ denom: "boot", amount: "3" }])
      return {}
    },
    balance: (_c, _caller, req) => ({ balance: { denom: req.denom, amount: "42" } }),
    balances: () => ({ balances: [] }),
    supply: (_c, _caller, req) => ({ amount: { denom: req.denom, amount: "100" } }),
    mint: () => ({}),
    burn: () => ({})
  }
  const onCall = bankDispatcher(handlers)
  const client = bankClient((c) => {
    seen.push(c)
    return onCall(undefined, "machine:auth", c.method, c.body)
  }, "bank")
  client.send({ from: "a", to: "b", amount: [{ denom: "boot", amount: "3" }] })
  assert.equal(client.balance({ address: "a", denom: "boot" }).balance, { denom: "boot", amount: "42" })
  assert.equal(client.supply({ denom: "boot" }).amount, { denom: "boot", amount: "100" })
  assert.equal(seen.map((c) => `${c.target}.${c.method}`), ["bank.send", "bank.balance", "bank.supply"])
  const bad = errorOf(() => onCall(undefined, "machine:auth", "send", Uint8Array.of(0x0a, 0x09)))
  assert.is(bad.code, 18)
  const unknown = errorOf(() => onCall(undefined, "machine:auth", "multi-send", new Uint8Array()))
  assert.is(unknown._tag, "UnknownRequest")
  assert.match(unknown.log, /bank has no method "multi-send" \(called by machine:auth\)/)
})

test.run()
