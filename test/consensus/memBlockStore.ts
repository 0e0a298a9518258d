/**
 * Test double: an in-memory BlockStore (the real LevelDB one lives in node/blockstore/).
 * searchTxs supports only `tx.height=N` (enough for these tests); other queries throw.
 */
import type { BlockStore, IndexedTx, StoredBlock, StoredBlockResults, TxSearchPage } from "../../chain/BlockStore.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

export class MemBlockStore implements BlockStore {
  readonly blocks = new Map<number, StoredBlock>()
  readonly resultsByHeight = new Map<number, StoredBlockResults>()
  readonly txs = new Map<string, IndexedTx>()
  /** Every save, in order: "block:3", "results:3". */
  readonly log: string[] = []
  private top = 0
  private resultsTop = 0

  height(): number { return this.top }
  base(): number { return this.blocks.size === 0 ? 0 : Math.min(...this.blocks.keys()) }
  resultsHeight(): number { return this.resultsTop }

  async saveBlock(block: StoredBlock): Promise<void> {
    const h = Number(block.header.height)
    if (this.top !== 0 && h !== this.top + 1) throw new Error(`saveBlock ${h} after ${this.top}`)
    this.blocks.set(h, block)
    this.top = h
    this.log.push(`block:${h}`)
  }

  async saveResults(r: StoredBlockResults): Promise<void> {
    const b = this.blocks.get(r.height)
    if (b === undefined) throw new Error(`saveResults ${r.height} without a block`)
    this.resultsByHeight.set(r.height, r)
    this.resultsTop = Math.max(this.resultsTop, r.height)
    const { sha256 } = await import("@noble/hashes/sha2.js")
    b.txs.forEach((tx, index) => {
      const hash = sha256(tx)
      this.txs.set(hex(hash), { hash, height: r.height, index, tx, result: r.txResults[index]! })
    })
    this.log.push(`results:${r.height}`)
  }

  async block(height: number) { return this.blocks.get(height) }
  async blockByHash(hash: Uint8Array) { return [...this.blocks.values()].find((b) => hex(b.hash) === hex(hash)) }
  async results(height: number) { return this.resultsByHeight.get(height) }
  async tx(hash: Uint8Array) { return this.txs.get(hex(hash)) }
  async searchTxs(query: string, page: number, perPage: number): Promise<TxSearchPage> {
    const m = /^tx\.height=(\d+)$/.exec(query)
    if (m === null) throw new Error(`MemBlockStore: unsupported query ${query}`)
    const all = [...this.txs.values()].filter((t) => t.height === Number(m[1]))
    return { txs: all.slice((page - 1) * perPage, page * perPage), totalCount: all.length }
  }
  async searchBlocks(query: string): Promise<never> { throw new Error(`MemBlockStore: block_search is not part of this double (${query})`) }
  async close() {}
}
