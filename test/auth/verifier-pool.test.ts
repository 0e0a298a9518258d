/**
 * Parallel signature pre-verification (modules/auth/VerifierPool.ts, Application.signatureChecks):
 * the checks derived from a block's txs are the ones the ante step verifies (so a block after the
 * pool verifies nothing itself), a bad signature stays a failed tx with the same code, the
 * workers' verifiers agree with the node thread's, and the pool's bounds hold.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { accountFromAny } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { secp256k1 } from "@noble/curves/secp256k1.js"
import { sha256 } from "../../lib/Bytes.ts"
import { openVerifierPool } from "../../modules/auth/VerifierPool.ts"
import { clearVerifyCache, verifyStats } from "../../modules/auth/internal/Secp256k1.ts"
import type { SignatureCheck } from "../../chain/TxPipeline.ts"
import { fee, makeWallet, msgSend, signTx, TestChain } from "./support/Chain.ts"

const { wallet, addresses } = await makeWallet(3)
const [alice, bob, carol] = addresses as [string, string, string]
const start = () => TestChain.start({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "100000000" }] }, { address: bob, coins: [{ denom: "boot", amount: "100000000" }] }] })

const accountNumber = async (chain: TestChain, address: string) => Number(accountFromAny((await chain.queryClient().auth.account(address))!).accountNumber)

const sends = async (chain: TestChain, from: string, n: number, first = 0): Promise<Uint8Array[]> => {
  const acc = await accountNumber(chain, from)
  const out: Uint8Array[] = []
  for (let i = 0; i < n; i++) out.push(await signTx(wallet, from, [msgSend(from, carol, "1")], fee("2000"), { accountNumber: acc, sequence: first + i }))
  return out
}

test("the pool verifies a block's signatures ahead, and FinalizeBlock then verifies none itself", async () => {
  const chain = await start()
  const txs = [...await sends(chain, alice, 20), ...await sends(chain, bob, 20)]
  const pool = openVerifierPool({ threads: 2 })
  try {
    clearVerifyCache()
    const checks = await chain.app.signatureChecks(txs)
    assert.is(checks.length, 40, "one check per signer info")
    const flags = await pool.verify(checks)
    assert.ok(flags.every((f) => f), "all valid")
    assert.is(pool.stats().sent, 40)
    const results = await chain.block(txs)
    assert.ok(results.every((r) => r.code === 0), results.find((r) => r.code !== 0)?.log)
    assert.is(verifyStats.verified, 0, "the ante step verified nothing itself")
    assert.is(verifyStats.cacheHits, 40)
    // Already cached: a second call sends nothing to the workers.
    assert.ok((await pool.verify(checks)).every((f) => f))
    assert.is(pool.stats().sent, 40)
    assert.is(pool.stats().cached, 40)
  } finally {
    await pool.close()
  }
})

test("a tampered signature is refused by the pool and the tx still fails as before (code 4)", async () => {
  const chain = await start()
  const [good, bad] = await sends(chain, alice, 2)
  const raw = TxRaw.decode(bad!)
  const sig0 = new Uint8Array(raw.signatures[0]!)
  sig0[5] = sig0[5]! ^ 1
  raw.signatures[0] = sig0
  const tampered = TxRaw.encode(raw).finish()
  const pool = openVerifierPool({ threads: 2 })
  try {
    clearVerifyCache()
    const flags = await pool.verify(await chain.app.signatureChecks([good!, tampered]))
    assert.equal([...flags], [true, false])
    const results = await chain.block([good!, tampered])
    assert.is(results[0]!.code, 0)
    assert.is(results[1]!.code, 4, results[1]!.log)
    assert.match(results[1]!.log, /signature verification failed/)
    assert.is(verifyStats.verified, 1, "the ante step verified the tampered one itself")
  } finally {
    await pool.close()
  }
})

test("no checks for bytes that are not a tx, for an unknown signer, or before a signer's account exists", async () => {
  const chain = await start()
  assert.equal(await chain.app.signatureChecks([new Uint8Array([0x0a, 0xff, 0xff]), new Uint8Array(0), new Uint8Array([1, 2, 3])]), [])
  // carol has no account at the last commit: nothing to derive her account number from.
  const fromCarol = await signTx(wallet, carol, [msgSend(carol, alice, "1")], fee("2000"), { accountNumber: 99, sequence: 0 })
  assert.equal(await chain.app.signatureChecks([fromCarol]), [])
})

// Vectors: valid, altered message, altered signature, high-S, overflowing r, off-curve key.
const N = secp256k1.Point.CURVE().n
const key = sha256(new TextEncoder().encode("pool key"))
const pub = secp256k1.getPublicKey(key, true)
const msg = new TextEncoder().encode("sign me")
const sig = secp256k1.sign(sha256(msg), key, { prehash: false, lowS: true })
const highS = (() => {
  const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"))
  const out = new Uint8Array(sig)
  out.set(Buffer.from((N - s).toString(16).padStart(64, "0"), "hex"), 32)
  return out
})()
const flip = (b: Uint8Array, i: number) => { const c = new Uint8Array(b); c[i]! ^= 1; return c }
const vectors: Array<[string, SignatureCheck, boolean]> = [
  ["valid", { scheme: "secp256k1", pubkey: pub, message: msg, signature: sig }, true],
  ["altered message", { scheme: "secp256k1", pubkey: pub, message: flip(msg, 0), signature: sig }, false],
  ["altered signature", { scheme: "secp256k1", pubkey: pub, message: msg, signature: flip(sig, 40) }, false],
  ["high-S", { scheme: "secp256k1", pubkey: pub, message: msg, signature: highS }, false],
  ["overflowing r", { scheme: "secp256k1", pubkey: pub, message: msg, signature: new Uint8Array(64).fill(0xff).fill(1, 32) }, false],
  ["off-curve key", { scheme: "secp256k1", pubkey: new Uint8Array(33).fill(7).fill(2, 0, 1), message: msg, signature: sig }, false]
]

for (const verifier of ["libsecp256k1", "node:crypto"] as const) {
  test(`workers with ${verifier} agree on the vectors`, async () => {
    const pool = openVerifierPool({ threads: 2, verifier })
    try {
      clearVerifyCache()
      const flags = await pool.verify(vectors.map((v) => v[1]))
      vectors.forEach(([name, , want], i) => assert.is(flags[i], want, name))
    } finally {
      await pool.close()
    }
  })
}

test("bounds: a full queue and a closed pool answer false at once, and the ante step decides", async () => {
  const pool = openVerifierPool({ threads: 1, maxQueued: 2 })
  clearVerifyCache()
  const three = [vectors[0]![1], vectors[1]![1], vectors[2]![1]]
  assert.equal([...await pool.verify(three)], [false, false, false], "three checks do not fit a queue of two")
  assert.is(pool.stats().dropped, 3)
  assert.equal([...await pool.verify([vectors[0]![1]])], [true])
  await pool.close()
  clearVerifyCache()
  assert.equal([...await pool.verify([vectors[0]![1]])], [false], "closed")
})

test.run()
