/**
 * ICS-20 against hostile input (fast-check): any bytes as packet data or acknowledgement decode or
 * fail with the module's decode error, never anything else; packet data of any strings encodes to
 * JSON that parses back to the same fields; and on the real Application (core double), a
 * counterparty's packet with random denom, amount, receiver and memo never fails the relayer's tx
 * or escapes as an internal error: its ack is a success (the receiver got exactly the amount) or
 * an ibc-go error ack with every write of the receive rolled back.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import fc from "fast-check"
import { decodeAck, decodePacketData, packetDataBytes, PacketDataDecodeError } from "../../modules/ibc/apps/transfer/PacketData.ts"
import { ibcDenom, parseDenomTrace, parseGoInt } from "../../modules/ibc/apps/transfer/Denom.ts"
import { goSortedJson } from "../../modules/ibc/apps/transfer/internal/GoJson.ts"
import { makeWallet } from "../auth/support/Chain.ts"
import { incoming, msgRecv, msgTransfer, startIbcChain } from "./transfer-support.ts"

const { wallet, addresses } = await makeWallet(3)
const [alice, bob, relayer] = addresses as [string, string, string]
const text = (b: Uint8Array) => new TextDecoder().decode(b)

test("any bytes: packet data and ack decoders answer or refuse with their own error", () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
    for (const f of [decodePacketData, decodeAck]) {
      try {
        f(bytes)
      } catch (e) {
        if (!(e instanceof PacketDataDecodeError)) throw e
      }
    }
  }), { numRuns: 2000 })
  // JSON-shaped input too
  fc.assert(fc.property(fc.json({ maxDepth: 3 }), (json) => {
    try {
      decodePacketData(new TextEncoder().encode(json))
    } catch (e) {
      if (!(e instanceof PacketDataDecodeError)) throw e
    }
  }), { numRuns: 1000 })
})

test("packet data of any strings: Go-escaped, sorted, parses back to the same fields", () => {
  const field = fc.string({ unit: "binary", maxLength: 40 })
  fc.assert(fc.property(field, field, field, field, field, (denom, amount, sender, receiver, memo) => {
    // lone surrogates become U+FFFD as Go writes them; compare with that form
    const norm = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
    const d = { denom, amount, sender, receiver, memo }
    const bytes = packetDataBytes(d)
    const json = text(bytes)
    assert.not.match(json, /[<>&\u2028\u2029]/, "HTML-safe and JS-safe")
    const back = decodePacketData(bytes)
    assert.equal(back, { denom: norm(denom), amount: norm(amount), sender: norm(sender), receiver: norm(receiver), memo: norm(memo) })
    assert.equal(Object.keys(JSON.parse(json)), Object.keys(JSON.parse(json)).sort())
  }), { numRuns: 1000 })
  assert.is(goSortedJson({ b: "1", a: "2", é: "3", Z: "4" }), `{"Z":"4","a":"2","b":"1","é":"3"}`)
})

test("random counterparty packets: the relayer's tx succeeds; success acks pay exactly, error acks write nothing", async () => {
  const c = await startIbcChain({
    wallet,
    balances: [
      { address: alice, coins: [{ denom: "boot", amount: "10000000" }] },
      { address: bob, coins: [{ denom: "boot", amount: "1" }] },
      { address: relayer, coins: [{ denom: "boot", amount: "100000000" }] }
    ],
    channels: [["transfer/channel-0", { port: "transfer", channel: "channel-7" }]]
  })
  // some boot in escrow, so returning tokens can succeed
  assert.is((await c.tx(alice, [msgTransfer({ sender: alice, receiver: "x", denom: "boot", amount: "1000" })])).code, 0)
  const ibcState = () => [...c.chain.store.store("ibc").iterate()].map(([k, v]) => Buffer.from(k).toString("hex") + "=" + Buffer.from(v).toString("hex")).join(",")
  const denom = fc.oneof(
    fc.constantFrom("uatom", "transfer/channel-7/boot", "transfer/channel-7/nothere", "transfer/channel-3/uatom", "x", "transfer/", "a/b/c",
      "transfer/channel-7/transfer/channel-1/boot", "(p)/channel-1/u", "ibc/" + "AB".repeat(32), ""),
    fc.string({ maxLength: 30 })
  )
  const amount = fc.oneof(fc.constantFrom("1", "0", "-1", "0x10", "1_0", "99999999999", "1e3", "", (1n << 256n).toString(), "007"), fc.bigInt({ min: 1n, max: 5000n }).map(String))
  const receiver = fc.oneof(fc.constant(bob), fc.constantFrom("", "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a", "not-bech32", bob.toUpperCase()), fc.string({ maxLength: 20 }))
  const memo = fc.oneof(fc.constant(""), fc.string({ unit: "binary", maxLength: 50 }))
  let seq = 1n
  await fc.assert(fc.asyncProperty(denom, amount, receiver, memo, fc.boolean(), async (d, a, r, m, raw) => {
    const data = raw ? new TextEncoder().encode(goSortedJson({ denom: d, amount: a, receiver: r, sender: "cosmos1sender", memo: m })) : packetDataBytes({ denom: d, amount: a, sender: "cosmos1sender", receiver: r, memo: m })
    const before = ibcState()
    const voucher = ibcDenom(parseDenomTrace(`transfer/channel-0/${d}`))
    const target = d.startsWith("transfer/channel-7/") ? d.slice("transfer/channel-7/".length) : voucher
    const had = await c.balance(bob, target)
    const res = await c.tx(relayer, [msgRecv(incoming(data, { sequence: seq++ }), relayer)], "2000000")
    assert.is(res.code, 0, `relayer tx failed: ${res.log}`)
    const ack = c.ibc.acks.at(-1)!
    const ackText = text(ack.bytes)
    if (ack.success) {
      assert.is(ackText, `{"result":"AQ=="}`)
      assert.is(r.toLowerCase(), bob, "only bob (bech32 in either case) receives")
      assert.is(await c.balance(bob, target), had + parseGoInt(a)!, `${d} ${a}`)
    } else {
      assert.match(ackText, /^\{"error":"ABCI code: \d+: error handling packet: see events for details"\}$/)
      assert.is.not(ackText, `{"error":"ABCI code: 11: error handling packet: see events for details"}`, "out of gas is never an ack")
      assert.is(ibcState(), before, `${d} ${a} ${r}: a failed receive wrote transfer state`)
      assert.is(await c.balance(bob, target), had)
    }
  }), { numRuns: 120 })
})

test.run()
