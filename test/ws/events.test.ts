/**
 * Unit tests of the event pieces: the EventBus (bounded queues, delivery after publish returns,
 * cancel on overflow and on close), cometEventsOf (CometBFT's events of one block: order, failed
 * txs, validator updates, attribute maps) with their JSON, and pubsub query matching.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { createHash } from "node:crypto"
import { ExecTxResult, ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import { EventBus, OUT_OF_CAPACITY, type CommittedBlock } from "../../modules/consensus/EventBus.ts"
import { cometEventsOf } from "../../modules/consensus/Events.ts"
import { matchesEvents, parseTxQuery } from "../../node/blockstore/TxQuery.ts"
import { eventAttributesText, eventDataText } from "../../node/rpc/internal/EventJson.ts"
import { makeBlock, utf8 } from "../blockstore/fixtures/chain.ts"

const t = suite("events")
const require256 = (x: string | Uint8Array) => createHash("sha256").update(typeof x === "string" ? utf8(x) : x).digest()
const turn = () => new Promise((r) => setImmediate(r))

const committed = (height: number): CommittedBlock => {
  const block = makeBlock(height, [utf8("ok-tx"), utf8("bad-tx")])
  return {
    block,
    blockId: { hash: block.hash, partSetHeader: { total: 1, hash: new Uint8Array(32) } },
    finalize: ResponseFinalizeBlock.fromPartial({
      txResults: [
        ExecTxResult.fromPartial({ code: 0, gasUsed: 5n, events: [
          { type: "transfer", attributes: [{ key: "recipient", value: "cyber1a", index: true }, { key: "amount", value: "30boot", index: false }] },
          { type: "transfer", attributes: [{ key: "recipient", value: "cyber1b", index: true }] }
        ] }),
        ExecTxResult.fromPartial({ code: 5, log: "insufficient funds", codespace: "bank" })
      ],
      events: [{ type: "mint", attributes: [{ key: "amount", value: "100", index: true }] }],
      validatorUpdates: [{ pubKey: { ed25519: new Uint8Array(32).fill(3) }, power: 7n }],
      appHash: new Uint8Array(32).fill(9)
    })
  }
}

t("EventBus: delivery after publish returns, in order; unsubscribe stops it", async () => {
  const bus = new EventBus()
  const got: number[] = []
  const sub = bus.subscribeBlocks({ onBlock: (b) => got.push(Number(b.block.header.height)) })
  bus.publish(committed(1))
  bus.publish(committed(2))
  assert.equal(got, [], "nothing runs inside publish")
  await turn()
  assert.equal(got, [1, 2])
  sub.unsubscribe()
  bus.publish(committed(3))
  await turn()
  assert.equal(got, [1, 2])
  assert.is(bus.size(), 0)
})

t("EventBus: a subscriber past its capacity is canceled; a throwing one too; close cancels the rest", async () => {
  const bus = new EventBus()
  const reasons: string[] = []
  bus.subscribeBlocks({ onBlock: () => undefined, onCancel: (r) => reasons.push(`slow:${r}`) }, 2)
  bus.subscribeBlocks({ onBlock: () => { throw new Error("boom") }, onCancel: (r) => reasons.push(`throws:${r}`) })
  const fine: number[] = []
  bus.subscribeBlocks({ onBlock: (b) => fine.push(Number(b.block.header.height)), onCancel: (r) => reasons.push(`fine:${r}`) })
  for (let h = 1; h <= 3; h++) bus.publish(committed(h))
  assert.equal(reasons, [`slow:${OUT_OF_CAPACITY}`], "the third block overflows a queue of 2")
  await turn()
  assert.equal(reasons, [`slow:${OUT_OF_CAPACITY}`, "throws:boom"])
  assert.equal(fine, [1, 2, 3])
  bus.close()
  assert.equal(reasons.at(-1), "fine:node stopped")
  assert.is(bus.size(), 0)
})

t("EventBus: close delivers what is queued, then cancels", async () => {
  const bus = new EventBus()
  const seen: string[] = []
  bus.subscribeBlocks({ onBlock: (b) => seen.push(`block ${b.block.header.height}`), onCancel: (r) => seen.push(`cancel ${r}`) })
  bus.publish(committed(1))
  bus.close()
  bus.publish(committed(2))
  await turn()
  assert.equal(seen, ["block 1", "cancel node stopped"])
  const late: string[] = []
  bus.subscribeBlocks({ onBlock: () => late.push("block"), onCancel: (r) => late.push(r) })
  await turn()
  assert.equal(late, ["node stopped"], "a subscription after close is canceled at once")
})

t("cometEventsOf: CometBFT's order, failed txs included, attribute maps, validator updates", () => {
  const evs = cometEventsOf(committed(4))
  assert.equal(evs.map((e) => e.type), ["NewBlock", "NewBlockHeader", "NewBlockEvents", "Tx", "Tx", "ValidatorSetUpdates"])
  const ok = evs[3]!
  assert.equal([...ok.attributes.entries()], [
    ["transfer.recipient", ["cyber1a", "cyber1b"]],
    ["transfer.amount", ["30boot"]],
    ["tm.event", ["Tx"]],
    ["tx.hash", [Buffer.from(require256("ok-tx")).toString("hex").toUpperCase()]],
    ["tx.height", ["4"]]
  ])
  const failed = evs[4]!
  assert.is(failed.type === "Tx" && failed.result.code, 5)
  assert.equal(evs[0]!.attributes.get("mint.amount"), ["100"])
  assert.equal(evs[1]!.attributes.get("mint.amount"), undefined, "the header event carries no block events")

  const tx = JSON.parse(eventDataText(failed))
  assert.is(tx.type, "tendermint/event/Tx")
  assert.equal(Object.keys(tx.value.TxResult), ["height", "index", "tx", "result"])
  assert.is(tx.value.TxResult.index, 1)
  assert.is(tx.value.TxResult.result.codespace, "bank")
  const vals = JSON.parse(eventDataText(evs[5]!))
  assert.equal(vals, { type: "tendermint/event/ValidatorSetUpdates", value: { validator_updates: [{
    address: Buffer.from(require256(new Uint8Array(32).fill(3))).subarray(0, 20).toString("hex").toUpperCase(),
    pub_key: { type: "tendermint/PubKeyEd25519", value: Buffer.from(new Uint8Array(32).fill(3)).toString("base64") },
    voting_power: "7", proposer_priority: "0"
  }] } })
  const nb = JSON.parse(eventDataText(evs[0]!)).value
  assert.equal(Object.keys(nb), ["block", "block_id", "result_finalize_block"])
  assert.equal(Object.keys(nb.result_finalize_block), ["events", "tx_results", "validator_updates", "app_hash"])
  assert.is(nb.block.header.height, "4")
  assert.equal(JSON.parse(eventAttributesText(ok)), { "tm.event": ["Tx"], "transfer.amount": ["30boot"], "transfer.recipient": ["cyber1a", "cyber1b"], "tx.hash": ok.attributes.get("tx.hash"), "tx.height": ["4"] })
  const nbe = JSON.parse(eventDataText(evs[2]!)).value
  assert.equal(nbe.num_txs, "2")
  assert.is(nbe.height, "4")
})

t("matchesEvents: any value matches, numeric prefixes, type-only keys, empty maps", () => {
  const ok = cometEventsOf(committed(4))[3]!.attributes
  const m = (q: string, ev = ok) => matchesEvents(parseTxQuery(q), ev)
  assert.ok(m("tm.event='Tx' AND transfer.recipient='cyber1b'"), "second value of a repeated attribute")
  assert.not.ok(m("tm.event='NewBlock'"))
  assert.ok(m("transfer.amount>=30 AND transfer.amount<31"), "30boot compares as 30")
  assert.not.ok(m("transfer.amount>30"))
  assert.ok(m("tx.height=4 AND tx.height>3.5"))
  assert.ok(m("transfer EXISTS"), "a key naming an event type")
  assert.not.ok(m("transfer.sender EXISTS"))
  assert.ok(m("transfer.recipient CONTAINS 'yber1'"))
  assert.ok(m(`tx.hash='${ok.get("tx.hash")![0]!.toLowerCase()}'`))
  assert.not.ok(m("tm.event EXISTS", new Map()), "an empty map matches nothing")
  const neg = new Map([["x.n", ["-5"]]])
  assert.not.ok(m("x.n<0", neg), "as CometBFT: a value with no leading digit is not a number")
})

t.run()
