/**
 * ExecContext.execute and the system authority messages (chain/Authority.ts) on a real Application:
 * a test machine holding `authority.execute` runs messages as the governance authority in its
 * endBlock (what x/gov does with a passed proposal). Checks: messages run as the gov account and
 * nothing else, all-or-nothing, only a holder of the capability may execute, authority messages
 * are not routable in a transaction, halt/remove/activate take effect from the next block.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { toBech32 } from "@cosmjs/encoding"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { Application } from "../../chain/Application.ts"
import { authorityMsgFromJSON, authorityMsgToJSON, AuthorityTypeUrl, encodeAuthorityMsg, MAX_GENESIS_JSON_BYTES } from "../../chain/Authority.ts"
import { CAPABILITIES_NAMESPACE, listGrants, type Grant } from "../../chain/Capabilities.ts"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { machineCodeHash, readRecord, REGISTRY_NAMESPACE } from "../../chain/Registry.ts"
import { toHex } from "../../lib/Bytes.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import { MSG_ADD_NOTE, NOTES_QUERY, NotesMachine, U64Codec } from "../machines/example/Notes.ts"
import { appState, block, CHAIN_ID, initChain, makeKeys } from "../registry/registryChain.ts"
import { EXECUTE_GRANT as EXECUTE, ExecMachine } from "../support/ExecMachine.ts"

const GOV = toBech32("cyber", moduleAccountBytes("gov"))

const send = (from: string, to: string, amount: string): Any => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgSend",
  value: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom: "boot", amount }] }).finish()
})

const setup = async (grants: ReadonlyArray<Grant> = [EXECUTE]) => {
  const keys = await makeKeys(2)
  const exec = new ExecMachine(grants)
  const auth = new AuthMachine({ minGasPrices: "0.001boot" })
  const notes = new NotesMachine()
  const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: Application.namespaces() })
  const app = new Application({ chainId: CHAIN_ID, store, machines: [auth, new BankMachine({}), notes, exec], pipeline: auth })
  const state = appState(keys)
  const bank = state.bank as { balances: Array<{ address: string; coins: unknown[] }> }
  bank.balances.push({ address: GOV, coins: [{ denom: "boot", amount: "1000" }] })
  await initChain(app, state)
  let height = 0
  const next = async () => block(app, ++height)
  const balance = async (address: string) => {
    const r = await app.query({ path: "/cosmos.bank.v1beta1.Query/Balance", data: QueryBalanceRequest.encode({ address, denom: "boot" }).finish(), height: 0n, prove: false })
    return BigInt(QueryBalanceResponse.decode(r.value).balance?.amount ?? "0")
  }
  return { app, store, exec, keys, next, balance, height: () => height }
}

test("execute runs messages as the gov account; a second failing message reverts the first", async () => {
  const { exec, keys, next, balance } = await setup()
  const bob = keys[1]!.address
  await next()
  exec.pending = [send(GOV, bob, "100")]
  await next()
  assert.ok(exec.outcome?.ok, JSON.stringify(exec.outcome))
  assert.is(await balance(GOV), 900n)
  const bobBefore = await balance(bob)
  // message 1 is signed by someone else: nothing of message 0 sticks
  exec.pending = [send(GOV, bob, "100"), send(keys[0]!.address, bob, "5")]
  await next()
  assert.equal(exec.outcome && !exec.outcome.ok && exec.outcome.tag, "Unauthorized")
  assert.match((exec.outcome as { log: string }).log, /^message 1 \(\/cosmos\.bank\.v1beta1\.MsgSend\): expected the governance authority/)
  assert.is(await balance(GOV), 900n)
  assert.is(await balance(bob), bobBefore)
  // a message of an unknown type is named
  exec.pending = [{ typeUrl: "/nope.v1.Msg", value: new Uint8Array() }]
  await next()
  assert.equal(exec.outcome && !exec.outcome.ok && exec.outcome.tag, "UnknownRequest")
})

test("only a principal holding authority.execute may execute", async () => {
  const { exec, keys, next, balance } = await setup([])
  await next()
  exec.pending = [send(GOV, keys[1]!.address, "100")]
  await next()
  assert.equal(exec.outcome && !exec.outcome.ok && exec.outcome.tag, "CapabilityMissing")
  assert.match((exec.outcome as { log: string }).log, /machine:exec holds no capability authority\.execute/)
  assert.is(await balance(GOV), 1000n)
})

test("authority messages: grant and revoke; refused transitions; JSON round trip; not routable in a tx", async () => {
  const { exec, store, next, app } = await setup()
  await next()
  const grant: Grant = { principal: "program:*", capability: { interface: "notes", method: "count", constraints: [] } }
  exec.pending = [encodeAuthorityMsg({ kind: "grant", authority: GOV, grant })]
  await next()
  assert.ok(exec.outcome?.ok, JSON.stringify(exec.outcome))
  assert.equal(listGrants(store.store(CAPABILITIES_NAMESPACE), "program:*").filter((g) => g.capability.interface === "notes").length, 1)
  exec.pending = [encodeAuthorityMsg({ kind: "revoke", authority: GOV, grant })]
  await next()
  assert.ok(exec.outcome?.ok)
  assert.equal(listGrants(store.store(CAPABILITIES_NAMESPACE), "program:*").filter((g) => g.capability.interface === "notes").length, 0)
  exec.pending = [encodeAuthorityMsg({ kind: "revoke", authority: GOV, grant })]
  await next()
  assert.match((exec.outcome as { log: string }).log, /does not hold notes\.count/)
  for (const name of ["auth", "gov"]) {
    exec.pending = [encodeAuthorityMsg({ kind: "halt", authority: GOV, name })]
    await next()
    assert.match((exec.outcome as { log: string }).log, /cannot be halted or removed/)
  }
  // another authority in the message is refused
  exec.pending = [encodeAuthorityMsg({ kind: "halt", authority: toBech32("cyber", new Uint8Array(20)), name: "notes" })]
  await next()
  assert.equal(exec.outcome && !exec.outcome.ok && exec.outcome.tag, "Unauthorized")
  // an activation's genesis is bounded (1 MiB), and its height must be ahead of the chain
  const big = { kind: "activate" as const, authority: GOV, name: "notes", version: "0.1.0", codeHash: new Uint8Array(32), height: 1_000n, grants: [], genesisJson: JSON.stringify({ notes: "x".repeat(MAX_GENESIS_JSON_BYTES) }) }
  exec.pending = [encodeAuthorityMsg(big)]
  await next()
  assert.match((exec.outcome as { log: string }).log, /genesis_json over 1048576 bytes/)
  exec.pending = [encodeAuthorityMsg({ ...big, genesisJson: "", height: 1n })]
  await next()
  assert.match((exec.outcome as { log: string }).log, /height 1 must be above the current block/)
  // JSON form round-trips
  const json = { "@type": AuthorityTypeUrl.activate, authority: GOV, name: "hello", version: "0.1.0", code_hash: "ab".repeat(32), height: "40", grants: [], genesis: { a: [1, "x"] } }
  assert.equal(authorityMsgToJSON(authorityMsgFromJSON(json)), json)
  // in an ordinary transaction an authority message has no route (the tx is refused as unknown)
  for (const url of Object.values(AuthorityTypeUrl)) assert.is(app.router.msg(url), undefined)
})

test("halt, remove and re-activate a machine: each from the next block", async () => {
  const { exec, store, next, app, height } = await setup()
  await next()
  const count = async () => {
    const r = await app.query({ path: NOTES_QUERY + "Count", data: new Uint8Array(), height: 0n, prove: false })
    return r.code === 0 ? U64Codec.decode(r.value) : `code ${r.code}`
  }
  // a note through the notes machine's own call (genesis state is empty): use onCall via a grant? simpler: write through halt/remove effects on the namespace
  const ns = () => store.store("notes")
  ns().set(new TextEncoder().encode("probe"), new Uint8Array([1]))
  await next()
  assert.is(await count(), 0n)
  exec.pending = [encodeAuthorityMsg({ kind: "halt", authority: GOV, name: "notes" })]
  await next()
  assert.ok(exec.outcome?.ok, JSON.stringify(exec.outcome))
  assert.is(readRecord(store.store(REGISTRY_NAMESPACE), "notes")?.status, "halted")
  await next() // the halt takes effect at the start of this block
  assert.is(await count(), "code 6")
  assert.ok(ns().get(new TextEncoder().encode("probe")), "a halted machine keeps its state")
  exec.pending = [encodeAuthorityMsg({ kind: "remove", authority: GOV, name: "notes" })]
  await next()
  assert.ok(exec.outcome?.ok, JSON.stringify(exec.outcome))
  assert.is(ns().get(new TextEncoder().encode("probe")), undefined, "a removed machine's namespace is emptied")
  assert.equal(listGrants(store.store(CAPABILITIES_NAMESPACE), "machine:notes"), [])
  const h = height() + 3
  const notes = new NotesMachine()
  exec.pending = [encodeAuthorityMsg({
    kind: "activate", authority: GOV, name: "notes", version: notes.version, codeHash: machineCodeHash(notes), height: BigInt(h),
    grants: notes.grants, genesisJson: JSON.stringify({ notes: [{ author: GOV, text: "back" }] })
  })]
  await next()
  assert.ok(exec.outcome?.ok, JSON.stringify(exec.outcome))
  assert.is(readRecord(store.store(REGISTRY_NAMESPACE), "notes")?.status, "scheduled")
  while (height() < h - 1) await next()
  assert.is(await count(), "code 6")
  await next()
  assert.is(await count(), 1n)
  assert.is(readRecord(store.store(REGISTRY_NAMESPACE), "notes")?.status, "active")
  assert.is(toHex(readRecord(store.store(REGISTRY_NAMESPACE), "notes")!.codeHash), toHex(machineCodeHash(notes)))
  void MSG_ADD_NOTE
})

test("an activation whose genesis the machine refuses fails the activation, not the chain", async () => {
  const { exec, store, next, height } = await setup()
  await next()
  exec.pending = [encodeAuthorityMsg({ kind: "remove", authority: GOV, name: "notes" })]
  await next()
  const notes = new NotesMachine()
  const h = height() + 2
  exec.pending = [encodeAuthorityMsg({
    kind: "activate", authority: GOV, name: "notes", version: notes.version, codeHash: machineCodeHash(notes), height: BigInt(h),
    grants: [], genesisJson: JSON.stringify({ notes: [{ author: "not-an-address", text: "x" }] })
  })]
  await next()
  assert.ok(exec.outcome?.ok, JSON.stringify(exec.outcome))
  const res = await next()
  assert.is(height(), h)
  const failed = res.events.find((e) => e.type === "machine_activation_failed")
  assert.ok(failed, "an event reports the failed activation")
  assert.match(failed!.attributes.find((a) => a.key === "error")!.value, /invalid author/)
  assert.is(readRecord(store.store(REGISTRY_NAMESPACE), "notes")?.status, "removed")
  await next()
})

test.run()
