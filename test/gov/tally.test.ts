// The gov tally (modules/gov/internal/Tally.ts) against an independent computation in exact
// rationals: validator votes, delegator overrides, quorum, veto, weighted votes, unbonded validators.
import { VoteOption, type Vote } from "cosmjs-types/cosmos/gov/v1/gov"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { defaultGovParams } from "../../modules/gov/GovParams.ts"
import { tally, type StakingView } from "../../modules/gov/internal/Tally.ts"

const S = 10n ** 18n
const { YES, NO, ABSTAIN, VETO } = { YES: VoteOption.VOTE_OPTION_YES, NO: VoteOption.VOTE_OPTION_NO, ABSTAIN: VoteOption.VOTE_OPTION_ABSTAIN, VETO: VoteOption.VOTE_OPTION_NO_WITH_VETO }

interface Val { readonly op: string; readonly tokens: bigint; readonly shares: bigint; readonly bonded?: boolean }
interface Del { readonly delegator: string; readonly validator: string; readonly shares: bigint }
type Opts = ReadonlyArray<readonly [VoteOption, string]>

const view = (vals: Val[], dels: Del[]): StakingView => ({
  bondedValidators: () => vals.filter((v) => v.bonded !== false).map((v) => ({ operator: v.op, tokens: v.tokens, shares: v.shares * S })),
  delegations: (d) => dels.filter((x) => x.delegator === d).map((x) => ({ validator: x.validator, shares: x.shares * S })),
  totalBonded: () => vals.filter((v) => v.bonded !== false).reduce((a, v) => a + v.tokens, 0n)
})
const vote = (voter: string, opts: Opts): Vote => ({ proposalId: 1n, voter, metadata: "", options: opts.map(([option, weight]) => ({ option, weight })) })
// accounts "acc-X" vote as validator "val-X"
const valoperOf = (a: string) => a.replace(/^acc-/, "val-")

/** Fractions n/d with bigint parts. */
type Q = readonly [bigint, bigint]
const add = (a: Q, b: Q): Q => [a[0] * b[1] + b[0] * a[1], a[1] * b[1]]
const mul = (a: Q, b: Q): Q => [a[0] * b[0], a[1] * b[1]]
const gt = (a: Q, b: Q) => a[0] * b[1] > b[0] * a[1]
const lt = (a: Q, b: Q) => a[0] * b[1] < b[0] * a[1]
const weightQ = (w: string): Q => {
  const [i, f = ""] = w.split(".")
  return [BigInt(i! + f), 10n ** BigInt(f.length)]
}

/** The rules written out again, in exact arithmetic: what the tally must decide. */
const expected = (vals: Val[], dels: Del[], votes: ReadonlyArray<{ voter: string; opts: Opts }>, quorum: Q, threshold: Q, veto: Q) => {
  const bonded = vals.filter((v) => v.bonded !== false)
  const power = new Map<VoteOption, Q>([[YES, [0n, 1n]], [NO, [0n, 1n]], [ABSTAIN, [0n, 1n]], [VETO, [0n, 1n]]])
  let total: Q = [0n, 1n]
  const credit = (p: Q, opts: Opts) => {
    for (const [o, w] of opts) power.set(o, add(power.get(o)!, mul(p, weightQ(w))))
    total = add(total, p)
  }
  for (const v of bonded) {
    const own = votes.find((x) => valoperOf(x.voter) === v.op)
    // shares of delegators who voted themselves are theirs, not the validator's
    const overridden = dels.filter((d) => d.validator === v.op && votes.some((x) => x.voter === d.delegator)).reduce((a, d) => a + d.shares, 0n)
    if (own) credit([(v.shares - overridden) * v.tokens, v.shares], own.opts)
  }
  for (const x of votes) {
    for (const d of dels.filter((d) => d.delegator === x.voter)) {
      const v = bonded.find((b) => b.op === d.validator)
      if (v) credit([d.shares * v.tokens, v.shares], x.opts)
    }
  }
  const counts = [YES, ABSTAIN, NO, VETO].map((o) => power.get(o)![0] / power.get(o)![1])
  const supply = bonded.reduce((a, v) => a + v.tokens, 0n)
  const voting: Q = add(total, [-power.get(ABSTAIN)![0], power.get(ABSTAIN)![1]])
  const ratio = (q: Q): Q => [q[0] * voting[1], q[1] * voting[0]]
  let passes = false
  let reason = "threshold"
  if (supply === 0n) reason = "no stake"
  else if (lt([total[0], total[1] * supply], quorum)) reason = "quorum"
  else if (voting[0] === 0n) reason = "all abstain"
  else if (gt(ratio(power.get(VETO)!), veto)) reason = "veto"
  else passes = gt(ratio(power.get(YES)!), threshold)
  return { passes, reason, counts }
}

const params = defaultGovParams("boot")
const Q_QUORUM: Q = [334n, 1000n]
const Q_HALF: Q = [1n, 2n]
const run = (name: string, vals: Val[], dels: Del[], votes: ReadonlyArray<{ voter: string; opts: Opts }>, want: { passes: boolean; reason: string; burn: boolean }) =>
  test(name, () => {
    const got = tally(votes.map((v) => vote(v.voter, v.opts)), view(vals, dels), params, valoperOf)
    const exp = expected(vals, dels, votes, Q_QUORUM, Q_HALF, Q_QUORUM)
    assert.is(exp.passes, want.passes, `independent computation: passes (reason ${exp.reason})`)
    assert.is(exp.reason, want.reason)
    assert.is(got.passes, exp.passes, "passes")
    assert.is(got.burnDeposits, want.burn, "burn deposits")
    assert.equal([got.result.yesCount, got.result.abstainCount, got.result.noCount, got.result.noWithVetoCount], exp.counts.map(String), "counts (yes, abstain, no, veto)")
  })

const V1: Val = { op: "val-a", tokens: 600n, shares: 600n }
const V2: Val = { op: "val-b", tokens: 400n, shares: 400n }
const one = (o: VoteOption): Opts => [[o, "1.000000000000000000"]]

run("validators vote with all their delegated stake: 600 yes of 1000 passes", [V1, V2], [], [{ voter: "acc-a", opts: one(YES) }, { voter: "acc-b", opts: one(NO) }], { passes: true, reason: "threshold", burn: false })

run(
  "a delegator's own vote overrides its validator's for its shares: 500 yes / 500 no is not above one half",
  [V1, V2], [{ delegator: "acc-d", validator: "val-a", shares: 100n }],
  [{ voter: "acc-a", opts: one(YES) }, { voter: "acc-b", opts: one(NO) }, { voter: "acc-d", opts: one(NO) }],
  { passes: false, reason: "threshold", burn: false }
)

run(
  "a delegator who votes counts even when its validator does not",
  [V1, V2], [{ delegator: "acc-d", validator: "val-a", shares: 300n }],
  [{ voter: "acc-d", opts: one(YES) }, { voter: "acc-b", opts: one(NO) }],
  { passes: false, reason: "threshold", burn: false }
)

run(
  "quorum: 400 of 1400 bonded voting is under 0.334 (no burn: burn_vote_quorum is false)",
  [V1, V2, { op: "val-c", tokens: 400n, shares: 400n }], [], [{ voter: "acc-b", opts: one(YES) }],
  { passes: false, reason: "quorum", burn: false }
)

run(
  "veto above 1/3 of the non-abstaining power rejects and burns (burn_vote_veto)",
  [V1, V2], [], [{ voter: "acc-a", opts: one(YES) }, { voter: "acc-b", opts: one(VETO) }],
  { passes: false, reason: "veto", burn: true }
)

run(
  "weighted votes split power by weight; a slashed validator's shares are worth half their tokens",
  [{ op: "val-a", tokens: 500n, shares: 1000n }, V2], [{ delegator: "acc-d", validator: "val-a", shares: 200n }],
  [
    { voter: "acc-a", opts: [[YES, "0.5"], [NO, "0.25"], [ABSTAIN, "0.25"]] },
    { voter: "acc-d", opts: [[YES, "0.3"], [NO, "0.7"]] },
    { voter: "acc-b", opts: [[YES, "0.25"], [NO, "0.75"]] }
  ],
  { passes: false, reason: "threshold", burn: false }
)

run(
  "weighted yes majority passes",
  [V1, V2], [], [{ voter: "acc-a", opts: [[YES, "0.9"], [NO, "0.1"]] }, { voter: "acc-b", opts: [[YES, "0.5"], [ABSTAIN, "0.5"]] }],
  { passes: true, reason: "threshold", burn: false }
)

run(
  "unbonded validators and delegations to them do not count",
  [V1, { op: "val-b", tokens: 400n, shares: 400n, bonded: false }], [{ delegator: "acc-d", validator: "val-b", shares: 400n }],
  [{ voter: "acc-a", opts: one(NO) }, { voter: "acc-b", opts: one(YES) }, { voter: "acc-d", opts: one(YES) }],
  { passes: false, reason: "threshold", burn: false }
)

run("everyone abstaining fails without burning", [V1, V2], [], [{ voter: "acc-a", opts: one(ABSTAIN) }, { voter: "acc-b", opts: one(ABSTAIN) }], { passes: false, reason: "all abstain", burn: false })

run("no bonded stake: nothing passes", [], [], [{ voter: "acc-a", opts: one(YES) }], { passes: false, reason: "no stake", burn: false })

test("LegacyDec rounding: voting power is shares × tokens ÷ total shares, rounded half to even at 18 digits", () => {
  // 1 share of 3 on 10 tokens: 3.333...; the validator keeps 2 shares: 6.666...; both counted exactly to 18 digits
  const vals: Val[] = [{ op: "val-a", tokens: 10n, shares: 3n }]
  const dels: Del[] = [{ delegator: "acc-d", validator: "val-a", shares: 1n }]
  const got = tally([vote("acc-a", one(YES)), vote("acc-d", one(NO))], view(vals, dels), params, valoperOf)
  assert.is(got.result.yesCount, "6")
  assert.is(got.result.noCount, "3")
  assert.ok(got.passes, "6.67 of 10 yes")
})

test.run()
