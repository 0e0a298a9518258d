/**
 * CometBFT's light verifier test tables (cometbft v0.38 light/verifier_test.go
 * TestVerifyAdjacentHeaders, TestVerifyNonAdjacentHeaders), run through the whole 07-tendermint
 * client as MsgUpdateClient would: same validator powers (20, 30, 40, 50), same signer ranges,
 * times and trusting periods, so the powers in the errors (got 50 / needed 93, got 20 / needed 46)
 * are CometBFT's own expectations; the texts are ibc-go's wrapping of CometBFT's errors.
 * Keys are fixed seeds (CometBFT draws random ones; only the powers enter the results).
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { ClientState, ConsensusState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import type { ValidatorSet } from "cosmjs-types/tendermint/types/validator"
import { sdkSpecs } from "../../modules/ibc/commitment/MerkleProof.ts"
import { clientStateAny, consensusStateAny, headerAny, tendermintClient as tm } from "../../modules/ibc/lightclients/tendermint/TendermintClient.ts"
import { forgeCommit, HOUR, host, key, MemClientStore, SEC, synthHeader, toValidators, type Key } from "./lightclient-support.ts"

const keys = [key(11), key(12), key(13), key(14)]
const vals = toValidators(keys, 20n, 10n) // 20, 30, 40, 50
const bTime = BigInt(Date.UTC(2006, 0, 2, 15, 4, 5)) * 1_000_000n // 2006-01-02T15:04:05Z
const MIN = 60n * SEC

/** keys.GenSignedHeader(chainID, height, time, vals, nextVals, first, last): keys[first:last] sign. */
const gen = (ks: ReadonlyArray<Key>, chainId: string, height: bigint, timeNs: bigint, v: ValidatorSet, next: ValidatorSet, first: number, last: number) => {
  const header = synthHeader(chainId, height, timeNs, v, next)
  return { header, commit: forgeCommit(chainId, header, v, ks.slice(first, last)) }
}

/** A client trusting `gen(keys, chainId, 1, bTime, vals, vals)` with the given trusting period. */
const client = (chainId: string, trustingNs: bigint) => {
  const h1 = synthHeader(chainId, 1n, bTime, vals, vals)
  const store = new MemClientStore()
  tm.initialize(store, host(1n, bTime), clientStateAny(ClientState.fromPartial({
    chainId, trustLevel: { numerator: 1n, denominator: 3n }, trustingPeriod: { seconds: trustingNs / SEC, nanos: 0 },
    unbondingPeriod: { seconds: (trustingNs * 2n) / SEC, nanos: 0 }, maxClockDrift: { seconds: 10n, nanos: 0 },
    latestHeight: { revisionNumber: 0n, revisionHeight: 1n }, proofSpecs: sdkSpecs(), upgradePath: []
  })), consensusStateAny(ConsensusState.fromPartial({ timestamp: h1.time, root: { hash: h1.appHash }, nextValidatorsHash: h1.nextValidatorsHash })))
  return store
}

/** verifyClientMessage of an IBC header; "" when it passes, else "<codespace>/<code> <log>". */
const verify = (store: MemClientStore, nowNs: bigint, signed: ReturnType<typeof gen>, newVals: ValidatorSet): string => {
  const msg = headerAny({ signedHeader: signed, validatorSet: newVals, trustedHeight: { revisionNumber: 0n, revisionHeight: 1n }, trustedValidators: vals })
  try {
    tm.verifyClientMessage(store, host(2n, nowNs), msg)
    return ""
  } catch (e) {
    const c = e as { codespace: string; code: number; log: string }
    return `${c.codespace}/${c.code} ${c.log}`
  }
}

const adjacent = suite("CometBFT TestVerifyAdjacentHeaders through 07-tendermint")
const A = "TestVerifyAdjacentHeaders"
const F = "undefined/1 failed to verify header: "

adjacent("cases 0-10 (CometBFT light/verifier_test.go), with ibc-go's wrapping", () => {
  const s = (trusting = 3n * HOUR) => client(A, trusting)
  const now = bTime + 2n * HOUR
  // 0: the same header: ibc-go's Header.ValidateBasic refuses it before CometBFT sees it
  assert.is(verify(s(), now, gen(keys, A, 1n, bTime, vals, vals, 0, 4), vals), "07-tendermint/5 TrustedHeight {0 1} must be less than header height {0 1}: invalid header height")
  // 1: different chain id
  assert.is(verify(s(), now, gen(keys, "different-chainID", 2n, bTime + HOUR, vals, vals, 0, 4), vals),
    `${F}invalid header: untrustedHeader.ValidateBasic failed: header belongs to another chain "different-chainID", not "${A}"`)
  // 2: time before the trusted header's
  assert.is(verify(s(), now, gen(keys, A, 2n, bTime - HOUR, vals, vals, 0, 4), vals),
    `${F}invalid header: expected new header time 2006-01-02 14:04:05 +0000 UTC to be after old header time 2006-01-02 15:04:05 +0000 UTC`)
  // 3: from the future
  assert.is(verify(s(), now, gen(keys, A, 2n, bTime + 3n * HOUR, vals, vals, 0, 4), vals),
    `${F}invalid header: new header has a time from the future 2006-01-02 18:04:05 +0000 UTC (now: 2006-01-02 17:04:05 +0000 UTC; max clock drift: 10s)`)
  // 4: in the future but within max clock drift
  assert.is(verify(s(), now, gen(keys, A, 2n, now + 10n * SEC - 1_000_000n, vals, vals, 0, 4), vals), "")
  // 5, 6: 3/3 and 2/3 signed
  assert.is(verify(s(), now, gen(keys, A, 2n, bTime + HOUR, vals, vals, 0, 4), vals), "")
  assert.is(verify(s(), now, gen(keys, A, 2n, bTime + HOUR, vals, vals, 1, 4), vals), "")
  // 7: 1/3 signed: ErrInvalidHeader{ErrNotEnoughVotingPowerSigned{Got: 50, Needed: 93}}
  assert.is(verify(s(), now, gen(keys, A, 2n, bTime + HOUR, vals, vals, 3, 4), vals),
    `${F}invalid header: invalid commit -- insufficient voting power: got 50, needed more than 93`)
  // 8: validators that are not the trusted next validators
  const other = toValidators(keys, 10n, 1n)
  const r8 = verify(s(), now, gen(keys, A, 2n, bTime + HOUR, other, vals, 0, 4), other)
  assert.match(r8, new RegExp(`^${F}expected old header next validators \\([0-9A-F]{64}\\) to match those from new header \\([0-9A-F]{64}\\)$`))
  // 9: validators inconsistent with the header: ibc-go's Header.ValidateBasic refuses first
  assert.is(verify(s(), now, gen(keys, A, 2n, bTime + HOUR, vals, vals, 0, 4), other), "client/12 validator set does not match hash: invalid client header")
  // 10: trusted header expired (trusting period 1h, now = bTime + 1h)
  assert.is(verify(s(HOUR), bTime + HOUR, gen(keys, A, 2n, bTime + HOUR, vals, vals, 0, 4), vals),
    `${F}old header has expired at 2006-01-02 16:04:05 +0000 UTC (now: 2006-01-02 16:04:05 +0000 UTC)`)
})

adjacent.run()

const nonAdjacent = suite("CometBFT TestVerifyNonAdjacentHeaders through 07-tendermint")
const N = "TestVerifyNonAdjacentHeaders"

nonAdjacent("cases 0-5 (CometBFT light/verifier_test.go), with ibc-go's wrapping", () => {
  const now = bTime + 2n * HOUR
  const s = () => client(N, 3n * HOUR)
  const twoThirds = keys.slice(1), twoThirdsVals = toValidators(twoThirds, 30n, 10n)
  const oneThird = keys.slice(3), oneThirdVals = toValidators(oneThird, 50n, 10n)
  const lessThanOneThird = keys.slice(0, 1), lessThanOneThirdVals = toValidators(lessThanOneThird, 20n, 10n)
  // 0, 1: 3/3 and 2/3 of the new (= old) validators signed
  assert.is(verify(s(), now, gen(keys, N, 3n, bTime + HOUR, vals, vals, 0, 4), vals), "")
  assert.is(verify(s(), now, gen(keys, N, 4n, bTime + HOUR, vals, vals, 1, 4), vals), "")
  // 2: 1/3 of the new validators signed
  assert.is(verify(s(), now, gen(keys, N, 5n, bTime + HOUR, vals, vals, 3, 4), vals),
    `${F}invalid header: invalid commit -- insufficient voting power: got 50, needed more than 93`)
  // 3, 4: a new set holding 2/3 and 1/3 of the old power, all of it signing
  assert.is(verify(s(), now, gen(twoThirds, N, 5n, bTime + HOUR, twoThirdsVals, twoThirdsVals, 0, 3), twoThirdsVals), "")
  assert.is(verify(s(), now, gen(oneThird, N, 5n, bTime + HOUR, oneThirdVals, oneThirdVals, 0, 1), oneThirdVals), "")
  // 5: a new set holding less than 1/3 of the old power: ErrNewValSetCantBeTrusted{Got: 20, Needed: 46}
  assert.is(verify(s(), now, gen(lessThanOneThird, N, 5n, bTime + HOUR, lessThanOneThirdVals, lessThanOneThirdVals, 0, 1), lessThanOneThirdVals),
    `${F}cant trust new val set: invalid commit -- insufficient voting power: got 20, needed more than 46`)
})

nonAdjacent("a signature that does not verify, batch path (4 signatures): Go's %X of the CommitSig", () => {
  const now = bTime + 2n * HOUR
  const signed = gen(keys, N, 3n, bTime + HOUR, vals, vals, 0, 4)
  signed.commit.signatures[1] = { ...signed.commit.signatures[1]!, signature: new Uint8Array(64).fill(9) }
  const r = verify(client(N, 3n * HOUR), now, signed, vals)
  // Go's %X of a CommitSig is the hex of its String(): fingerprints (6 bytes) of signature and
  // address, the flag, the vote time (bTime + 1h + 1s) as RFC 3339
  const addr = Buffer.from(signed.commit.signatures[1]!.validatorAddress.subarray(0, 6)).toString("hex").toUpperCase()
  const text = `CommitSig{${"09".repeat(6)} by ${addr} on 2 @ 2006-01-02T16:04:06Z}`
  // the trusting check stops at the first validator (50 > 46) before #1; the +2/3 check of the new set reaches it
  assert.is(r, `${F}invalid header: wrong signature (#1): ${Buffer.from(text).toString("hex").toUpperCase()}`)
})

nonAdjacent.run()
