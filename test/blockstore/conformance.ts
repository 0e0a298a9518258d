/**
 * Shared conformance suite for chain/BlockStore.ts implementations: ordering rules, reads by
 * height and hash, results, tx index and tx_search semantics, atomicity of refused saves.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import type { BlockStore, StoredBlock } from "../../chain/BlockStore.ts"
import type { IndexingBlockStore } from "../../node/blockstore/index.ts"
import { makeBlock, makeResults, sha256, transferResult, utf8, hexU } from "./fixtures/chain.ts"

const ALICE = "cyber1alice"
const BOB = "cyber1bob"
const CAROL = "cyber1carol"

/**
 * Wait until the store's tx index has every saved height (the LevelDB and memory stores index
 * after the results are saved; a store without `whenIndexed` indexes with them).
 */
export const indexed = async (store: BlockStore): Promise<void> => {
  await (store as Partial<IndexingBlockStore>).whenIndexed?.(store.resultsHeight())
}

/** Fill a store with 5 blocks: block h has h-1 txs (block 1 empty); results for all. */
export const fill = async (store: BlockStore): Promise<StoredBlock[]> => {
  const blocks: StoredBlock[] = []
  for (let h = 1; h <= 5; h++) {
    const txs = Array.from({ length: h - 1 }, (_, i) => utf8(`tx-${h}-${i}`))
    const b = makeBlock(h, txs, blocks[h - 2])
    await store.saveBlock(b)
    blocks.push(b)
    const results = txs.map((_, i) => (h === 4 && i === 2 ? transferResult(CAROL, ALICE, 999, 5) : transferResult(i % 2 === 0 ? ALICE : BOB, i % 2 === 0 ? BOB : CAROL, h * 10 + i)))
    await store.saveResults(makeResults(h, results))
  }
  await indexed(store)
  return blocks
}

/** Register the conformance tests for one implementation. */
export const conformance = (name: string, open: () => Promise<BlockStore>) => {
  const t = suite(`BlockStore conformance: ${name}`)

  t("empty store reports zero heights and finds nothing", async () => {
    const s = await open()
    assert.is(s.height(), 0)
    assert.is(s.resultsHeight(), 0)
    assert.is(await s.block(1), undefined)
    assert.is(await s.tx(new Uint8Array(32)), undefined)
    assert.equal((await s.searchTxs("tx.height>0", 1, 30, "asc")).totalCount, 0)
    await s.close()
  })

  t("blocks round-trip by height and by hash; results by height", async () => {
    const s = await open()
    const blocks = await fill(s)
    assert.is(s.height(), 5)
    assert.is(s.base(), 1)
    assert.is(s.resultsHeight(), 5)
    for (const b of blocks) {
      const got = await s.block(Number(b.header.height))
      assert.ok(got)
      assert.equal(got!.header, b.header)
      assert.equal(got!.hash, b.hash)
      assert.equal(got!.txs.map(hexU), b.txs.map(hexU))
      assert.equal(got!.lastCommit.signatures.length, b.lastCommit.signatures.length)
      const byHash = await s.blockByHash(b.hash)
      assert.is(Number(byHash!.header.height), Number(b.header.height))
    }
    const r = await s.results(4)
    assert.is(r!.txResults.length, 3)
    assert.is(r!.txResults[2]!.code, 5)
    assert.is(r!.events[0]!.type, "mint")
    assert.equal(r!.appHash, sha256(utf8("app-4")))
    assert.is(await s.block(6), undefined)
    assert.is(await s.results(0), undefined)
    assert.is(await s.blockByHash(new Uint8Array(32)), undefined)
    await s.close()
  })

  t("out-of-order and inconsistent saves are refused and change nothing", async () => {
    const s = await open()
    const b1 = makeBlock(1, [utf8("a")])
    await s.saveBlock(b1)
    let err: unknown
    try { await s.saveBlock(makeBlock(3, [])) } catch (e) { err = e }
    assert.is((err as { _tag?: string })._tag, "BlockStoreError")
    assert.match(String((err as Error).message), /expected height 2, got 3/)
    err = undefined
    try { await s.saveResults(makeResults(1, [])) } catch (e) { err = e }
    assert.match(String((err as Error).message), /1 txs but 0 results/)
    err = undefined
    try { await s.saveResults(makeResults(2, [])) } catch (e) { err = e }
    assert.match(String((err as Error).message), /expected results for height 1, got 2/)
    assert.is(s.height(), 1)
    assert.is(s.resultsHeight(), 0)
    // A saved block is invisible to tx until its results are saved.
    assert.is(await s.tx(sha256(utf8("a"))), undefined)
    await s.saveResults(makeResults(1, [transferResult(ALICE, BOB, 1)]))
    await indexed(s)
    assert.is((await s.tx(sha256(utf8("a"))))!.height, 1)
    await s.close()
  })

  t("tx by hash", async () => {
    const s = await open()
    await fill(s)
    const t3 = await s.tx(sha256(utf8("tx-3-1")))
    assert.ok(t3)
    assert.is(t3!.height, 3)
    assert.is(t3!.index, 1)
    assert.equal(t3!.tx, utf8("tx-3-1"))
    assert.is(t3!.result.gasUsed, 50031n)
    assert.is(t3!.result.events[1]!.attributes[0]!.value, CAROL)
    await s.close()
  })

  t("tx_search: tx.height equality and ranges, ordering, paging", async () => {
    const s = await open()
    await fill(s)
    const h4 = await s.searchTxs("tx.height=4", 1, 30, "asc")
    assert.is(h4.totalCount, 3)
    assert.equal(h4.txs.map((t) => t.index), [0, 1, 2])
    const range = await s.searchTxs("tx.height>=3 AND tx.height<5", 1, 30, "asc")
    assert.is(range.totalCount, 5)
    const desc = await s.searchTxs("tx.height > 1", 1, 4, "desc")
    assert.is(desc.totalCount, 10)
    assert.equal(desc.txs.map((t) => `${t.height}/${t.index}`), ["5/3", "5/2", "5/1", "5/0"])
    const p3 = await s.searchTxs("tx.height > 1", 3, 4, "desc")
    assert.equal(p3.txs.map((t) => `${t.height}/${t.index}`), ["3/0", "2/0"])
    assert.is((await s.searchTxs("tx.height=99", 1, 30, "asc")).totalCount, 0)
    assert.is((await s.searchTxs("tx.height='4'", 1, 30, "asc")).totalCount, 3)
    await s.close()
  })

  t("tx_search: tx.hash, event attributes, AND, numeric and CONTAINS, index flag", async () => {
    const s = await open()
    await fill(s)
    const hash = hexU(sha256(utf8("tx-5-2")))
    const byHash = await s.searchTxs(`tx.hash='${hash}'`, 1, 30, "asc")
    assert.is(byHash.totalCount, 1)
    assert.is(byHash.txs[0]!.height, 5)
    assert.is((await s.searchTxs(`tx.hash='${hash.toLowerCase()}'`, 1, 30, "asc")).totalCount, 1)
    // Recipient BOB: every even index in blocks 2..5 (block 4 index 2 failed: no events).
    const toBob = await s.searchTxs(`transfer.recipient='${BOB}'`, 1, 30, "asc")
    assert.equal(toBob.txs.map((t) => `${t.height}/${t.index}`), ["2/0", "3/0", "4/0", "5/0", "5/2"])
    const both = await s.searchTxs(`message.sender='${ALICE}' AND tx.height=5`, 1, 30, "asc")
    assert.equal(both.txs.map((t) => t.index), [0, 2])
    const big = await s.searchTxs("transfer.amount>=41", 1, 30, "asc")
    assert.equal(big.txs.map((t) => `${t.height}/${t.index}`), ["4/1", "5/0", "5/1", "5/2", "5/3"])
    const contains = await s.searchTxs("message.action CONTAINS 'MsgSend' AND tx.height<=2", 1, 30, "asc")
    assert.is(contains.totalCount, 1)
    assert.is((await s.searchTxs("transfer.sender EXISTS", 1, 30, "asc")).totalCount, 9)
    // Attributes with index=false are not indexed (CometBFT v0.38 kv indexer).
    assert.is((await s.searchTxs("transfer.note='hidden'", 1, 30, "asc")).totalCount, 0)
    assert.is((await s.searchTxs(`transfer.recipient='${BOB}' AND transfer.sender='${BOB}'`, 1, 30, "asc")).totalCount, 0)
    await s.close()
  })

  t("tx_search: malformed queries give TxQueryError naming the problem", async () => {
    const s = await open()
    await fill(s)
    const cases: Array<[string, RegExp]> = [
      ["", /empty/],
      ["tx.height", /expected an operator/],
      ["tx.height=", /expected a 'quoted string' or a number/],
      ["transfer.recipient='abc", /unterminated/],
      ["tx.height=5 OR tx.height=6", /OR is not supported/],
      ["tx.height=5 tx.height=6", /expected AND/],
      ["tx.height>'x'", /needs a number operand/],
      ["tx.hash>5", /tx.hash supports only =/],
      ["tx.hash='XYZ'", /not hex/],
      ["block.time>=TIME 2020-01-01T00:00:00Z", /TIME and DATE/]
    ]
    for (const [q, re] of cases) {
      let err: unknown
      try { await s.searchTxs(q, 1, 30, "asc") } catch (e) { err = e }
      assert.is((err as { _tag?: string } | undefined)?._tag, "TxQueryError", `query ${JSON.stringify(q)} should fail`)
      assert.match((err as Error).message, re)
    }
    await s.close()
  })

  t("block_search: block.height ranges, event attributes, paging and order", async () => {
    const s = await open()
    await fill(s)
    const hs = async (q: string, page = 1, perPage = 30, order: "asc" | "desc" = "asc", max?: number) => {
      const r = await s.searchBlocks(q, page, perPage, order, max)
      return `${r.totalCount}:${r.heights.join(",")}`
    }
    assert.is(await hs("block.height>3 AND block.height<=6"), "2:4,5", "results exist up to 5 only")
    assert.is(await hs("block.height>=1", 1, 2, "desc"), "5:5,4")
    assert.is(await hs("block.height>=1", 3, 2, "desc"), "5:1")
    assert.is(await hs("block.height>=1", 4, 2, "desc"), "5:", "a page past the end is empty (the RPC refuses it)")
    assert.is(await hs("block.height=3"), "1:3")
    assert.is(await hs("block.height>=1", 1, 30, "asc", 3), "3:1,2,3", "maxHeight bounds the search")
    assert.is(await hs("reward.parity='even'"), "2:2,4")
    assert.is(await hs("reward.parity='odd' AND block.height>1", 1, 30, "desc"), "2:5,3")
    assert.is(await hs("reward.amount>=30"), "3:3,4,5", "a value's leading number compares (30boot)")
    assert.is(await hs("reward.amount CONTAINS '0b' AND reward.parity='odd'"), "3:1,3,5")
    assert.is(await hs("reward.parity EXISTS AND block.height<3"), "2:1,2")
    assert.is(await hs("reward.note='hidden'"), "0:", "index=false attributes are not indexed")
    assert.is(await hs("mint.amount=100 AND reward.parity='even' AND block.height CONTAINS '4'"), "1:4")
    assert.is(await hs("reward.parity='none'"), "0:")
    for (const [q, re] of [["tx.height=3", /tx_search key/], ["block.height>", /expected a 'quoted string' or a number/], ["a=1 OR b=2", /OR is not supported/]] as const) {
      let err: unknown
      try { await s.searchBlocks(q, 1, 30, "asc") } catch (e) { err = e }
      assert.is((err as { _tag?: string } | undefined)?._tag, "TxQueryError", q)
      assert.match((err as Error).message, re)
    }
    await s.close()
  })

  return t
}
