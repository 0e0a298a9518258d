/**
 * The capability table in chain state (chain/Capabilities.ts) and the constraint language
 * (chain/ChainCapability.ts): checks with their logs, kind defaults, attenuation on delegation,
 * canonical encoding, genesis parsing. Over a real IAVL store in memory.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import {
  CAPABILITIES_NAMESPACE, checkCapability, delegateCapability, exportCapabilitiesGenesis, grantCapability, listGrants,
  parseCapabilitiesGenesis, revokeCapability, type Grant
} from "../../chain/Capabilities.ts"
import { attenuates, decodeConstraints, encodeConstraints, formatCapability, validateCapability, type ChainCapability } from "../../chain/ChainCapability.ts"
import { parsePrincipal, selfAddress } from "../../chain/Principal.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"

const store = async () => (await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: [CAPABILITIES_NAMESPACE] })).store(CAPABILITIES_NAMESPACE)
const cap = (iface: string, method: string, ...constraints: Array<[string, ChainCapability["constraints"][number]["op"], string?]>): ChainCapability =>
  ({ interface: iface, method, constraints: constraints.map(([field, op, value]) => ({ field, op, value: value ?? "" })) })
const refusal = (f: () => void): string => {
  try {
    f()
  } catch (e) {
    assert.is((e as { _tag: string })._tag, "CapabilityMissing")
    assert.is((e as { code: number }).code, 4)
    return (e as { log: string }).log
  }
  throw new Error("expected a refusal")
}

const P = "program:cyber1prog"
const send = (from: string, amount = "5", denom = "boot") => ({ from, to: "cyber1bob", amount: [{ denom, amount }] })

test("a principal acts only as itself: bank.send {from: self}", async () => {
  const s = await store()
  grantCapability(s, { principal: "program:*", capability: cap("bank", "send", ["from", "self"]) })
  const scope = { self: "cyber1prog", signers: [] }
  checkCapability(s, P, "bank", "send", send("cyber1prog"), scope)
  const log = refusal(() => checkCapability(s, P, "bank", "send", send("cyber1victim"), scope))
  assert.is(log, "capability refused: program:cyber1prog calls bank.send: bank.send {from: self} fails from: self: unauthorized")
  assert.match(refusal(() => checkCapability(s, P, "bank", "mint", {}, scope)), /program:cyber1prog holds no capability bank\.mint/)
})

test("caller: holds only for the principal whose call the machine serves, never without one", async () => {
  const s = await store()
  grantCapability(s, { principal: "machine:staking", capability: cap("bank", "send", ["from", "caller"]) })
  checkCapability(s, "machine:staking", "bank", "send", send("cyber1contract"), { self: "x", signers: [], caller: "cyber1contract" })
  const log = refusal(() => checkCapability(s, "machine:staking", "bank", "send", send("cyber1victim"), { self: "x", signers: ["cyber1victim"], caller: "cyber1contract" }))
  assert.is(log, "capability refused: machine:staking calls bank.send: bank.send {from: caller} fails from: caller: unauthorized")
  // a tx message's handle has no caller: the rule holds for no one (not even the empty field)
  refusal(() => checkCapability(s, "machine:staking", "bank", "send", send("cyber1contract"), { self: "x", signers: [] }))
  refusal(() => checkCapability(s, "machine:staking", "bank", "send", send(""), { self: "x", signers: [] }))
})

test("constraints: signer, eq, prefix over list elements, max; alternatives", async () => {
  const s = await store()
  grantCapability(s, { principal: "machine:auth", capability: cap("bank", "send", ["from", "signer"]) })
  checkCapability(s, "machine:auth", "bank", "send", send("cyber1a"), { self: "x", signers: ["cyber1a"] })
  refusal(() => checkCapability(s, "machine:auth", "bank", "send", send("cyber1a"), { self: "x", signers: [] }))
  grantCapability(s, { principal: "machine:ibc", capability: cap("bank", "mint", ["coins[].denom", "prefix", "ibc/"], ["coins[].amount", "max", "1000"]) })
  const mint = (...coins: Array<[string, string]>) => ({ address: "cyber1x", coins: coins.map(([denom, amount]) => ({ denom, amount })) })
  const scope = { self: "x", signers: [] }
  checkCapability(s, "machine:ibc", "bank", "mint", mint(["ibc/AB", "1000"], ["ibc/CD", "1"]), scope)
  assert.match(refusal(() => checkCapability(s, "machine:ibc", "bank", "mint", mint(["ibc/AB", "1"], ["boot", "1"]), scope)), /fails coins\[\]\.denom: prefix "ibc\/"/)
  assert.match(refusal(() => checkCapability(s, "machine:ibc", "bank", "mint", mint(["ibc/AB", "1001"]), scope)), /fails coins\[\]\.amount: max 1000/)
  // a second grant is an alternative: boot up to 10 as well
  grantCapability(s, { principal: "machine:ibc", capability: cap("bank", "mint", ["coins[].denom", "eq", "boot"], ["coins[].amount", "max", "10"]) })
  checkCapability(s, "machine:ibc", "bank", "mint", mint(["boot", "10"]), scope)
  const both = refusal(() => checkCapability(s, "machine:ibc", "bank", "mint", mint(["boot", "11"]), scope))
  assert.match(both, /fails coins\[\]\.denom: prefix "ibc\/"/)
  assert.match(both, /fails coins\[\]\.amount: max 10;|fails coins\[\]\.amount: max 10:/)
})

test("wildcard method, revoke, listing in key order", async () => {
  const s = await store()
  grantCapability(s, { principal: "authority:gov", capability: cap("bank", "*") })
  checkCapability(s, "authority:gov", "bank", "burn", {}, { self: "", signers: [] })
  assert.throws(() => validateCapability(cap("bank", "*", ["from", "self"])), /wildcard method takes no constraints/)
  grantCapability(s, { principal: "machine:bank", capability: cap("auth", "ensure-account") })
  grantCapability(s, { principal: "machine:bank", capability: cap("auth", "ensure-account") })
  assert.equal(listGrants(s).map((g) => `${g.principal} ${formatCapability(g.capability)}`), ["authority:gov bank.*", "machine:bank auth.ensure-account"])
  assert.ok(revokeCapability(s, { principal: "machine:bank", capability: cap("auth", "ensure-account") }))
  assert.not.ok(revokeCapability(s, { principal: "machine:bank", capability: cap("auth", "ensure-account") }))
  refusal(() => checkCapability(s, "machine:bank", "auth", "ensure-account", {}, { self: "", signers: [] }))
})

test("delegation may narrow, never widen", async () => {
  const s = await store()
  grantCapability(s, { principal: "machine:ibc", capability: cap("bank", "mint", ["coins[].denom", "prefix", "ibc/"], ["coins[].amount", "max", "100"]) })
  delegateCapability(s, "machine:ibc", "program:cyber1p", cap("bank", "mint", ["coins[].denom", "prefix", "ibc/AB"], ["coins[].amount", "max", "50"]))
  assert.match(refusal(() => delegateCapability(s, "machine:ibc", "program:cyber1q", cap("bank", "mint", ["coins[].amount", "max", "50"]))), /delegation refused/)
  refusal(() => delegateCapability(s, "machine:ibc", "program:cyber1q", cap("bank", "mint", ["coins[].denom", "prefix", "ibc/"], ["coins[].amount", "max", "101"])))
  refusal(() => delegateCapability(s, "program:cyber1nobody", "program:cyber1q", cap("bank", "balance")))
  assert.ok(attenuates(cap("bank", "*"), cap("bank", "send", ["from", "self"])))
  assert.not.ok(attenuates(cap("bank", "send", ["from", "self"]), cap("bank", "send")))
  assert.not.ok(attenuates(cap("bank", "send"), cap("graph", "send")))
})

test("canonical encoding: constraint order does not change the bytes; malformed bytes are typed errors", () => {
  const a = encodeConstraints([{ field: "b", op: "eq", value: "1" }, { field: "a", op: "self", value: "" }]).finish()
  const b = encodeConstraints([{ field: "a", op: "self", value: "" }, { field: "b", op: "eq", value: "1" }]).finish()
  assert.equal(a, b)
  assert.equal(decodeConstraints(a), [{ field: "a", op: "self", value: "" }, { field: "b", op: "eq", value: "1" }])
  assert.throws(() => decodeConstraints(Uint8Array.of(0xff, 0xff)), (e: unknown) => (e as { code: number }).code === 18)
})

test("genesis: round trip through export, and errors that name the entry", async () => {
  const s = await store()
  const grants: Grant[] = [
    { principal: "machine:auth", capability: cap("bank", "send", ["from", "signer"]) },
    { principal: "program:*", capability: cap("graph", "link", ["neuron", "self"]) }
  ]
  for (const g of parseCapabilitiesGenesis(JSON.parse(JSON.stringify({ grants })))) grantCapability(s, g)
  assert.equal(exportCapabilitiesGenesis(s).grants, grants)
  assert.throws(() => parseCapabilitiesGenesis({ grants: [{ principal: "machine:x" }] }), /grants\[0\]: needs principal/)
  assert.throws(() => grantCapability(s, { principal: "nobody:x", capability: cap("bank", "send") }), /invalid principal "nobody:x"/)
  assert.throws(() => grantCapability(s, { principal: "machine:x", capability: cap("bank", "send", ["from", "max", "ten"]) }), /max on from must be an unsigned integer/)
  assert.throws(() => grantCapability(s, { principal: "machine:x", capability: cap("bank", "send", ["from", "within" as never]) }), /unknown constraint rule "within"/)
})

test("self addresses: programs are their address, machines their module account", () => {
  assert.is(selfAddress(parsePrincipal("program:cyber1abc"), "cyber"), "cyber1abc")
  // x/auth fee_collector module account: the SDK's well-known address in this prefix
  assert.is(selfAddress(parsePrincipal("machine:fee_collector"), "cosmos"), "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta")
})

test.run()
