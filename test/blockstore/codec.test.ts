/**
 * The block store's own encoders write exactly what cosmjs-types writes: the results record
 * (ResultCodec.encodeResultsRecord against ResponseFinalizeBlock.encode), each stored tx
 * (encodeIndexedTx against TxResult.encode), and the tx result views read back from a record.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { ExecTxResult, ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import type { StoredBlockResults } from "../../chain/BlockStore.ts"
import { encodeIndexedTx, encodeResults, encodeTxResult, resultSlices } from "../../node/blockstore/internal/Codec.ts"
import { encodeResultsRecord } from "../../node/blockstore/internal/ResultCodec.ts"
import { makeResults, transferResult, utf8 } from "./fixtures/chain.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

const edge: ExecTxResult[] = [
  transferResult("cyber1alice", "cyber1bob", 7),
  transferResult("cyber1alice", "cyber1bob", 7, 5),
  // every field set, non-ASCII strings (2-, 3- and 4-byte UTF-8), long values, negative gas
  {
    code: 4_294_967_295, data: new Uint8Array([0, 1, 2, 255]), log: "naïve — 日本 🚀", info: "i".repeat(300),
    gasWanted: -1n, gasUsed: 9_223_372_036_854_775_807n, codespace: "sdk",
    events: [
      { type: "", attributes: [{ key: "", value: "", index: false }, { key: "k", value: "v".repeat(200), index: true }] },
      { type: "ünïcode", attributes: [] },
      { type: "coin_received", attributes: [{ key: "amount", value: "1boot,2🚀", index: true }, { key: "receiver", value: "x", index: false }] }
    ]
  },
  // all defaults: encodes to nothing
  { code: 0, data: new Uint8Array(), log: "", info: "", gasWanted: 0n, gasUsed: 0n, events: [], codespace: "" },
  { code: 128, data: new Uint8Array(200).fill(7), log: "", info: "", gasWanted: 16_384n, gasUsed: 2_097_152n, events: [], codespace: "" }
]

const blocks: StoredBlockResults[] = [
  makeResults(1, []),
  makeResults(2, edge),
  { ...makeResults(3, edge), events: [], appHash: new Uint8Array() },
  { ...makeResults(4, [edge[0]!]), validatorUpdates: [{ pubKey: { ed25519: new Uint8Array(32).fill(1) }, power: 10n }, { pubKey: { ed25519: new Uint8Array(32).fill(2) }, power: 0n }] },
  makeResults(5, Array.from({ length: 500 }, (_, i) => transferResult(`cyber1s${i}`, `cyber1r${i * 7919}`, i, i % 9 === 0 ? 5 : 0)))
]

test("the results record is byte for byte ResponseFinalizeBlock.encode", () => {
  for (const r of blocks) {
    const { record, txResults } = encodeResultsRecord(r)
    assert.is(hex(record), hex(encodeResults(r)), `height ${r.height}`)
    assert.is(txResults.length, r.txResults.length)
    txResults.forEach((b, i) => assert.is(hex(b), hex(ExecTxResult.encode(r.txResults[i]!).finish()), `height ${r.height} tx ${i}`))
    assert.equal(resultSlices(record).map(hex), txResults.map(hex), "the views read back from the record")
    assert.equal(ResponseFinalizeBlock.decode(record).txResults, r.txResults.map((t) => ExecTxResult.decode(ExecTxResult.encode(t).finish())))
  }
})

test("a stored tx is byte for byte TxResult.encode, built from the encoded result", () => {
  const r = encodeResultsRecord(makeResults(9, edge))
  edge.forEach((result, i) => {
    for (const [height, index, tx] of [[9, i, utf8(`tx${i}`)], [1, 0, utf8("x")], [2 ** 40, 70_000, new Uint8Array()]] as const) {
      assert.is(hex(encodeIndexedTx(height, index, tx, r.txResults[i]!)), hex(encodeTxResult({ height: BigInt(height), index, tx, result })))
    }
  })
})

test.run()
