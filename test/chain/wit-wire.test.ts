/**
 * The machine-interface codec runtime (chain/internal/WitWire.ts) after the hot-path work of issue
 * 15 item 3: the pooled writer must give exactly the bytes cosmjs-types' BinaryWriter gives (the
 * bytes are capability-checked and cross the call boundary), and the reader that reads nested
 * records in place must decode and refuse exactly as before (errors name record and field).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { BinaryWriter } from "cosmjs-types/binary"
import { SendRequest, type Coin } from "../../chain/generated/bank.ts"
import { DeliverRequest } from "../../chain/generated/cyberwasm.ts"
import { SearchResponse } from "../../chain/generated/graph.ts"
import { ListChannelsResponse, SendPacketRequest } from "../../chain/generated/ibc.ts"
import type { RecordCodec } from "../../chain/internal/WitWire.ts"
import { callAs, makeWallet, TestChain } from "../auth/support/Chain.ts"

/** The bytes cosmjs-types' own writer gives for `m` (what encode gave before the pooled writer). */
const reference = <T>(codec: RecordCodec<T>, m: T): Uint8Array => {
  const w = BinaryWriter.create()
  codec.write(m, w)
  return w.finish()
}
const same = <T>(codec: RecordCodec<T>, m: T, what: string) => {
  const got = codec.encode(m)
  assert.equal(Buffer.from(got).toString("hex"), Buffer.from(reference(codec, m)).toString("hex"), what)
  assert.equal(got.byteOffset, 0, "an exact-size buffer of its own")
  assert.equal(got.buffer.byteLength, got.length)
  return got
}

// a deterministic generator (tests must not depend on Math.random's seed)
let seed = 12345
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed % n
}
const text = (n: number, alphabet: ReadonlyArray<string>) => Array.from({ length: n }, () => alphabet[rnd(alphabet.length)]).join("")
const ASCII = [..."abcdefghijklmnopqrstuvwxyz0123456789/:_-. ~\u007f"]
const WIDE = [..."aé€😀\u0800\uffff"] // code points: no lone surrogates

test("the pooled writer gives BinaryWriter's bytes: strings, nested lists, u64, bytes, lengths across varint sizes", () => {
  for (let i = 0; i < 300; i++) {
    const coins: Coin[] = Array.from({ length: rnd(4) }, () => ({ denom: text(rnd(20), ASCII), amount: String(rnd(1e9)) }))
    const m = { from: text(rnd(70), ASCII), to: text(rnd(200), i % 7 === 0 ? WIDE : ASCII), amount: coins }
    const bytes = same(SendRequest, m, `send-request ${i}`)
    assert.equal(SendRequest.decode(bytes), m)
  }
  // nested records whose length needs 1, 2 and 3 varint bytes (the reserved length byte widens)
  for (const len of [0, 1, 127, 128, 300, 16_383, 16_384, 70_000]) {
    const m = { result: [{ particle: "Q".repeat(len), rank: 1n }, { particle: "x", rank: 0n }], pagination: { total: len } }
    assert.equal(SearchResponse.decode(same(SearchResponse, m, `nested of ${len}`)), m)
  }
  // u64 at the edges, bytes of every size class, a nested non-optional record
  for (const ts of [0n, 1n, 127n, 128n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n]) {
    const m = { sourcePort: "transfer", sourceChannel: "channel-0", timeoutHeight: { revisionNumber: ts, revisionHeight: 5n }, timeoutTimestamp: ts, data: Uint8Array.from({ length: rnd(400) }, (_, i) => i) }
    const bytes = same(SendPacketRequest, m, `u64 ${ts}`)
    // [2^31, 2^32) included: cosmjs-types 0.11's writer is corrected there (lib/ProtobufVarint.ts)
    assert.equal(SendPacketRequest.decode(bytes).timeoutTimestamp, ts)
  }
  same(DeliverRequest, { message: new Uint8Array(200_000).fill(7) }, "a large bytes field grows the pooled buffer")
  same(ListChannelsResponse, { channels: Array.from({ length: 50 }, (_, i) => ({ channelId: `channel-${i}`, ordering: "ORDER_UNORDERED", counterpartyPortId: "p", counterpartyChannelId: "c", connectionId: "", version: "ics20-1" })) }, "many nested records")
})

test("what the pooled writer does not cover takes cosmjs-types' path: lone surrogates, u64 refusals", () => {
  // a lone surrogate: cosmjs-types' UTF-8 writer decides its bytes; the same bytes as before
  same(SendRequest, { from: "a\ud800b", to: "\udc00", amount: [{ denom: "é", amount: "1" }] }, "lone surrogates")
  assert.throws(() => SendPacketRequest.encode({ sourcePort: "", sourceChannel: "", timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n }, timeoutTimestamp: 2n ** 64n, data: new Uint8Array() }), /does not fit u64/)
  // after a refusal the pooled writer is free again and starts from an empty buffer
  same(SendRequest, { from: "a", to: "b", amount: [] }, "after a refusal")
})

test("nested records read in place: malformed input is refused naming the nested record and field", () => {
  const good = SendRequest.encode({ from: "a", to: "b", amount: [{ denom: "boot", amount: "5" }] })
  // the coin's amount field claims more bytes than the coin has (the outer record has them)
  const bad = Uint8Array.from(good)
  const coinStart = bad.indexOf(26) // tag of amount (field 3, wire type 2)
  bad[coinStart + 1 + 1 + 1 + 1 + 4 + 1] = 30 // amount length inside the coin
  assert.throws(() => SendRequest.decode(bad), (e: { log: string; code: number }) => e.code === 18 && /malformed send-request: coin\.amount: length 30 exceeds the 1 bytes left/.test(e.log))
  // an unknown field inside the nested record names the nested record
  const unknown = Uint8Array.of(26, 2, 0x20, 0x01)
  assert.throws(() => SendRequest.decode(unknown), (e: { log: string }) => /coin: unknown field number 4/.test(e.log))
  // after a nested record the outer record's fields read on
  const after = Uint8Array.of(26, 6, 10, 4, 98, 111, 111, 116, 10, 1, 97)
  assert.equal(SendRequest.decode(after), { from: "a", to: "", amount: [{ denom: "boot", amount: "" }] })
})

test("through the executor: a machine spends only as itself, whatever the body's encoding path", async () => {
  const { addresses } = await makeWallet(2)
  const [alice, bob] = addresses as [string, string]
  const chain = await TestChain.start({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000" }] }] })
  const selfOnly = { principal: "machine:graph", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "self" as const, value: "" }] } }
  const balance = async (a: string) => (await chain.queryClient().bank.balance(a, "boot")).amount
  // alice's coins by the graph machine: refused before bank runs, for an ASCII body (pooled
  // writer) and for one with non-ASCII text (cosmjs-types' writer) alike
  for (const denom of ["boot", "bööt"]) {
    const body = SendRequest.encode({ from: alice, to: bob, amount: [{ denom, amount: "5" }] })
    assert.throws(() => callAs(chain, [selfOnly], "machine:graph", { target: "bank", method: "send", body }), (e: { code: number; log: string }) =>
      e.code === 4 && /capability refused: machine:graph calls bank\.send: bank\.send \{from: self\} fails from: self/.test(e.log))
  }
  // a body that decodes to something else than its bytes claim: refused as malformed, nothing moves
  const good = SendRequest.encode({ from: alice, to: bob, amount: [{ denom: "boot", amount: "5" }] })
  assert.throws(() => callAs(chain, [selfOnly], "machine:graph", { target: "bank", method: "send", body: good.subarray(0, good.length - 1) }), (e: { code: number }) => e.code === 18)
  assert.is(await balance(alice), "1000")
  assert.is(await balance(bob), "0")
})

test.run()
