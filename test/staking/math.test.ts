// LegacyDec shares/tokens math of the staking keeper against an independent integer computation,
// and the clock-free RFC 3339 / duration text of chain/Time.ts.
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { decString, parseDecString, parseDecWire } from "../../modules/staking/Dec.ts"
import { Keeper } from "../../modules/staking/internal/Keeper.ts"
import { formatDuration, formatTimestamp, parseDuration, parseTimestamp } from "../../chain/Time.ts"
import { stakingConfig } from "../../modules/staking/StakingConfig.ts"

const D = 10n ** 18n
const k = new Keeper(stakingConfig())
const val = (tokens: bigint, shares: bigint) => ({ tokens: tokens.toString(), delegatorShares: shares.toString() }) as Validator

test("shares from tokens truncate: shares * amount / tokens on the 10^18-scaled value", () => {
  // 3 tokens backing 4 shares (an exchange rate a slash would leave)
  const v = val(3n, 4n * D)
  assert.is(k.sharesFromTokens(v, 1n), (4n * D) / 3n) // 1.333333333333333333
  assert.is(k.sharesFromTokens(v, 1n), 1_333_333_333_333_333_333n)
  assert.is(k.sharesFromTokens(val(1_000_000n, 1_000_000n * D), 7n), 7n * D)
})

test("tokens from shares: (shares * tokens) * 10^18 / delegatorShares truncated", () => {
  const v = val(3n, 4n * D)
  // 1 share of 4 backs 0.75 tokens
  assert.is(k.tokensFromShares(v, D), 750_000_000_000_000_000n)
  const odd = val(1_000_001n, 999_999n * D)
  const shares = 12_345n * D + 6789n
  const expected = (shares * 1_000_001n * D) / (999_999n * D)
  assert.is(k.tokensFromShares(odd, shares), expected)
})

test("Dec text forms", () => {
  assert.is(decString(1_500_000_000_000_000_000n), "1.500000000000000000")
  assert.is(decString(-5n), "-0.000000000000000005")
  assert.is(parseDecString("0.1", "x"), D / 10n)
  assert.is(parseDecString("12", "x"), 12n * D)
  assert.is(parseDecWire("1500000000000000000", "x"), 1_500_000_000_000_000_000n)
  assert.throws(() => parseDecWire("0.1", "x"), (e: { code?: number }) => e.code === 18)
  assert.throws(() => parseDecString("1.0000000000000000001", "x"), (e: { code?: number }) => e.code === 18)
})

test("RFC 3339 and durations without Date", () => {
  const cases: Array<[bigint, number]> = [[0n, 0], [1_700_000_000n, 0], [951_782_400n, 5], [4_102_444_800n, 123_000_000], [1_709_164_799n, 999_999_999]]
  for (const [seconds, nanos] of cases) {
    const text = formatTimestamp({ seconds, nanos })
    // the host clock is fine in a test: an independent reference
    const ref = new Date(Number(seconds) * 1000).toISOString().slice(0, 19)
    assert.is(text.slice(0, 19), ref, `${seconds}`)
    assert.equal(parseTimestamp(text, "t"), { seconds, nanos })
  }
  assert.equal(parseTimestamp("2024-02-29T01:00:00+01:00", "t"), { seconds: 1_709_164_800n, nanos: 0 })
  assert.is(formatDuration({ seconds: 1_814_400n, nanos: 0 }), "1814400s")
  assert.equal(parseDuration("1.5s", "d"), { seconds: 1n, nanos: 500_000_000 })
  assert.throws(() => parseDuration("5m", "d"), (e: { code?: number }) => e.code === 18)
})

test.run()
