/**
 * Determinism: two independent applications (own kernel, machines and LevelDB store each) fed
 * the same 200 random blocks — valid sends, multi-key traffic, overdraws, wrong sequences, bad
 * chain ids, garbage bytes, empty blocks — end with identical app hashes at every height. The
 * second one is closed and reopened from disk half way, so restart is part of the check.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { accountOf, CHAIN_ID, genesisFor, makeKeys, openApp, signSend, type FixtureApp } from "./chainFixture.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

/** mulberry32: a seeded PRNG for the test's random choices (test code, not machine code). */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

test("two nodes, same 200 random blocks, same app hash at every height (one restarts at 100)", async () => {
  const rnd = prng(42)
  const keys = await makeKeys(6)
  const { appStateBytes } = genesisFor(keys)
  const dirA = mkdtempSync(join(tmpdir(), "det-a-"))
  const dirB = mkdtempSync(join(tmpdir(), "det-b-"))
  let a: FixtureApp = await openApp({ path: dirA })
  let b: FixtureApp = await openApp({ path: dirB, pruning: { keepRecent: 5, keepEvery: 0 } })
  const init = { time: { seconds: 1_767_225_600n, nanos: 0 }, chainId: CHAIN_ID, validators: [], appStateBytes, initialHeight: 1n }
  const ia = await a.app.initChain(init)
  const ib = await b.app.initChain(init)
  assert.is(hex(ia.appHash), hex(ib.appHash))
  let codes = new Map<number, number>()
  for (let height = 1; height <= 200; height++) {
    const txs: Uint8Array[] = []
    const n = Math.floor(rnd() * 7)
    const seqs = new Map<string, { accountNumber: number; sequence: number }>()
    for (let i = 0; i < n; i++) {
      const from = keys[Math.floor(rnd() * keys.length)]!
      const to = keys[Math.floor(rnd() * keys.length)]!
      let acct = seqs.get(from.address) ?? (await accountOf(a.app, from.address))
      const kind = rnd()
      if (kind < 0.06) {
        txs.push(Uint8Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => Math.floor(rnd() * 256)))
        continue
      }
      if (kind < 0.12) acct = { ...acct, sequence: acct.sequence + 5 }
      const chainId = kind >= 0.12 && kind < 0.16 ? "other-chain" : CHAIN_ID
      const amount = kind >= 0.16 && kind < 0.24 ? "999999999999" : String(1 + Math.floor(rnd() * 100000))
      txs.push(await signSend(from, to.address, amount, acct, chainId))
      if (kind >= 0.16) seqs.set(from.address, { ...acct, sequence: acct.sequence + 1 })
    }
    const req = {
      txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32).fill(height & 0xff),
      height: BigInt(height), time: { seconds: 1_767_225_600n + BigInt(height), nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
    }
    const fa = await a.app.finalizeBlock(req)
    const fb = await b.app.finalizeBlock(req)
    assert.is(hex(fb.appHash), hex(fa.appHash), `FinalizeBlock app hash at height ${height}`)
    assert.equal(fb.txResults.map((r) => r.code), fa.txResults.map((r) => r.code), `tx codes at height ${height}`)
    for (const r of fa.txResults) codes.set(r.code, (codes.get(r.code) ?? 0) + 1)
    await a.app.commit()
    await b.app.commit()
    assert.is(hex(b.store.lastCommit().hash), hex(a.store.lastCommit().hash), `committed app hash at height ${height}`)
    if (height === 100) {
      await b.close()
      b = await openApp({ path: dirB, pruning: { keepRecent: 5, keepEvery: 0 } })
      assert.is(b.store.lastCommit().version, 100)
      assert.is(hex(b.store.lastCommit().hash), hex(a.store.lastCommit().hash), "reopened at the same app hash")
    }
  }
  // The random traffic really exercised success and each failure kind.
  for (const code of [0, 2, 4, 5, 32]) assert.ok((codes.get(code) ?? 0) > 0, `some txs ended with code ${code}: ${JSON.stringify([...codes])}`)
  await a.close()
  await b.close()
})

test.run()
