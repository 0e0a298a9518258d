/**
 * Groth16 verification benchmark (plugins/zk): verifications per second through the chain and
 * through the machine against snarkjs alone and @noble/curves alone, all in the same run, and the
 * gas constants derived from the measurements.
 *
 * Run: `npx node bench/zk.bench.ts [txs]` (default 60 MsgVerifyProof txs in one block). Circuits
 * (test/zk/fixtures/circuit.ts) are compiled with circom2 and set up with snarkjs on the first run
 * (cached in node_modules/.cache/cyberkernel-zk/). Prints, for a circuit with 2 public signals:
 *   - snarkjs.groth16.verify/s (async, its Wasm curve; key and proof objects parsed once);
 *   - noble/s, cold: parse and check key + prepare (e(alpha, beta), G2 line tables) + parse proof + verify;
 *   - noble/s, warm: parse proof + verify with the prepared key (what the machine does on a cache hit);
 *   - `zk.verify` through the executor (capability check, WIT decode, state read, gas), per second;
 *   - FinalizeBlock of `txs` signed MsgVerifyProof txs (ante, signature, fee, machine), per second;
 * then worst cases for gas (full-size public inputs; the machine's prepared-key cache missed), the
 * per-public-input cost (17 against 2 full-size signals), key checking cost, the node:crypto
 * secp256k1 verification time (the SDK charges 1,000 gas for it: the gas-per-millisecond reference)
 * and the gas constants: gas_per_pairing = (cache-miss verification of 2 full-size signals minus
 * their input cost) / 4; gas_per_public_input = the per-input time; gas_store_key = key checks
 * (3 G2 subgroup checks) less the per-point part; each rounded up to a multiple of 500 gas.
 */
import { encodeSecp256k1Pubkey } from "@cosmjs/amino"
import { fromBase64 } from "@cosmjs/encoding"
import { encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing"
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import * as snarkjs from "snarkjs"
import { clearVerifyCache, selectVerifier, verifySecp256k1 } from "../modules/auth/internal/Secp256k1.ts"
import { pluginHost } from "../plugins/Host.ts"
import createZk, { DEFAULT_PARAMS, MSG_STORE_KEY, MSG_VERIFY_PROOF, PAIRINGS_PER_VERIFY } from "../plugins/zk/Zk.ts"
import { zkCodecs } from "../plugins/zk/internal/Codecs.ts"
import { decodeKey, encodeKey, FIELD_R, parseKeyJson, parseProofJson, prepareKey, readKeyJson, verifyPrepared, type Refusals } from "../plugins/zk/internal/Groth16.ts"
import { CHAIN_ID, Chain, FEE_AMOUNT, makeKey, PLENTY_GAS, type Key } from "../test/machines/support/Chain.ts"
import { baseMachines, fundedGenesis } from "../test/machines/Fixture.ts"
import { callAs, grantProbe, probe } from "../test/machines/support/Probe.ts"
import { buildCircuit, keyHashOf, releaseSnarkjs, type Circuit } from "../test/zk/fixtures/circuit.ts"

const TXS = Number(process.argv[2] ?? 60)
const enc = (s: string) => new TextEncoder().encode(s)
const codecs = zkCodecs(pluginHost)
const refusals: Refusals = { malformedKey: (f, w) => new Error(`${f}: ${w}`), malformedProof: (f, w) => new Error(`${f}: ${w}`) }

const ROUNDS = 3
/** One timing: runs per second and milliseconds per run. */
interface Rate {
  readonly perSec: number
  readonly msEach: number
}
/** Milliseconds per run of `f` over at least `ms` milliseconds (after 2 warm-up runs). */
const once = async (ms: number, f: () => unknown): Promise<number> => {
  for (let i = 0; i < 2; i++) await f()
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    await f()
    n++
  }
  return (performance.now() - start) / n
}
/**
 * Time every candidate in {@link ROUNDS} interleaved rounds of `ms` each (the shared machine's load
 * drifts; interleaving spreads it over all candidates) and keep each one's median round.
 */
const measure = async <K extends string>(ms: number, fs: Record<K, () => unknown>): Promise<Record<K, Rate>> => {
  const names = Object.keys(fs) as K[]
  const runs = new Map<K, number[]>(names.map((k) => [k, []]))
  for (let r = 0; r < ROUNDS; r++) for (const k of names) runs.get(k)!.push(await once(ms, fs[k]))
  const out = {} as Record<K, Rate>
  for (const k of names) {
    const sorted = runs.get(k)!.sort((a, b) => a - b)
    const msEach = sorted[Math.floor(sorted.length / 2)]!
    out[k] = { perSec: 1000 / msEach, msEach }
  }
  return out
}
const rate = async (ms: number, f: () => unknown): Promise<Rate> => (await measure(ms, { f })).f
const fmt = (r: Rate) => `${r.perSec.toFixed(1)}/s (${r.msEach.toFixed(2)} ms)`

const small = await buildCircuit(1) // 2 public signals
const large = await buildCircuit(16) // 17 public signals
console.log(`circuits ready: ${small.publicSignals.length} and ${large.publicSignals.length} public signals`)

const nobleCold = (c: Circuit) => () => {
  const pk = prepareKey(parseKeyJson(enc(c.vkey), 64, refusals))
  if (!verifyPrepared(pk, parseProofJson(enc(c.proof), refusals), c.publicSignals.map(BigInt))) throw new Error("noble refused")
}
const nobleWarm = (c: Circuit) => {
  const pk = prepareKey(parseKeyJson(enc(c.vkey), 64, refusals))
  const proof = enc(c.proof)
  const inputs = c.publicSignals.map(BigInt)
  return () => {
    if (!verifyPrepared(pk, parseProofJson(proof, refusals), inputs)) throw new Error("noble refused")
  }
}
const snark = (c: Circuit) => {
  const vk = JSON.parse(c.vkey)
  const proof = JSON.parse(c.proof)
  return async () => {
    if (!(await snarkjs.groth16.verify(vk, c.publicSignals, proof))) throw new Error("snarkjs refused")
  }
}

// ---------------------------------------------------------------- libraries alone
// Worst-case costs for gas: full-size public inputs (the fixture's are small numbers, and a scalar
// multiplication costs by its bit length; the check then fails, at the same cost), and the
// machine's cache miss (canonical key from state decoded, prepared, then the verification).
const fullSize = (n: number) => Array.from({ length: n }, (_, i) => FIELD_R - 1n - BigInt(i) * 7919n)
const worst = (c: Circuit, prepared: boolean) => {
  const canonical = encodeKey(parseKeyJson(enc(c.vkey), 64, refusals))
  const pk = prepareKey(decodeKey(canonical))
  const proof = enc(c.proof)
  const inputs = fullSize(c.publicSignals.length)
  return () => verifyPrepared(prepared ? pk : prepareKey(decodeKey(canonical)), parseProofJson(proof, refusals), inputs)
}
const snarkWorst = (c: Circuit) => {
  const vk = JSON.parse(c.vkey)
  const proof = JSON.parse(c.proof)
  const inputs = fullSize(c.publicSignals.length).map(String)
  return () => snarkjs.groth16.verify(vk, inputs, proof)
}
const lib = await measure(1000, {
  sSmall: snark(small), coldSmall: nobleCold(small), warmSmall: nobleWarm(small),
  sLarge: snark(large), coldLarge: nobleCold(large), warmLarge: nobleWarm(large),
  sWorstSmall: snarkWorst(small), sWorstLarge: snarkWorst(large),
  worstWarmSmall: worst(small, true), worstWarmLarge: worst(large, true), missSmall: worst(small, false),
  keyChecks: () => parseKeyJson(enc(small.vkey), 64, refusals), keyRead: () => readKeyJson(enc(small.vkey), 64, refusals)
})
const { sSmall, coldSmall, warmSmall, sLarge, coldLarge, warmLarge, sWorstSmall, sWorstLarge, worstWarmSmall, worstWarmLarge, missSmall, keyChecks, keyRead } = lib

// ---------------------------------------------------------------- through the machine and the chain
const signer: Key = await makeKey("zk bench signer")
const chain = await Chain.open([...baseMachines(), createZk({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost })])
await chain.init(fundedGenesis({ signer: signer.address, other: signer.address }))
const stored = await chain.tx(await chain.sign(signer, [{ typeUrl: MSG_STORE_KEY, value: codecs.msgStoreKey.encode({ sender: signer.address, key: enc(small.vkey) }) }]))
if (stored.code !== 0) throw new Error(`store key: ${stored.log}`)
const keyHash = keyHashOf(small.vkey)
const body = codecs.verifyRequest.encode({ keyHash, proof: enc(small.proof), publicInputs: small.publicSignals })
const viaMachine = await rate(1000, () => {
  const p = probe(chain, [signer.address])
  grantProbe(p, "zk", "verify")
  const out = callAs(p, "zk", "verify", body)
  if (!out.ok || !codecs.verifyResponse.decode(out.value as Uint8Array).valid) throw new Error(`zk.verify: ${JSON.stringify(out)}`)
})

// a block of TXS signed MsgVerifyProof txs (sequences in order, signed ahead)
const { accountNumber, sequence } = await chain.account(signer.address)
const msg = { typeUrl: MSG_VERIFY_PROOF, value: codecs.msgVerifyProof.encode({ sender: signer.address, keyHash, proof: enc(small.proof), publicInputs: small.publicSignals }) }
const txs: Uint8Array[] = []
for (let i = 0; i < TXS; i++) {
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [msg], memo: "" })).finish()
  const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(signer.pubkey)), sequence: sequence + BigInt(i) }], [{ denom: "boot", amount: FEE_AMOUNT }], PLENTY_GAS, undefined, undefined)
  const { signature } = await signer.wallet.signDirect(signer.address, makeSignDoc(bodyBytes, authInfoBytes, CHAIN_ID, accountNumber))
  txs.push(TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish())
}
const t0 = performance.now()
const results = await chain.block(txs)
const blockMs = performance.now() - t0
const failed = results.filter((r) => r.code !== 0)
if (failed.length > 0) throw new Error(`${failed.length} txs failed: ${failed[0]!.log}`)
const gasUsed = results.reduce((s, r) => s + Number(r.gasUsed), 0) / TXS
const viaChain = { perSec: (TXS * 1000) / blockMs, msEach: blockMs / TXS }
await chain.close()

// ---------------------------------------------------------------- the gas reference: a secp256k1 verification (SDK: 1,000 gas)
const { secp256k1 } = await import("@noble/curves/secp256k1.js")
const { sha256 } = await import("@noble/hashes/sha2.js")
const sk = sha256(enc("zk bench secp"))
const pub = secp256k1.getPublicKey(sk, true)
const message = enc("reference message")
const sig = secp256k1.sign(sha256(message), sk, { prehash: false, lowS: true })
selectVerifier("node:crypto")
const secp = await rate(1000, () => {
  clearVerifyCache()
  if (!verifySecp256k1(pub, message, sig)) throw new Error("secp256k1 reference refused")
})
const gasPerMs = 1000 / secp.msEach

// ---------------------------------------------------------------- report
const perInputMs = (worstWarmLarge.msEach - worstWarmSmall.msEach) / (large.publicSignals.length - small.publicSignals.length)
const pairingMs = (missSmall.msEach - small.publicSignals.length * perInputMs) / PAIRINGS_PER_VERIFY
const up = (ms: number) => Math.ceil((ms * gasPerMs) / 500) * 500
console.log(`
Groth16 BN254, ${small.publicSignals.length} public signals:
  snarkjs.groth16.verify alone            ${fmt(sSmall)}
  @noble/curves cold (parse+prepare+verify) ${fmt(coldSmall)}  (${(coldSmall.perSec / sSmall.perSec).toFixed(2)}x snarkjs)
  @noble/curves warm (prepared key)       ${fmt(warmSmall)}  (${(warmSmall.perSec / sSmall.perSec).toFixed(2)}x snarkjs)
  zk.verify through the executor          ${fmt(viaMachine)}  (${(viaMachine.perSec / sSmall.perSec).toFixed(2)}x snarkjs)
  MsgVerifyProof txs, FinalizeBlock of ${TXS} ${fmt(viaChain)}  (${(viaChain.perSec / sSmall.perSec).toFixed(2)}x snarkjs), ${gasUsed.toFixed(0)} gas per tx
Groth16 BN254, ${large.publicSignals.length} public signals:
  snarkjs.groth16.verify alone            ${fmt(sLarge)}
  @noble/curves cold                      ${fmt(coldLarge)}  (${(coldLarge.perSec / sLarge.perSec).toFixed(2)}x snarkjs)
  @noble/curves warm                      ${fmt(warmLarge)}  (${(warmLarge.perSec / sLarge.perSec).toFixed(2)}x snarkjs)
Full-size inputs (the check fails at the same cost): snarkjs ${fmt(sWorstSmall)} (2 signals), ${fmt(sWorstLarge)} (17 signals);
  @noble/curves warm ${fmt(worstWarmSmall)} (2 signals, ${(worstWarmSmall.perSec / sWorstSmall.perSec).toFixed(2)}x snarkjs), ${fmt(worstWarmLarge)} (17 signals, ${(worstWarmLarge.perSec / sWorstLarge.perSec).toFixed(2)}x snarkjs);
  the machine's prepared-key cache missed: ${fmt(missSmall)} (2 signals)
Costs: per public input ${perInputMs.toFixed(3)} ms; per pairing (cache miss / ${PAIRINGS_PER_VERIFY}) ${pairingMs.toFixed(2)} ms;
  key checks ${keyChecks.msEach.toFixed(2)} ms (JSON read alone ${keyRead.msEach.toFixed(3)} ms); node:crypto secp256k1 verify ${secp.msEach.toFixed(3)} ms = 1,000 gas -> ${gasPerMs.toFixed(0)} gas/ms
Derived gas (rounded up to 500): gas_per_pairing ${up(pairingMs)}, gas_per_public_input ${up(perInputMs)}, gas_store_key ${up(keyChecks.msEach - (small.publicSignals.length + 1) * perInputMs)}
Defaults in plugins/zk/Zk.ts: gas_per_pairing ${DEFAULT_PARAMS.gasPerPairing}, gas_per_public_input ${DEFAULT_PARAMS.gasPerPublicInput}, gas_store_key ${DEFAULT_PARAMS.gasStoreKey}
  -> a 2-signal verification is charged ${4n * DEFAULT_PARAMS.gasPerPairing + 2n * DEFAULT_PARAMS.gasPerPublicInput} gas`)
await releaseSnarkjs()
