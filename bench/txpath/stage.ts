// One variant's measurement: ROOT=<checkout> npx node bench/txpath/stage.ts N (txs from sign.ts in $OUT)
// Prints JSON: CheckTx µs/tx (signature pre-verified into the cache, decode cold), warm FinalizeBlock
// µs/MsgSend (best of BLOCKS fresh chains), CPU, app hash, results digest.
import { readFileSync } from "node:fs"
import { createHash } from "node:crypto"
import { TxRaw, AuthInfo, SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx"
const OUT = process.env.OUT ?? "bench/out/txpath"
const ROOT = process.env.ROOT!
const N = Number(process.argv[2] ?? 2000)
const BLOCKS = Number(process.env.BLOCKS ?? 3)
const { TestChain, CHAIN_ID, MNEMONIC } = await import(`${ROOT}/test/auth/support/Chain.ts`)
const S = await import(`${ROOT}/modules/auth/internal/Secp256k1.ts`)
const { DirectSecp256k1HdWallet } = await import("@cosmjs/proto-signing")
const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "cyber" })
const alice = (await wallet.getAccounts())[0]!.address
const load = (file: string) => {
  const buf = readFileSync(file)
  const out: Uint8Array[] = []
  for (let o = 0; o < buf.length;) { const l = buf.readUInt32BE(o); out.push(new Uint8Array(buf.subarray(o + 4, o + 4 + l))); o += 4 + l }
  return out
}
const txs = load(`${OUT}/txs-${N}.bin`)
const warm = load(`${OUT}/txs-warm-${N}.bin`)
// WARM=-warm4,-warm5: more warm-up sets (sign.ts TAG=-warm4 AMOUNT=4 ...), each CheckTx'd fresh on its own chain
const extraWarm = (process.env.WARM ?? "").split(",").filter((t) => t !== "").map((t) => load(`${OUT}/txs${t}-${N}.bin`))
const nodeTxs = load(`${OUT}/txs-node-${N}.bin`)
const start = () => TestChain.start({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000000000" }] }] })
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest()
S.selectVerifier("libsecp256k1")
// pre-verify every signature as the VerifierPool would (cache), without decoding through auth
for (const tx of [...txs, ...warm, ...extraWarm.flat()]) {
  const raw = TxRaw.decode(tx)
  const info = AuthInfo.decode(raw.authInfoBytes).signerInfos[0]!
  const pub = info.publicKey!.value.subarray(2)
  const msg = SignDoc.encode({ bodyBytes: raw.bodyBytes, authInfoBytes: raw.authInfoBytes, chainId: CHAIN_ID, accountNumber: BigInt(process.env.ACCNUM ?? 0) }).finish()
  S.rememberVerified(pub, sha(msg), raw.signatures[0]!)
}
const out: Record<string, unknown> = {}
// JIT warm-up on other txs (same shape): CheckTx then FinalizeBlock, untimed
{
  const chain = await start()
  for (const tx of warm) { const r = await chain.checkTx(tx); if (r.code !== 0) throw new Error(`warm CheckTx: ${r.log}`) }
  const res = await chain.app.finalizeBlock({ txs: warm, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: 2n, time: { seconds: 1_700_000_100n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) })
  if (res.txResults.some((r: any) => r.code !== 0)) throw new Error("warm tx failed")
}
for (const set of extraWarm) {
  const chain = await start()
  for (const tx of set) { const r = await chain.checkTx(tx); if (r.code !== 0) throw new Error(`warm CheckTx: ${r.log}`) }
}
import { Session } from "node:inspector/promises"
import { writeFileSync } from "node:fs"
const session = process.env.PROF ? new Session() : undefined
if (session) { session.connect(); await session.post("Profiler.enable"); await session.post("Profiler.setSamplingInterval", { interval: 100 }) }
const profStart = async () => { if (session) await session.post("Profiler.start") }
const profStop = async (name: string) => { if (session) { const { profile } = await session.post("Profiler.stop"); writeFileSync(`${OUT}/${process.env.PROF}-${name}.cpuprofile`, JSON.stringify(profile)) } }
// CheckTx, decode cold
if (process.env.REWARM) {
  const chain = await start()
  const c = process.threadCpuUsage()
  for (const tx of warm) { const r = await chain.checkTx(tx); if (r.code !== 0) throw new Error(`CheckTx: ${r.log}`) }
  const cc = process.threadCpuUsage(c); out.rewarmCpu = +((cc.user + cc.system) / N).toFixed(1)
}
if (process.env.ONLY !== "fin") {
  const chain = await start()
  if (process.env.PREDECODE) for (const tx of txs) chain.auth.decode(tx)
  const v0 = S.verifyStats.verified
  await profStart()
  if (process.env.MARK) console.log("=== cold check start")
  const cpu0 = process.threadCpuUsage(); const t = performance.now()
  // CHUNKS=k: also the CPU of each k-th of the pass (a falling series means the JIT was still warming up)
  const chunks = Number(process.env.CHUNKS ?? 1), chunkCpu: number[] = []
  let cc0 = process.threadCpuUsage()
  for (const [i, tx] of txs.entries()) {
    const r = await chain.checkTx(tx); if (r.code !== 0) throw new Error(`CheckTx: ${r.log}`)
    if ((i + 1) % Math.ceil(N / chunks) === 0 || i === N - 1) { const d = process.threadCpuUsage(cc0); chunkCpu.push(+((d.user + d.system) / Math.ceil(N / chunks)).toFixed(1)); cc0 = process.threadCpuUsage() }
  }
  if (chunks > 1) out.checkChunkCpu = chunkCpu
  if (process.env.MARK) console.log("=== cold check end")
  const wall = performance.now() - t; const cpu = process.threadCpuUsage(cpu0)
  await profStop("check")
  out.checkWall = +((wall * 1000) / N).toFixed(1); out.checkCpu = +((cpu.user + cpu.system) / N).toFixed(1)
  out.checkVerified = S.verifyStats.verified - v0
  // CheckTx again on a fresh chain, decode warm (recheck-like cost floor)
  const chain2 = await start()
  if (process.env.MARK) console.log("=== warm check start")
  await profStart()
  const c2 = process.threadCpuUsage(); const t2 = performance.now()
  for (const tx of txs) { const r = await chain2.checkTx(tx); if (r.code !== 0) throw new Error(`CheckTx: ${r.log}`) }
  await profStop("checkwarm")
  if (process.env.MARK) console.log("=== warm check end")
  out.checkWarmDecodeWall = +(((performance.now() - t2) * 1000) / N).toFixed(1)
  const cc2 = process.threadCpuUsage(c2); out.checkWarmDecodeCpu = +((cc2.user + cc2.system) / N).toFixed(1)
  // the same txs decoded, straight through auth's decoder (what a cold CheckTx pays to decode)
  const { decodeTx } = await import(`${ROOT}/modules/auth/TxDecoder.ts`)
  const c3 = process.threadCpuUsage()
  for (const tx of txs) decodeTx(tx, { maxTxBytes: 1 << 20 })
  const cc3 = process.threadCpuUsage(c3); out.decodeCpu = +((cc3.user + cc3.system) / N).toFixed(1)
}
// CheckTx as the node runs it: derive each tx's signature checks (the pool would verify them in its
// workers: stood in for by remembering them as verified), then CheckTx; block-thread CPU of both
if (process.env.ONLY !== "fin") {
  const chain = await start()
  const c = process.threadCpuUsage(); const t = performance.now()
  for (const tx of nodeTxs) {
    for (const k of await chain.app.signatureChecks([tx])) S.rememberVerified(k.pubkey, k.digest ?? sha(k.message), k.signature)
    const r = await chain.checkTx(tx); if (r.code !== 0) throw new Error(`CheckTx: ${r.log}`)
  }
  const wall = performance.now() - t; const cc = process.threadCpuUsage(c)
  out.nodeCheckWall = +((wall * 1000) / N).toFixed(1); out.nodeCheckCpu = +((cc.user + cc.system) / N).toFixed(1)
  out.nodeCheckVerified = S.verifyStats.verified
}
const req = { txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: 2n, time: { seconds: 1_700_000_100n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) }
let best = Infinity, bestCpu = Infinity
for (let b = 0; b < (process.env.ONLY === "check" ? 0 : BLOCKS); b++) {
  const chain = await start()
  if (b > 0) await profStart()
  const cpu0 = process.threadCpuUsage(); const t = performance.now()
  const res = await chain.app.finalizeBlock(req)
  const wall = performance.now() - t; const cpu = process.threadCpuUsage(cpu0)
  if (b > 0) await profStop("fin" + b)
  if (res.txResults.some((r: any) => r.code !== 0)) throw new Error("tx failed")
  best = Math.min(best, wall); bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000)
  if (b === 0) {
    const h = createHash("sha256")
    for (const r of res.txResults) h.update(JSON.stringify([r.code, String(r.gasUsed), String(r.gasWanted), r.log, Buffer.from(r.data).toString("hex"), r.events.map((e: any) => [e.type, e.attributes.map((a: any) => [a.key, a.value, a.index])])]))
    out.results = h.digest("hex").slice(0, 16)
    out.appHash = Buffer.from(res.appHash).toString("hex").slice(0, 16)
    const t0 = performance.now(); await chain.app.commit(); out.commitMs = +(performance.now() - t0).toFixed(1)
  }
}
out.finWall = +((best * 1000) / N).toFixed(1); out.finCpu = +((bestCpu * 1000) / N).toFixed(1)
console.log(JSON.stringify(out))
