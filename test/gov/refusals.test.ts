// Refused gov messages: each gives its typed error (codespace and code) with a log naming the
// problem, and leaves the gov namespace and the balances as they were.
import { MsgExecLegacyContent, MsgUpdateParams } from "cosmjs-types/cosmos/gov/v1/tx"
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import * as B1Tx from "cosmjs-types/cosmos/gov/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { defaultGovParams } from "../../modules/gov/GovParams.ts"
import { depositMsg, GovChain, MIN_DEPOSIT, sendMsg, submitMsg, voteMsg, weightedMsg } from "./support/GovChain.ts"

const test = suite("gov refusals")
let c: GovChain
test.before(async () => {
  c = await GovChain.open({ params: { max_deposit_period: "100000s", voting_period: "100000s" } })
  const { a } = c.keys
  // proposal 1 in its deposit period, proposal 2 voting
  assert.is((await c.tx(a, submitMsg(a.address, [], 200_000n))).code, 0)
  assert.is((await c.tx(a, submitMsg(a.address, [], MIN_DEPOSIT))).code, 0)
})
test.after(async () => {
  await c.close()
})

const YES = VoteOption.VOTE_OPTION_YES
const legacy = (authority: string): Any => ({ typeUrl: "/cosmos.gov.v1.MsgExecLegacyContent", value: MsgExecLegacyContent.encode({ authority, content: undefined }).finish() })
const updateParams = (authority: string, over: Record<string, unknown> = {}): Any => ({
  typeUrl: "/cosmos.gov.v1.MsgUpdateParams",
  value: MsgUpdateParams.encode({ authority, params: { ...defaultGovParams("boot"), ...over } }).finish()
})

const cases: ReadonlyArray<{ name: string; msg: () => Any; codespace: string; code: number; log: RegExp }> = [
  { name: "vote on a proposal in its deposit period", msg: () => voteMsg(c.keys.a.address, 1n, YES), codespace: "gov", code: 3, log: /inactive proposal/ },
  { name: "vote on an unknown proposal", msg: () => voteMsg(c.keys.a.address, 99n, YES), codespace: "gov", code: 2, log: /99: unknown proposal/ },
  { name: "vote with an invalid option", msg: () => voteMsg(c.keys.a.address, 2n, 9), codespace: "gov", code: 7, log: /invalid vote option/ },
  { name: "weights summing below 1", msg: () => weightedMsg(c.keys.a.address, 2n, [[1, "0.5"], [3, "0.4"]]), codespace: "gov", code: 7, log: /lower than 1/ },
  { name: "weights summing above 1", msg: () => weightedMsg(c.keys.a.address, 2n, [[1, "0.7"], [3, "0.4"]]), codespace: "gov", code: 7, log: /overflow/ },
  { name: "an option twice", msg: () => weightedMsg(c.keys.a.address, 2n, [[1, "0.5"], [1, "0.5"]]), codespace: "gov", code: 7, log: /duplicated/ },
  { name: "a malformed weight", msg: () => weightedMsg(c.keys.a.address, 2n, [[1, "1e0"]]), codespace: "gov", code: 7, log: /invalid weight/ },
  {
    name: "a v1beta1 weight that is not LegacyDec wire text",
    msg: () => ({ typeUrl: "/cosmos.gov.v1beta1.MsgVoteWeighted", value: B1Tx.MsgVoteWeighted.encode({ proposalId: 2n, voter: c.keys.a.address, options: [{ option: 1, weight: "1.0" }] }).finish() }),
    codespace: "gov", code: 7, log: /LegacyDec wire text/
  },
  {
    name: "v1beta1 weights summing below 1",
    msg: () => ({ typeUrl: "/cosmos.gov.v1beta1.MsgVoteWeighted", value: B1Tx.MsgVoteWeighted.encode({ proposalId: 2n, voter: c.keys.a.address, options: [{ option: 1, weight: "900000000000000000" }] }).finish() }),
    codespace: "gov", code: 7, log: /lower than 1/
  },
  { name: "no options", msg: () => weightedMsg(c.keys.a.address, 2n, []), codespace: "sdk", code: 18, log: /cannot be empty/ },
  { name: "deposit to an unknown proposal", msg: () => depositMsg(c.keys.a.address, 99n, 200_000n), codespace: "gov", code: 2, log: /unknown proposal/ },
  { name: "deposit in a denom min_deposit does not list", msg: () => depositMsg(c.keys.a.address, 1n, 200_000n, "uatom"), codespace: "gov", code: 23, log: /accepts only the following denom/ },
  { name: "deposit below min_deposit × min_deposit_ratio", msg: () => depositMsg(c.keys.a.address, 1n, 5n), codespace: "gov", code: 16, log: /need at least one of the following: 100000boot/ },
  { name: "deposit beyond the balance", msg: () => depositMsg(c.keys.a.address, 1n, 10n ** 30n), codespace: "sdk", code: 5, log: /insufficient/ },
  { name: "expedited proposal", msg: () => submitMsg(c.keys.a.address, [], 200_000n, { expedited: true }), codespace: "gov", code: 21, log: /expedited proposals are not supported/ },
  { name: "empty title", msg: () => submitMsg(c.keys.a.address, [], 200_000n, { title: "" }), codespace: "gov", code: 5, log: /title cannot be empty/ },
  { name: "title over 255", msg: () => submitMsg(c.keys.a.address, [], 200_000n, { title: "t".repeat(256) }), codespace: "gov", code: 24, log: /title too long/ },
  { name: "metadata over 255 UTF-8 bytes (128 two-byte characters)", msg: () => submitMsg(c.keys.a.address, [], 200_000n, { metadata: "é".repeat(128) }), codespace: "gov", code: 15, log: /256 bytes, over 255/ },
  { name: "legacy content", msg: () => submitMsg(c.keys.a.address, [legacy(c.keys.gov)], 200_000n), codespace: "sdk", code: 37, log: /MsgExecLegacyContent .*not supported/ },
  { name: "a proposal message signed by someone else", msg: () => submitMsg(c.keys.a.address, [sendMsg(c.keys.a.address, c.keys.x, "1")], 200_000n), codespace: "gov", code: 13, log: /governance authority/ },
  { name: "a proposal message no machine routes", msg: () => submitMsg(c.keys.a.address, [{ typeUrl: "/nowhere.MsgX", value: new Uint8Array() }], 200_000n), codespace: "gov", code: 10, log: /nowhere\.MsgX/ },
  { name: "MsgUpdateParams outside a proposal", msg: () => updateParams(c.keys.a.address), codespace: "gov", code: 13, log: /invalid authority; expected cyber1/ },
  { name: "no initial deposit while min_deposit_ratio is 0.01", msg: () => submitMsg(c.keys.a.address, [], 0n), codespace: "gov", code: 16, log: /need at least one/ }
]

for (const k of cases) {
  test(`refused: ${k.name} (${k.codespace} ${k.code}), nothing changes`, async () => {
    const before = c.chain.dump("gov")
    const balance = await c.balance(c.keys.a.address)
    const r = await c.tx(c.keys.a, k.msg())
    assert.is(`${r.codespace} ${r.code}`, `${k.codespace} ${k.code}`, r.log)
    assert.match(r.log, k.log)
    assert.equal(c.chain.dump("gov"), before, "gov namespace unchanged")
    assert.is(await c.balance(c.keys.a.address), balance - 1_000_000n, "only the fee was paid")
  })
}

test.run()
