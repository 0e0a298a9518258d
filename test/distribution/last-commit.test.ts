// Fee allocation follows the block's last commit, as the SDK's (v0.50 BeginBlocker/AllocateTokens):
// the validators listed in decided_last_commit share by the power recorded there, found by consensus
// address; one missing from the commit gets nothing, an address staking does not know is skipped
// (its share stays in the community pool); a block without commit info uses the bonded set.
import { sha256 } from "@noble/hashes/sha2.js"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { QueryCommunityPoolRequest, QueryCommunityPoolResponse, QueryValidatorOutstandingRewardsRequest, QueryValidatorOutstandingRewardsResponse } from "cosmjs-types/cosmos/distribution/v1beta1/query"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { formatAddress, parseAddress } from "../../modules/auth/Address.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { DistributionMachine } from "../../modules/distribution/Distribution.ts"
import { StakingMachine } from "../../modules/staking/Staking.ts"
import { Chain, FEE_AMOUNT, makeKey, type Key } from "../machines/support/Chain.ts"

const E = 10n ** 18n
const F = BigInt(FEE_AMOUNT) // one harness tx's fee, boot
const valoper = (address: string) => formatAddress(parseAddress(address, "cyber"), "cybervaloper")
const cons = (tag: string) => sha256(new TextEncoder().encode(`last commit ${tag}`))
const consAddress = (key: Uint8Array) => sha256(key).subarray(0, 20)
const boot = (amount: bigint) => [{ denom: "boot", amount: amount.toString() }]

test("fees go to the validators of the last commit, by the power recorded there", async () => {
  const [a, b, x] = await Promise.all(["a", "b", "payer"].map((t) => makeKey(`last commit ${t}`))) as [Key, Key, Key]
  const chain = await Chain.open([
    new AuthMachine({ minGasPrices: "0.0001boot" }), new BankMachine(),
    new DistributionMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), new StakingMachine({ bech32Prefix: "cyber", bondDenom: "boot" })
  ])
  const validator = (k: Key, tokens: bigint) => ({
    operator_address: valoper(k.address),
    consensus_pubkey: { "@type": "/cosmos.crypto.ed25519.PubKey", key: Buffer.from(cons(k.address)).toString("base64") },
    status: "BOND_STATUS_BONDED", tokens: tokens.toString(), delegator_shares: `${tokens}.000000000000000000`, description: { moniker: "v" },
    // zero commission: a validator's outstanding rewards are its whole share
    commission: { commission_rates: { rate: "0.000000000000000000", max_rate: "0.200000000000000000", max_change_rate: "0.010000000000000000" }, update_time: "2023-11-14T22:13:20Z" },
    min_self_delegation: "1"
  })
  await chain.init({
    auth: { accounts: [] },
    bank: { balances: [...[a, b, x].map((k) => ({ address: k.address, coins: boot(10n ** 12n) })), { address: formatAddress(moduleAccountBytes("bonded_tokens_pool"), "cyber"), coins: boot(10_000_000n) }] },
    staking: {
      params: { unbonding_time: "1814400s", max_validators: 100, max_entries: 7, historical_entries: 0, bond_denom: "boot", min_commission_rate: "0.000000000000000000" },
      validators: [validator(a, 6_000_000n), validator(b, 4_000_000n)],
      delegations: [a, b].map((k, i) => ({ delegator_address: k.address, validator_address: valoper(k.address), shares: `${i === 0 ? 6_000_000 : 4_000_000}.000000000000000000` }))
    }
  })
  const outstanding = async (k: Key) => {
    const r = await chain.query("/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards", QueryValidatorOutstandingRewardsRequest.encode({ validatorAddress: valoper(k.address) }).finish())
    return BigInt(QueryValidatorOutstandingRewardsResponse.decode(r.value).rewards?.rewards.find((c) => c.denom === "boot")?.amount ?? "0")
  }
  const pool = async () => {
    const r = await chain.query("/cosmos.distribution.v1beta1.Query/CommunityPool", QueryCommunityPoolRequest.encode({}).finish())
    return BigInt(QueryCommunityPoolResponse.decode(r.value).pool.find((c) => c.denom === "boot")?.amount ?? "0")
  }
  const send = await chain.sign(x, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: x.address, toAddress: a.address, amount: boot(1n) }).finish() }])
  const block = async (txs: Uint8Array[], votes: Array<{ key: Uint8Array; power: bigint }>) => {
    const height = chain.height() + 1
    const res = await chain.app.finalizeBlock({
      txs, misbehavior: [], hash: sha256(new TextEncoder().encode(`h${height}`)), height: BigInt(height),
      decidedLastCommit: { round: 0, votes: votes.map((v) => ({ validator: { address: consAddress(v.key), power: v.power }, blockIdFlag: 2 })) },
      time: { seconds: 1_700_000_000n + BigInt(height) * 5n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
    })
    await chain.app.commit()
    for (const r of res.txResults) assert.is(r.code, 0, r.log)
  }
  const forValidators = (F * E * 98n) / 100n // (1 - 0.02 community tax) × fees, in 10^-18 units

  // 1. the commit lists only a (b joined later, say): a gets every validator share, b nothing
  await block([send], [])
  await block([], [{ key: cons(a.address), power: 6n }])
  assert.is(await outstanding(a), forValidators)
  assert.is(await outstanding(b), 0n)
  const pool1 = await pool()
  assert.is(pool1, F * E - forValidators, "the tax alone goes to the pool")

  // 2. the commit's powers, not staking's: 1 and 3 split 1:3 although staking says 6:4
  const send2 = await chain.sign(x, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: x.address, toAddress: a.address, amount: boot(1n) }).finish() }])
  await block([send2], [])
  const [a0, b0] = [await outstanding(a), await outstanding(b)]
  await block([], [{ key: cons(a.address), power: 1n }, { key: cons(b.address), power: 3n }])
  assert.is(await outstanding(a) - a0, forValidators / 4n)
  assert.is(await outstanding(b) - b0, (forValidators * 3n) / 4n)

  // 3. an address staking does not know is skipped: its share stays in the community pool
  const send3 = await chain.sign(x, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: x.address, toAddress: a.address, amount: boot(1n) }).finish() }])
  await block([send3], [])
  const [a1, p1] = [await outstanding(a), await pool()]
  await block([], [{ key: cons(a.address), power: 1n }, { key: cons("nobody"), power: 1n }])
  assert.is(await outstanding(a) - a1, forValidators / 2n)
  assert.is(await pool() - p1, F * E - forValidators / 2n)

  // 4. no commit info: the bonded set by its current power (6:4)
  const send4 = await chain.sign(x, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: x.address, toAddress: a.address, amount: boot(1n) }).finish() }])
  await block([send4], [])
  const [a2, b2] = [await outstanding(a), await outstanding(b)]
  await block([], [])
  assert.is(await outstanding(a) - a2, (forValidators * 6n) / 10n)
  assert.is(await outstanding(b) - b2, (forValidators * 4n) / 10n)
  await chain.close()
})

test.run()
