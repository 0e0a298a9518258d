/**
 * Rank publishing: every CalculationPeriod (3 here) blocks a snapshot is taken and its rank is
 * published at the next boundary. Two apps get the same blocks; the second is closed and
 * reopened twice (once mid-period, once right after a snapshot), and every height's app hash
 * matches. The published root equals an independent calculation over the snapshot, and a rank
 * proof verifies against the root, which is proven against the app hash with ICS-23.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { calculateExistenceRoot, iavlSpec, ics23, tendermintSpec, verifyMembership } from "@confio/ics23"
import { calculateRank, toCyberRank } from "../../modules/graph/rank/RankEngine.ts"
import { RankMerkleTree, verifyRankProof } from "../../modules/graph/rank/RankMerkleTree.ts"
import { SnapshotBuilder } from "../../modules/graph/rank/Snapshot.ts"
import { QueryRankProofResponse, QueryRankResponse, QuerySearchResponse, QueryTopRequest, StringRequest } from "../../modules/graph/Messages.ts"
import { block, cidOf, genesisBytes, initChain, makeGKeys, openGraphApp, Seqs, signLinks, type GraphApp } from "./machineFixture.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

test("published roots identical across periods and restarts; proofs verify to the app hash", async () => {
  const keys = await makeGKeys(2, "rank key")
  const stakes = ["1000", "3000"]
  const appState = genesisBytes(keys.map((k, i) => ({ address: k.address, coins: [{ denom: "boot", amount: "1000000000" }, { denom: "volt", amount: stakes[i]! }] })), {
    params: { stake_denom: "volt", rank: { calculation_period: "3" }, bandwidth: { max_block_bandwidth: "1000000", desirable_bandwidth: "100000000" } }
  })
  const a = await openGraphApp()
  let b = await openGraphApp()
  await initChain(a.app, appState)
  await initChain(b.app, appState)
  const seqs = new Seqs(a.app)
  const P = Array.from({ length: 8 }, (_, i) => cidOf(`particle ${i}`))
  // links per height: [key index, from, to]
  const plan: Record<number, Array<[number, number, number]>> = {
    1: [[0, 0, 1], [0, 1, 2]],
    2: [[1, 2, 0], [1, 0, 1]],
    4: [[0, 3, 0], [1, 4, 0]],
    5: [[1, 5, 3]],
    7: [[0, 0, 6], [1, 6, 7]],
    8: [[0, 7, 0]],
    10: [[1, 1, 7]]
  }
  const applied: Array<[number, number, number]> = []
  const snapshotsAt = new Map<number, Array<[number, number, number]>>()
  const tail = 14
  for (let h = 1; h <= tail; h++) {
    const txs: Uint8Array[] = []
    for (const [ki, f, t] of plan[h] ?? []) {
      const key = keys[ki]!
      txs.push(await signLinks(key, [[P[f]!, P[t]!]], await seqs.next(key.address)))
      applied.push([ki, f, t])
    }
    const ra = await block(a.app, h, txs)
    const rb = await block(b.app, h, txs)
    for (const r of ra.txResults) assert.is(r.code, 0, r.log)
    assert.is(hex(rb.appHash), hex(ra.appHash), `app hash at height ${h}`)
    if (h % 3 === 0) snapshotsAt.set(h, [...applied])
    if (h === 7 || h === 9) {
      await b.close()
      b = await openGraphApp(b.path)
    }
  }
  // the root published at 12 is the rank of the snapshot taken at 9
  const current = a.store.store("graph").get(Uint8Array.of(0x30))!
  assert.is(Buffer.from(current).readBigUInt64BE(0), 9n, "snapshot height of the published context")
  assert.is(Buffer.from(current).readBigUInt64BE(64), 12n, "published at 12")
  // independent calculation: particles numbered by first appearance, neurons by first link
  const num = new Map<number, number>(), neu = new Map<number, number>()
  const builder = new SnapshotBuilder()
  for (const [ki, f, t] of snapshotsAt.get(9)!) {
    for (const x of [f, t]) if (!num.has(x)) num.set(x, num.size)
    if (!neu.has(ki)) neu.set(ki, neu.size)
    builder.addLink(num.get(f)!, num.get(t)!, neu.get(ki)!)
  }
  for (const [ki, n] of neu) builder.setStake(n, BigInt(stakes[ki]!))
  const r = await calculateRank(builder.build(num.size, neu.size), { mode: "cyber", damping: 0.85, tolerance: 0.001, maxIterations: 1000 }, { engine: "fallback" })
  const values = toCyberRank(r.ranks)
  const root = RankMerkleTree.fromValues(values, false).root()
  assert.is(hex(current.subarray(32, 64)), hex(root), "published root = independent calculation")

  // queries: rank, proof, top, and the proof chain to the app hash
  for (const app of [a, b] as GraphApp[]) {
    const rank = QueryRankResponse.decode((await app.app.query({ path: "/cyber.rank.v1beta1.Query/Rank", data: StringRequest.encode({ value: P[0]! }).finish(), height: 0n, prove: false })).value).rank
    assert.is(rank, values[num.get(0)!]!)
    const pr = QueryRankProofResponse.decode((await app.app.query({ path: "/cyber.rank.v1beta1.Query/RankProof", data: StringRequest.encode({ value: P[0]! }).finish(), height: 0n, prove: false })).value)
    assert.ok(verifyRankProof(pr.rank, pr.proof, pr.root), "rank proof verifies against the rank root")
    assert.not.ok(verifyRankProof(pr.rank + 1n, pr.proof, pr.root), "a forged rank does not")
    assert.is(hex(pr.root), hex(root))
    const top = QuerySearchResponse.decode((await app.app.query({ path: "/cyber.rank.v1beta1.Query/Top", data: QueryTopRequest.encode({ pagination: { page: 0, perPage: 3 } }).finish(), height: 0n, prove: false })).value)
    assert.is(top.total, num.size)
    assert.is(top.result.length, 3)
    assert.ok(top.result[0]!.rank >= top.result[1]!.rank && top.result[1]!.rank >= top.result[2]!.rank)
  }
  // the rank root is in the graph namespace: ICS-23 from the stored context to the app hash
  const height = a.store.lastCommit().version
  const res = await a.app.query({ path: "store/graph/key", data: Uint8Array.of(0x30), height: BigInt(height), prove: true })
  assert.is(res.code, 0, res.log)
  const [iavlOp, simpleOp] = res.proofOps!.ops
  const storeProof = ics23.CommitmentProof.decode(iavlOp!.data)
  const rootProof = ics23.CommitmentProof.decode(simpleOp!.data)
  const storeRoot = calculateExistenceRoot(storeProof.exist!)
  assert.ok(verifyMembership(storeProof, iavlSpec, storeRoot, Uint8Array.of(0x30), res.value))
  assert.ok(verifyMembership(rootProof, tendermintSpec, a.store.lastCommit().hash, new TextEncoder().encode("graph"), storeRoot))
  assert.is(hex(res.value.subarray(32, 64)), hex(root))
  await a.close()
  await b.close()
})

test.run()
