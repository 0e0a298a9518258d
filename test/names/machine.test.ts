/**
 * The names machine on a real Application (test/machines/support/Chain.ts): who may register, mint,
 * set notes and transfer (an attack test for each refusal, state unchanged), name and note rules,
 * queries, node records read through the app's ABCI query, and CosmJS encoding of the messages.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Registry } from "@cosmjs/proto-signing"
import { Chain, makeKey, type Key } from "../machines/support/Chain.ts"
import { baseMachines } from "../machines/Fixture.ts"
import {
  MSG_REGISTER_URL, MSG_SET_NOTE_URL, MSG_TRANSFER_URL, MsgRegister, MsgSetNote, MsgTransfer, NameRecord, QUERY_NAMES_BY_OWNER, QUERY_NOTE, QUERY_RESOLVE,
  QueryNamesByOwnerRequest, QueryNamesByOwnerResponse, QueryNoteRequest, QueryNoteResponse, QueryResolveRequest
} from "../../modules/names/Messages.ts"
import { appNodeRecords, NamesReadError } from "../../modules/names/NodeRecord.ts"
import { parseNoteValue } from "../../modules/names/NoteValue.ts"
import { packageName } from "../../modules/names/NameRules.ts"
import { names, namesGenesis, register, setNote, transfer } from "./support.ts"

let alice: Key, bob: Key, carol: Key
const open = async (): Promise<Chain> => {
  alice ??= await makeKey("names alice")
  bob ??= await makeKey("names bob")
  carol ??= await makeKey("names carol")
  const chain = await Chain.open([...baseMachines(), names()])
  const coins = [{ denom: "boot", amount: "1000000000000" }]
  await chain.init({ auth: { accounts: [] }, bank: { balances: [alice, bob, carol].map((k) => ({ address: k.address, coins })) }, names: namesGenesis(alice.address) })
  return chain
}
const send = async (c: Chain, key: Key, msg: Parameters<Chain["sign"]>[1][number]) => c.tx(await c.sign(key, [msg]))
const resolve = async (c: Chain, name: string) => {
  const r = await c.query(QUERY_RESOLVE, QueryResolveRequest.encode({ name }).finish())
  return r.code === 0 ? NameRecord.decode(r.value) : { code: r.code, codespace: r.codespace, log: r.log }
}
const expectRefused = async (c: Chain, key: Key, msg: Parameters<Chain["sign"]>[1][number], code: number, text: RegExp) => {
  const before = c.dump("names")
  const r = await send(c, key, msg)
  assert.is(r.code, code, r.log)
  assert.is(r.codespace, "names", r.log)
  assert.match(r.log, text)
  assert.equal(c.dump("names"), before, "names state unchanged")
}

test("anyone registers a free name under the open zone; taken, zone and malformed names are refused", async () => {
  const c = await open()
  assert.is((await send(c, bob, register(bob.address, "bob.os"))).code, 0)
  assert.equal(await resolve(c, "bob.os"), { name: "bob.os", owner: bob.address, open: false, notes: [] })
  await expectRefused(c, carol, register(carol.address, "bob.os"), 3, /already registered/)
  await expectRefused(c, carol, register(carol.address, "carol"), 5, /zones are set at genesis/)
  await expectRefused(c, carol, register(carol.address, "Carol.os"), 2, /label "Carol"/)
  await expectRefused(c, carol, register(carol.address, "-x.os"), 2, /label "-x"/)
  await expectRefused(c, carol, register(carol.address, "a.b.c.d.e.f.g.h.os"), 2, /at most 8/)
  await expectRefused(c, carol, register(carol.address, "x.nozone"), 4, /parent "nozone"/)
  // a name may be registered for another owner
  assert.is((await send(c, carol, register(carol.address, "gift.os", bob.address))).code, 0)
  assert.is((await resolve(c, "gift.os") as NameRecord).owner, bob.address)
  await c.close()
})

test("attack: only the parent's owner mints sub-names (closed zone, deeper names under an open zone)", async () => {
  const c = await open()
  await expectRefused(c, bob, register(bob.address, "bob.sys"), 5, /does not own "sys"/) // sys is alice's, closed
  assert.is((await send(c, alice, register(alice.address, "app.sys", bob.address))).code, 0)
  assert.is((await send(c, bob, register(bob.address, "bob.os"))).code, 0)
  await expectRefused(c, carol, register(carol.address, "x.bob.os"), 5, /does not own "bob.os"/)
  assert.is((await send(c, bob, register(bob.address, "x.bob.os", carol.address))).code, 0)
  assert.is((await resolve(c, "x.bob.os") as NameRecord).owner, carol.address)
  await c.close()
})

test("attack: only the owner sets notes; note rules are checked; an empty value deletes", async () => {
  const c = await open()
  await send(c, bob, register(bob.address, "bob.os"))
  const key = new Uint8Array(32).fill(9)
  await expectRefused(c, carol, setNote(carol.address, "bob.os", "~net-key", key), 5, /does not own "bob.os"/)
  await expectRefused(c, carol, setNote(carol.address, "os", "~ip", Uint8Array.of(1, 2, 3, 4)), 5, /owner: none/)
  await expectRefused(c, bob, setNote(bob.address, "bob.os", "~net-key", new Uint8Array(31)), 6, /must be 32 bytes/)
  await expectRefused(c, bob, setNote(bob.address, "bob.os", "~tcp-port", Uint8Array.of(0, 0)), 6, /port 0/)
  await expectRefused(c, bob, setNote(bob.address, "bob.os", "~routers", new TextEncoder().encode("a.os,BAD")), 6, /label "BAD"/)
  await expectRefused(c, bob, setNote(bob.address, "bob.os", "net-key", key), 6, /must be ~/)
  await expectRefused(c, bob, setNote(bob.address, "bob.os", "~big", new Uint8Array(4097)), 6, /at most 4096/)
  await expectRefused(c, bob, setNote(bob.address, "nobody.os", "~ip", Uint8Array.of(1, 2, 3, 4)), 4, /not registered/)
  for (const [k, v] of [["~net-key", key], ["~ip", parseNoteValue("~ip", "10.0.0.7")], ["~tcp-port", parseNoteValue("~tcp-port", "4001")], ["~routers", parseNoteValue("~routers", "r1.os,r2.os")]] as const) {
    assert.is((await send(c, bob, setNote(bob.address, "bob.os", k, v))).code, 0, k)
  }
  const rec = await appNodeRecords(c.app)("bob.os")
  assert.equal(rec, { name: "bob.os", owner: bob.address, netKey: key, ip: "10.0.0.7", tcpPort: 4001, routers: ["r1.os", "r2.os"] })
  const q = await c.query(QUERY_NOTE, QueryNoteRequest.encode({ name: "bob.os", key: "~tcp-port" }).finish())
  assert.equal(QueryNoteResponse.decode(q.value).value, Uint8Array.of(0x0f, 0xa1))
  assert.is((await send(c, bob, setNote(bob.address, "bob.os", "~routers", new Uint8Array()))).code, 0)
  assert.equal((await appNodeRecords(c.app)("bob.os"))!.routers, [])
  const gone = await c.query(QUERY_NOTE, QueryNoteRequest.encode({ name: "bob.os", key: "~routers" }).finish())
  assert.is(gone.code, 8)
  assert.is(await appNodeRecords(c.app)("none.os"), undefined)
  try {
    await appNodeRecords(c.app)("Bad Name")
    assert.unreachable("a malformed name is refused")
  } catch (e) {
    assert.instance(e, NamesReadError)
  }
  await c.close()
})

test("a name holds at most 64 notes", async () => {
  const c = await open()
  await send(c, bob, register(bob.address, "bob.os"))
  for (let i = 0; i < 64; i += 16) {
    const msgs = Array.from({ length: 16 }, (_, j) => setNote(bob.address, "bob.os", `~k${i + j}`, Uint8Array.of(1)))
    assert.is((await c.tx(await c.sign(bob, msgs))).code, 0)
  }
  await expectRefused(c, bob, setNote(bob.address, "bob.os", "~one-more", Uint8Array.of(1)), 6, /already has 64 notes/)
  assert.is((await send(c, bob, setNote(bob.address, "bob.os", "~k3", Uint8Array.of(2)))).code, 0, "replacing a note is allowed")
  await c.close()
})

test("attack: only the owner transfers; after a transfer the old owner is locked out and names by owner follow", async () => {
  const c = await open()
  await send(c, bob, register(bob.address, "bob.os"))
  await send(c, bob, register(bob.address, "sub.bob.os"))
  await send(c, bob, setNote(bob.address, "bob.os", "~ip", Uint8Array.of(1, 2, 3, 4)))
  await expectRefused(c, carol, transfer(carol.address, "bob.os", carol.address), 5, /only the owner may transfer/)
  assert.is((await send(c, bob, transfer(bob.address, "bob.os", carol.address))).code, 0)
  await expectRefused(c, bob, setNote(bob.address, "bob.os", "~ip", Uint8Array.of(9, 9, 9, 9)), 5, /does not own/)
  await expectRefused(c, bob, register(bob.address, "new.bob.os"), 5, /does not own "bob.os"/)
  assert.is((await send(c, carol, setNote(carol.address, "bob.os", "~ip", Uint8Array.of(5, 6, 7, 8)))).code, 0)
  const byOwner = async (owner: string) => QueryNamesByOwnerResponse.decode((await c.query(QUERY_NAMES_BY_OWNER, QueryNamesByOwnerRequest.encode({ owner, startAfter: "", limit: 0 }).finish())).value).names
  assert.equal(await byOwner(bob.address), ["sub.bob.os"], "sub-names keep their owner")
  assert.equal(await byOwner(carol.address), ["bob.os"])
  assert.is((await resolve(c, "bob.os") as NameRecord).notes[0]!.value.join("."), "5.6.7.8")
  await c.close()
})

test("a transfer to a malformed address is refused with InvalidAddress, state unchanged", async () => {
  const c = await open()
  await send(c, bob, register(bob.address, "bob.os"))
  const before = c.dump("names")
  const r = await send(c, bob, transfer(bob.address, "bob.os", "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"))
  assert.is(r.code, 7, r.log)
  assert.equal(c.dump("names"), before)
  await c.close()
})

test("names by owner pages (limit, start_after, more) and refuses a page over 100", async () => {
  const c = await open()
  for (const n of ["a.os", "b.os", "c.os"]) await send(c, bob, register(bob.address, n))
  const page = async (startAfter: string, limit: number) => c.query(QUERY_NAMES_BY_OWNER, QueryNamesByOwnerRequest.encode({ owner: bob.address, startAfter, limit }).finish())
  assert.equal(QueryNamesByOwnerResponse.decode((await page("", 2)).value), { names: ["a.os", "b.os"], more: true })
  assert.equal(QueryNamesByOwnerResponse.decode((await page("b.os", 2)).value), { names: ["c.os"], more: false })
  const big = await page("", 101)
  assert.is(big.code, 18)
  await c.close()
})

test("CosmJS Registry encodes and decodes the three messages; package ids map to names", () => {
  const registry = new Registry([[MSG_REGISTER_URL, MsgRegister], [MSG_SET_NOTE_URL, MsgSetNote], [MSG_TRANSFER_URL, MsgTransfer]])
  const m = { owner: "cyber1x", name: "a.os", key: "~ip", value: Uint8Array.of(1, 2, 3, 4) }
  const any = registry.encodeAsAny({ typeUrl: MSG_SET_NOTE_URL, value: m })
  assert.equal(registry.decode(any), m)
  assert.equal(registry.decode(registry.encodeAsAny({ typeUrl: MSG_REGISTER_URL, value: { sender: "s", name: "n.os", owner: "" } })), { sender: "s", name: "n.os", owner: "" })
  assert.is(packageName("chess:alice.os"), "chess.alice.os")
  assert.throws(() => packageName("chess"), /name:publisher/)
})

test.run()
