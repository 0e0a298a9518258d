/**
 * Transaction pipeline benchmark: CosmJS-signed MsgSend txs through the real multiplexer
 * (decode + ante + bank) over the in-memory IAVL multistore, against secp256k1 verification
 * baselines measured in the same run (@noble/curves and node:crypto, one verification each).
 *
 * Run: `npx node bench/tx.bench.ts [txs]` (default 2,000 txs per block). Prints:
 *   - verify/s of @noble/curves, node:crypto and libsecp256k1 (the auth verifiers without their
 *     cache; libsecp256k1 only when modules/auth/native is built);
 *   - FinalizeBlock tx/s, cold cache, with node:crypto;
 *   - FinalizeBlock tx/s with a cold verification cache (every signature verified once);
 *   - CheckTx tx/s (verifies and fills the cache), then FinalizeBlock tx/s with a warm cache
 *     (signatures verified in CheckTx are not verified again), also as µs per MsgSend, wall and
 *     the block thread's CPU (`process.threadCpuUsage`, steadier on a shared machine);
 *   - Commit time of each block;
 *   - the VerifierPool's parallel verification rate (the baseline of the last figures; median of
 *     3 passes after an untimed one), CheckTx with each tx pre-verified by the pool as the node
 *     does, and CheckTx + FinalizeBlock + Commit;
 *   - the block thread's CPU per tx in that last pass (CheckTx; FinalizeBlock + Commit) and one
 *     verification's cost, the parts of the CPU budget per tx (200 µs on 2 cores at 10,000 tx/s).
 */
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { accountFromAny, SigningStargateClient } from "@cosmjs/stargate"
import { secp256k1 } from "@noble/curves/secp256k1.js"
import { SignDoc, TxRaw, AuthInfo } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { toBech32 } from "@cosmjs/encoding"
import { sha256 } from "../lib/Bytes.ts"
import { clearVerifyCache, selectVerifier, verifierName, verifySecp256k1, verifyStats } from "../modules/auth/internal/Secp256k1.ts"
import { CHAIN_ID, MNEMONIC, TestChain } from "../test/auth/support/Chain.ts"

const N = Number(process.argv[2] ?? 2000)
const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "cyber" })
const alice = (await wallet.getAccounts())[0]!.address
const client = await SigningStargateClient.offline(wallet)
const recipients = Array.from({ length: 100 }, (_, i) => toBech32("cyber", sha256(`r${i}`).subarray(0, 20)))
const start = () => TestChain.start({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000000000" }] }] })
// The signer's account number as genesis assigns it (module accounts come first).
const accountNumber = BigInt(accountFromAny((await (await start()).queryClient().auth.account(alice))!).accountNumber)

let t = performance.now()
const txs: Uint8Array[] = []
for (let i = 0; i < N; i++) {
  const raw = await client.sign(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice, toAddress: recipients[i % 100], amount: [{ denom: "boot", amount: "1" }] } }],
    { amount: [{ denom: "boot", amount: "2000" }], gas: "200000" }, "", { accountNumber, sequence: i, chainId: CHAIN_ID })
  txs.push(TxRaw.encode(raw).finish())
}
console.log(`signed ${N} txs with CosmJS in ${((performance.now() - t) / 1000).toFixed(1)} s`)

// Baselines: verify the first tx's signature directly.
const raw0 = TxRaw.decode(txs[0]!)
const pub = AuthInfo.decode(raw0.authInfoBytes).signerInfos[0]!.publicKey!.value.subarray(2)
const signBytes = SignDoc.encode({ bodyBytes: raw0.bodyBytes, authInfoBytes: raw0.authInfoBytes, chainId: CHAIN_ID, accountNumber }).finish()
const sig = raw0.signatures[0]!
const rate = (n: number, f: () => void): number => {
  const s = performance.now()
  for (let i = 0; i < n; i++) f()
  return n / ((performance.now() - s) / 1000)
}
const digest = sha256(signBytes)
const noble = rate(300, () => { if (!secp256k1.verify(sig, digest, pub, { prehash: false })) throw new Error("noble verify") })
const verifyRate = (name: "node:crypto" | "libsecp256k1", n: number): number | undefined =>
  selectVerifier(name) === name ? rate(n, () => { clearVerifyCache(); if (!verifySecp256k1(pub, signBytes, sig)) throw new Error("verify") }) : undefined
const nodeRate = verifyRate("node:crypto", 1000)!
const nativeRate = verifyRate("libsecp256k1", 10000)
console.log(`baseline verify/s: @noble/curves ${noble.toFixed(0)}, node:crypto ${nodeRate.toFixed(0)} (${(nodeRate / noble).toFixed(2)}x noble), ` +
  (nativeRate ? `libsecp256k1 ${nativeRate.toFixed(0)} (${(nativeRate / noble).toFixed(2)}x noble)` : "libsecp256k1 not built"))

/** µs of CPU per tx from a `process.threadCpuUsage` difference over the N txs. */
const perTx = (c: { user: number; system: number }) => ((c.user + c.system) / N).toFixed(1)
const finalize = (chain: TestChain) => chain.app.finalizeBlock({ txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: 2n, time: { seconds: 1_700_000_100n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) })

// Cold with node:crypto.
{
  selectVerifier("node:crypto")
  const chain = await start()
  clearVerifyCache()
  t = performance.now()
  const res = await finalize(chain)
  const fin = performance.now() - t
  if (res.txResults.some((r) => r.code !== 0)) throw new Error("tx failed: " + res.txResults.find((r) => r.code !== 0)!.log)
  console.log(`FinalizeBlock, cold cache, node:crypto: ${(N / (fin / 1000)).toFixed(0)} tx/s (${(N / (fin / 1000) / nodeRate).toFixed(2)}x its verify rate)`)
}
selectVerifier("libsecp256k1")
const fastest = nativeRate ?? nodeRate
console.log(`verifier for the rest: ${verifierName()}`)
// Cold: FinalizeBlock verifies every signature.
{
  const chain = await start()
  clearVerifyCache()
  t = performance.now()
  const res = await chain.app.finalizeBlock({ txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: 2n, time: { seconds: 1_700_000_100n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) })
  const fin = performance.now() - t
  if (res.txResults.some((r) => r.code !== 0)) throw new Error(`tx failed: ${res.txResults.find((r) => r.code !== 0)!.log}`)
  t = performance.now()
  await chain.app.commit()
  const commit = performance.now() - t
  console.log(`FinalizeBlock, cold cache: ${(N / (fin / 1000)).toFixed(0)} tx/s (${(N / (fin / 1000) / fastest).toFixed(2)}x verify rate; ${verifyStats.verified} verifications); commit ${commit.toFixed(0)} ms`)
}
// Warm: CheckTx first, then FinalizeBlock.
{
  const chain = await start()
  clearVerifyCache()
  t = performance.now()
  for (const tx of txs) {
    const r = await chain.checkTx(tx)
    if (r.code !== 0) throw new Error(`CheckTx failed: ${r.log}`)
  }
  const check = performance.now() - t
  const verifiedInCheck = verifyStats.verified
  const cpu0 = process.threadCpuUsage()
  t = performance.now()
  const res = await chain.app.finalizeBlock({ txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: 2n, time: { seconds: 1_700_000_100n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) })
  const fin = performance.now() - t
  const cpu = process.threadCpuUsage(cpu0)
  if (res.txResults.some((r) => r.code !== 0)) throw new Error("tx failed: " + res.txResults.find((r) => r.code !== 0)!.log)
  t = performance.now()
  await chain.app.commit()
  const commit = performance.now() - t
  console.log(`CheckTx: ${(N / (check / 1000)).toFixed(0)} tx/s (${verifiedInCheck} verifications)`)
  console.log(`FinalizeBlock, warm cache: ${(N / (fin / 1000)).toFixed(0)} tx/s (${(N / (fin / 1000) / fastest).toFixed(2)}x verify rate; ${verifyStats.verified - verifiedInCheck} new verifications, ${verifyStats.cacheHits} cache hits); commit ${commit.toFixed(0)} ms`)
  // issue 15 item 3's figure: everything but the signature check, per MsgSend (wall, and the block thread's CPU)
  console.log(`FinalizeBlock, warm cache, per MsgSend: ${((fin * 1000) / N).toFixed(1)} µs wall, ${perTx(cpu)} µs block-thread CPU`)
}
// Parallel pre-verification (modules/auth/VerifierPool.ts), as the node runs it: every broadcast
// derives its signature check and hands it to the pool; CheckTx runs one at a time, in order,
// after its tx's check resolves. Baseline: the pool's own verification rate in this run.
{
  const { openVerifierPool } = await import("../modules/auth/VerifierPool.ts")
  const pool = openVerifierPool()
  const chain = await start()
  clearVerifyCache()
  const checks = await chain.app.signatureChecks(txs)
  // One untimed pass first: a new worker's first thousand checks pay its JIT and the growth of
  // its young generation (one such pass read 4-10k/s against 24-30k/s warm); then the median of 3.
  await pool.verify(checks)
  const rates: number[] = []
  for (let k = 0; k < 3; k++) {
    clearVerifyCache()
    t = performance.now()
    await pool.verify(checks)
    rates.push(N / ((performance.now() - t) / 1000))
  }
  const parallelRate = rates.sort((a, b) => a - b)[1]!
  clearVerifyCache()
  const cpu0 = process.threadCpuUsage()
  t = performance.now()
  const pre = txs.map((tx) => chain.app.signatureChecks([tx]).then((c) => pool.verify(c)))
  for (let i = 0; i < N; i++) {
    await pre[i]
    const r = await chain.checkTx(txs[i]!)
    if (r.code !== 0) throw new Error(`CheckTx failed: ${r.log}`)
  }
  const check = performance.now() - t
  const cpuCheck = process.threadCpuUsage(cpu0)
  const verifiedInCheck = verifyStats.verified
  const cpu1 = process.threadCpuUsage()
  t = performance.now()
  const res = await finalize(chain)
  const fin = performance.now() - t
  if (res.txResults.some((r) => r.code !== 0)) throw new Error("tx failed: " + res.txResults.find((r) => r.code !== 0)!.log)
  t = performance.now()
  await chain.app.commit()
  const commit = performance.now() - t
  const cpuBlock = process.threadCpuUsage(cpu1)
  const total = (check + fin + commit) / 1000
  console.log(`parallel verify (${pool.threads} workers, ${pool.verifier}): ${parallelRate.toFixed(0)} verifications/s, median of ${rates.map((r) => r.toFixed(0)).join(", ")} (${(parallelRate / fastest).toFixed(2)}x one thread)`)
  console.log(`CheckTx with pre-verification: ${(N / (check / 1000)).toFixed(0)} tx/s (${verifiedInCheck} verified on the block thread)`)
  console.log(`CheckTx + FinalizeBlock + Commit: ${(N / total).toFixed(0)} tx/s (${(N / total / parallelRate).toFixed(2)}x the parallel verify rate)`)
  // CPU budget: at 10,000 tx/s, 2 cores give 200 µs of CPU per tx for everything
  console.log(`block-thread CPU per tx: CheckTx ${perTx(cpuCheck)} µs, FinalizeBlock + Commit ${perTx(cpuBlock)} µs; one verification ${(1e6 / fastest).toFixed(1)} µs on one thread`)
  await pool.close()
}
