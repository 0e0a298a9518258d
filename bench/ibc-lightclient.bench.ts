/**
 * 07-tendermint header verification cost (modules/ibc/lightclients/tendermint): one
 * MsgUpdateClient's verifyClientMessage for a non-adjacent header signed by every validator of
 * a set of n (1, 4, 32, 100, 150) equal-power validators, against the cost of one @noble/curves
 * ed25519 verify measured in the same run (the baseline: what the client spends its time on).
 * Non-adjacent verification checks signatures until 1/3 of the trusted power and until 2/3 of the
 * new set's power is counted; a signature both checks reach is verified once.
 *
 * Run: `npx node bench/ibc-lightclient.bench.ts [rounds=10]`.
 */
import { ed25519 } from "@noble/curves/ed25519.js"
import { ClientState, ConsensusState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import { sdkSpecs } from "../modules/ibc/commitment/MerkleProof.ts"
import { clientStateAny, consensusStateAny, headerAny, tendermintClient as tm } from "../modules/ibc/lightclients/tendermint/TendermintClient.ts"
import { forgeCommit, host, key, MemClientStore, SEC, synthHeader, toValidators } from "../test/ibc/lightclient-support.ts"

const rounds = Number(process.argv[2] ?? 10)
const T0 = 1_800_000_000n * SEC

const baseline = (): number => {
  const seed = new Uint8Array(32).fill(3)
  const pub = ed25519.getPublicKey(seed)
  const msg = new Uint8Array(110).fill(1)
  const sig = ed25519.sign(msg, seed)
  for (let i = 0; i < 50; i++) ed25519.verify(sig, msg, pub, { zip215: true })
  const n = 300
  const s = performance.now()
  for (let i = 0; i < n; i++) ed25519.verify(sig, msg, pub, { zip215: true })
  return (performance.now() - s) / n
}

const perHeader = (n: number): number => {
  const keys = Array.from({ length: n }, (_, i) => key(i + 1))
  const vals = toValidators(keys, 10n, 0n)
  const chainId = "bench-1"
  const signed = (h: bigint) => {
    const header = synthHeader(chainId, h, T0 + h * SEC, vals, vals)
    return { header, commit: forgeCommit(chainId, header, vals, keys) }
  }
  const h1 = signed(1n).header
  const store = new MemClientStore()
  tm.initialize(store, host(1n, T0 + 10n * SEC), clientStateAny(ClientState.fromPartial({
    chainId, trustLevel: { numerator: 1n, denominator: 3n }, trustingPeriod: { seconds: 3600n, nanos: 0 }, unbondingPeriod: { seconds: 7200n, nanos: 0 },
    maxClockDrift: { seconds: 10n, nanos: 0 }, latestHeight: { revisionNumber: 1n, revisionHeight: 1n }, proofSpecs: sdkSpecs()
  })), consensusStateAny(ConsensusState.fromPartial({ timestamp: h1.time, root: { hash: h1.appHash }, nextValidatorsHash: h1.nextValidatorsHash })))
  const msgs = Array.from({ length: rounds + 1 }, (_, i) => headerAny({
    signedHeader: signed(BigInt(i + 3)), validatorSet: vals, trustedHeight: { revisionNumber: 1n, revisionHeight: 1n }, trustedValidators: vals
  }))
  const hc = host(2n, T0 + 600n * SEC)
  tm.verifyClientMessage(store, hc, msgs[0]!) // warm-up
  const s = performance.now()
  for (const m of msgs.slice(1)) tm.verifyClientMessage(store, hc, m)
  return (performance.now() - s) / rounds
}

const base = baseline()
console.log(`ed25519 verify (@noble/curves, baseline): ${base.toFixed(3)} ms`)
for (const n of [1, 4, 32, 100, 150]) {
  const ms = perHeader(n)
  console.log(`${String(n).padStart(3)} validators: ${ms.toFixed(2)} ms per non-adjacent header = ${(ms / base).toFixed(1)} verifies`)
}
