/**
 * Determinism of the names machine: two apps (A in memory, B on LevelDB, closed and reopened at
 * three heights) fed the same 60 blocks of random names messages by 3 keys (registrations under
 * the open zone and sub-names, notes of every well-known key, deletions, transfers, many of them
 * refused). Every height's app hash and every tx code must match, and both kinds of result occur.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Chain, makeKey, type Key } from "../machines/support/Chain.ts"
import { baseMachines } from "../machines/Fixture.ts"
import { names, namesGenesis, register, setNote, transfer } from "./support.ts"

const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

test("two apps, random names blocks, restarts: same app hash and codes at every height", async () => {
  const rnd = prng(14)
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(rnd() * xs.length)]!
  const keys: Key[] = []
  for (let i = 0; i < 3; i++) keys.push(await makeKey(`names det ${i}`))
  const genesis = { auth: { accounts: [] }, bank: { balances: keys.map((k) => ({ address: k.address, coins: [{ denom: "boot", amount: "1000000000000" }] })) }, names: namesGenesis(keys[0]!.address) }
  const dir = mkdtempSync(join(tmpdir(), "names-det-"))
  const a = await Chain.open([...baseMachines(), names()])
  let b = await Chain.open([...baseMachines(), names()], dir)
  await a.init(genesis)
  await b.init(genesis)
  const labels = ["a", "b", "c", "d", "e", "f", "g", "h"]
  const pool = [...labels.map((l) => `${l}.os`), "os", "sys", "gen.os", ...labels.map((l) => `${l}.os`), ...labels.map((l) => `${l}.a.os`), ...labels.map((l) => `${l}.sys`)]
  const noteOf = (): [string, Uint8Array] => pick<[string, Uint8Array]>([
    ["~net-key", new Uint8Array(32).fill(Math.floor(rnd() * 256))],
    ["~net-key", new Uint8Array(5)],
    ["~ip", Uint8Array.of(10, 0, 0, Math.floor(rnd() * 256))],
    ["~tcp-port", Uint8Array.of(0x0f, Math.floor(rnd() * 256))],
    ["~routers", new TextEncoder().encode(`${pick(labels)}.os`)],
    ["~free", new Uint8Array(Math.floor(rnd() * 50))]
  ])
  const restarts = new Set([11, 29, 47])
  const codes = new Map<number, number>()
  for (let h = 2; h <= 61; h++) {
    const txs: Uint8Array[] = []
    const used = new Set<string>()
    for (let i = Math.floor(rnd() * 4); i > 0; i--) {
      const key = pick(keys)
      if (used.has(key.address)) continue // one tx per signer per block (sequence)
      used.add(key.address)
      const r = rnd()
      const msg = r < 0.4 ? register(key.address, pick(pool), rnd() < 0.2 ? pick(keys).address : "")
        : r < 0.8 ? setNote(key.address, pick(pool), ...noteOf())
        : transfer(key.address, pick(pool), pick(keys).address)
      txs.push(await a.sign(key, [msg]))
    }
    const ra = await a.block(txs)
    const rb = await b.block(txs)
    assert.is(b.appHash(), a.appHash(), `app hash at height ${h}`)
    assert.equal(rb.map((r) => r.code), ra.map((r) => r.code), `tx codes at ${h}`)
    for (const r of ra) codes.set(r.code, (codes.get(r.code) ?? 0) + 1)
    if (restarts.has(h)) {
      await b.close()
      b = await Chain.open([...baseMachines(), names()], dir)
    }
  }
  assert.ok((codes.get(0) ?? 0) >= 10, `accepted: ${[...codes]}`)
  assert.ok([...codes.keys()].some((c) => c !== 0), `some refused: ${[...codes]}`)
  assert.equal(b.dump("names"), a.dump("names"))
  await a.close()
  await b.close()
  rmSync(dir, { recursive: true, force: true })
})

test.run()
