/**
 * Determinism of the graph machine: two apps fed the same 40 random blocks (random cyberlinks
 * among 60 particles by 4 neurons, duplicate attempts, stake moved between neurons by MsgSend),
 * rank every 4 blocks. App A computes rank with the native engine (auto), app B with the
 * TypeScript fallback and is closed and reopened at three random heights. Every height's app
 * hash and every tx code must match.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { makeRankRunner } from "../../modules/graph/RankRunner.ts"
import { block, CHAIN_ID, cidOf, genesisBytes, initChain, makeGKeys, openGraphApp, Seqs, signLinks, type GKey } from "./machineFixture.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const signSendVolt = async (from: GKey, to: string, amount: string, account: { accountNumber: number; sequence: number }) => {
  const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from.address, toAddress: to, amount: [{ denom: "volt", amount }] } }
  const raw = await from.signer.sign(from.address, [msg], { amount: [{ denom: "boot", amount: "2000" }], gas: "200000" }, "", { accountNumber: BigInt(account.accountNumber), sequence: account.sequence, chainId: CHAIN_ID })
  return TxRaw.encode(raw).finish()
}

test("native vs fallback, with restarts: same app hash at every height", async () => {
  const rnd = prng(7)
  const keys = await makeGKeys(4, "det key")
  const appState = genesisBytes(keys.map((k, i) => ({ address: k.address, coins: [{ denom: "boot", amount: "1000000000" }, { denom: "volt", amount: String(1000 * (i + 1)) }] })), {
    params: { stake_denom: "volt", rank: { calculation_period: "4" }, bandwidth: { max_block_bandwidth: "100000000", desirable_bandwidth: "1000000000" } }
  })
  const a = await openGraphApp(undefined, makeRankRunner({ engine: "auto" }))
  let b = await openGraphApp(undefined, makeRankRunner({ engine: "fallback" }))
  await initChain(a.app, appState)
  await initChain(b.app, appState)
  const seqs = new Seqs(a.app)
  const P = Array.from({ length: 60 }, (_, i) => cidOf(`det ${i}`))
  const restarts = new Set([Math.floor(5 + rnd() * 10), Math.floor(16 + rnd() * 10), Math.floor(27 + rnd() * 10)])
  const codes = new Map<number, number>()
  let published = 0
  for (let h = 1; h <= 40; h++) {
    const txs: Uint8Array[] = []
    const n = Math.floor(rnd() * 4)
    for (let i = 0; i < n; i++) {
      const key = keys[Math.floor(rnd() * keys.length)]!
      if (rnd() < 0.2) {
        const to = keys[Math.floor(rnd() * keys.length)]!
        txs.push(await signSendVolt(key, to.address, String(1 + Math.floor(rnd() * 300)), await seqs.next(key.address)))
        continue
      }
      const links: Array<readonly [string, string]> = []
      const m = 1 + Math.floor(rnd() * 5)
      for (let j = 0; j < m; j++) {
        const f = Math.floor(rnd() * P.length)
        const t = (f + 1 + Math.floor(rnd() * (P.length - 1))) % P.length
        if (!links.some(([x, y]) => x === P[f] && y === P[t])) links.push([P[f]!, P[t]!])
      }
      txs.push(await signLinks(key, links, await seqs.next(key.address), 2_000_000))
    }
    const ra = await block(a.app, h, txs)
    const rb = await block(b.app, h, txs)
    assert.is(hex(rb.appHash), hex(ra.appHash), `app hash at height ${h}`)
    assert.equal(rb.txResults.map((r) => r.code), ra.txResults.map((r) => r.code), `tx codes at ${h}`)
    for (const r of ra.txResults) codes.set(r.code, (codes.get(r.code) ?? 0) + 1)
    if (ra.events.some((e) => e.type === "rank")) published++
    if (restarts.has(h)) {
      await b.close()
      b = await openGraphApp(b.path, makeRankRunner({ engine: "fallback" }))
    }
  }
  assert.ok((codes.get(0) ?? 0) > 20, `successful txs: ${[...codes]}`)
  assert.ok((codes.get(2) ?? 0) > 0, `some duplicate links refused: ${[...codes]}`)
  assert.ok(published >= 8, `rank published ${published} times`)
  await a.close()
  await b.close()
})

test.run()
