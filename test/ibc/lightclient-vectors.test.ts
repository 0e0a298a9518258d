/**
 * Table vectors from ibc-go's and CometBFT's own tests for the 07-tendermint helpers, and Go's
 * formatting that ibc-go's error texts carry (sources in test/fixtures/ibc/README.md).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { ClientState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import { sdkSpecs } from "../../modules/ibc/commitment/MerkleProof.ts"
import { isRevisionFormat, parseChainId, setRevisionNumber, validateClientState } from "../../modules/ibc/lightclients/tendermint/ClientState.ts"
import { goDuration, goRfc3339Nano, goTime, protoTextValidatorSet } from "../../modules/ibc/lightclients/tendermint/internal/GoFormat.ts"

test("ParseChainID / IsRevisionFormat (ibc-go 02-client/types/height_test.go TestParseChainID)", () => {
  const cases: Array<[string, bigint, boolean]> = [
    ["gaiamainnet-3", 3n, true], ["a-1", 1n, true], ["gaia-mainnet-40", 40n, true], ["gaiamainnet-3-39", 39n, true],
    ["gaiamainnet--", 0n, false], ["gaiamainnet-03", 0n, false], ["gaiamainnet--4", 0n, false], ["gaiamainnet-3.4", 0n, false],
    ["gaiamainnet", 0n, false], ["gaiamain\nnet-1", 0n, false], ["gaiamainnet-1\n", 0n, false], ["gaiamainnet\n-3", 0n, false],
    ["a--1", 0n, false], ["-1", 0n, false], ["--1", 0n, false]
  ]
  for (const [id, rev, formatted] of cases) {
    assert.is(isRevisionFormat(id), formatted, JSON.stringify(id))
    assert.is(parseChainId(id), rev, JSON.stringify(id))
  }
})

test("SetRevisionNumber (ibc-go height_test.go TestSetRevisionNumber)", () => {
  assert.is(setRevisionNumber("gaiamainnet-3", 4n), "gaiamainnet-4")
  assert.is(setRevisionNumber("gaiamainnet", 3n), "gaiamainnet", "not in revision format: unchanged (ibc-go returns an error the client ignores)")
})

test("ValidateTrustLevel (CometBFT light/verifier_test.go TestValidateTrustLevel) through ClientState.Validate", () => {
  const base = ClientState.fromPartial({
    chainId: "gaia-1", trustingPeriod: { seconds: 100n, nanos: 0 }, unbondingPeriod: { seconds: 200n, nanos: 0 },
    maxClockDrift: { seconds: 10n, nanos: 0 }, latestHeight: { revisionNumber: 1n, revisionHeight: 5n }, proofSpecs: sdkSpecs()
  })
  const cases: Array<[bigint, bigint, boolean]> = [[1n, 1n, true], [1n, 3n, true], [2n, 3n, true], [3n, 3n, true], [4n, 5n, true], [6n, 5n, false], [0n, 1n, false], [0n, 0n, false], [1n, 0n, false]]
  for (const [n, d, ok] of cases) {
    let err: { codespace: string; code: number; log: string } | undefined
    try { validateClientState({ ...base, trustLevel: { numerator: n, denominator: d } }) } catch (e) { err = e as typeof err }
    assert.is(err === undefined, ok, `${n}/${d}`)
    if (!ok) assert.is(`${err!.codespace}/${err!.code} ${err!.log}`, `undefined/1 trustLevel must be within [1/3, 1], given ${n}/${d}`)
  }
})

test("Go's time.Duration String (go src/time/time_test.go durationTests)", () => {
  const ns = 1n, us = 1000n, ms = 1_000_000n, s = 1_000_000_000n, min = 60n * s, h = 60n * min
  const cases: Array<[bigint, string]> = [
    [0n, "0s"], [1n * ns, "1ns"], [1100n * ns, "1.1µs"], [2200n * us, "2.2ms"], [3300n * ms, "3.3s"], [4n * min + 5n * s, "4m5s"],
    [4n * min + 5001n * ms, "4m5.001s"], [5n * h + 6n * min + 7001n * ms, "5h6m7.001s"], [8n * min + 1n * ns, "8m0.000000001s"],
    [(1n << 63n) - 1n, "2562047h47m16.854775807s"], [-(1n << 63n), "-2562047h47m16.854775808s"]
  ]
  for (const [d, want] of cases) assert.is(goDuration(d), want)
})

test("Go's time.Time %v of UTC times (the form CometBFT's light errors print)", () => {
  assert.is(goTime(0n), "1970-01-01 00:00:00 +0000 UTC")
  assert.is(goTime(BigInt(Date.UTC(2009, 10, 10, 23, 0, 0)) * 1_000_000n), "2009-11-10 23:00:00 +0000 UTC")
  assert.is(goTime(BigInt(Date.UTC(2006, 0, 2, 15, 4, 5)) * 1_000_000n + 999_999_999n), "2006-01-02 15:04:05.999999999 +0000 UTC")
  assert.is(goTime(BigInt(Date.UTC(2024, 1, 29, 12, 0, 0)) * 1_000_000n + 120_000_000n), "2024-02-29 12:00:00.12 +0000 UTC")
  assert.is(goTime(-62_135_596_800n * 1_000_000_000n), "0001-01-01 00:00:00 +0000 UTC", "Go's zero time")
  // time.RFC3339Nano (CometBFT's CanonicalTime in CommitSig.String)
  assert.is(goRfc3339Nano(BigInt(Date.UTC(2006, 0, 2, 15, 4, 5)) * 1_000_000n + 999_999_999n), "2006-01-02T15:04:05.999999999Z")
  assert.is(goRfc3339Nano(BigInt(Date.UTC(2006, 0, 2, 15, 4, 5)) * 1_000_000n), "2006-01-02T15:04:05Z")
})

test("gogoproto CompactTextString of a ValidatorSet (Go's %s in ibc-go's trusted-validators error)", () => {
  const v = { address: Uint8Array.of(0x41, 0x00, 0x22, 0x5c, 0x7f, 0x0a), pubKey: { ed25519: Uint8Array.of(0x7e, 0x20, 0xff, 0x09) }, votingPower: 10n, proposerPriority: -3n }
  const w = { address: Uint8Array.of(0x42), pubKey: { ed25519: Uint8Array.of(0x0d) }, votingPower: 0n, proposerPriority: 0n }
  assert.is(protoTextValidatorSet({ validators: [v, w], proposer: v, totalVotingPower: 10n }),
    'validators:<address:"A\\000\\"\\\\\\177\\n" pub_key:<ed25519:"~ \\377\\t" > voting_power:10 proposer_priority:-3 > ' +
    'validators:<address:"B" pub_key:<ed25519:"\\r" > > ' +
    'proposer:<address:"A\\000\\"\\\\\\177\\n" pub_key:<ed25519:"~ \\377\\t" > voting_power:10 proposer_priority:-3 > total_voting_power:10 ')
})

test.run()
