// Out-of-gas atomicity of the distribution messages, measured against delivered gas (the
// conformance suite's check uses Simulate, which runs before beginBlock drains fee_collector and so
// overestimates delivery here). Three twin chains run the same history; at the checked block
// chain A delivers the message with ample gas (using u), chain B the same message with u − 1
// (same tx size), chain C a tx that fails validation (only the ante's fee and sequence stick). B
// must fail with code 11 and end with C's app hash: the message wrote nothing.
import { MsgDepositValidatorRewardsPool, MsgFundCommunityPool, MsgSetWithdrawAddress, MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission } from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import { MsgCreateValidator, MsgDelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { formatAddress, parseAddress } from "../../modules/auth/Address.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { DistributionMachine } from "../../modules/distribution/Distribution.ts"
import { Chain, makeKey, type Key } from "../machines/support/Chain.ts"
import { StakingDouble } from "./StakingDouble.ts"

const D = "/cosmos.distribution.v1beta1."
/** Gas limit of the ample run: its varint has the same length (3 bytes) as any u − 1 in 16,384..2,097,151. */
const AMPLE = 1_000_000

/** A bank MsgSend that fails validation (empty amount): a tx with only the ante's effects. */
const reference = (k: Key): Any => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: k.address, toAddress: k.address, amount: [] }).finish() })

const msgs = (k: Key): Record<string, Any> => {
  const val = formatAddress(parseAddress(k.address, "cyber"), "cybervaloper")
  return {
    fund: { typeUrl: D + "MsgFundCommunityPool", value: MsgFundCommunityPool.encode({ depositor: k.address, amount: [{ denom: "boot", amount: "77" }] }).finish() },
    withdrawAddress: { typeUrl: D + "MsgSetWithdrawAddress", value: MsgSetWithdrawAddress.encode({ delegatorAddress: k.address, withdrawAddress: formatAddress(new Uint8Array(20).fill(7), "cyber") }).finish() },
    withdraw: { typeUrl: D + "MsgWithdrawDelegatorReward", value: MsgWithdrawDelegatorReward.encode({ delegatorAddress: k.address, validatorAddress: val }).finish() },
    deposit: { typeUrl: D + "MsgDepositValidatorRewardsPool", value: MsgDepositValidatorRewardsPool.encode({ depositor: k.address, validatorAddress: val, amount: [{ denom: "boot", amount: "5000" }] }).finish() },
    commission: { typeUrl: D + "MsgWithdrawValidatorCommission", value: MsgWithdrawValidatorCommission.encode({ validatorAddress: val }).finish() },
    create: {
      typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
      value: MsgCreateValidator.encode(MsgCreateValidator.fromPartial({ validatorAddress: val, commission: { rate: "123000000000000000" }, value: { denom: "boot", amount: "3000001" } })).finish()
    },
    // a delegation change runs both hooks (withdraw + new starting info)
    delegate: { typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: MsgDelegate.encode({ delegatorAddress: k.address, validatorAddress: val, amount: { denom: "boot", amount: "1000" } }).finish() }
  }
}

test("every distribution message and hook path: 1 gas below delivered use gives code 11 and writes nothing", async () => {
  const k = await makeKey("distribution metering")
  const m = msgs(k)
  const open = async () => {
    const c = await Chain.open([new AuthMachine({ minGasPrices: "0.0001boot" }), new BankMachine(), new DistributionMachine(), new StakingDouble()])
    await c.init({ auth: { accounts: [] }, bank: { balances: [{ address: k.address, coins: [{ denom: "boot", amount: "1000000000000" }] }] }, distribution: {}, staking: {} })
    return c
  }
  const [a, b, c] = [await open(), await open(), await open()]
  const failures: string[] = []
  for (const name of ["create", "fund", "withdrawAddress", "delegate", "deposit", "withdraw", "commission"]) {
    const msg = m[name]!
    const ra = await a.tx(await a.sign(k, [msg], AMPLE))
    if (ra.code !== 0) failures.push(`${name}: ample gas: code ${ra.code} ${ra.log}`)
    const used = Number(ra.gasUsed)
    const rb = await b.tx(await b.sign(k, [msg], used - 1))
    const rc = await c.tx(await c.sign(k, [reference(k)], used - 1))
    if (rb.code !== 11) failures.push(`${name}: gas ${used - 1}: code ${rb.code} ${rb.log}`)
    if (rc.code === 0) failures.push(`${name}: the reference tx was accepted`)
    if (b.appHash() !== c.appHash()) failures.push(`${name}: out of gas changed state beyond the ante's fee and sequence`)
    // bring B and C to A's state: the same message with ample gas on both
    for (const t of [b, c]) {
      const r = await t.tx(await t.sign(k, [msg], AMPLE))
      if (r.code !== 0) failures.push(`${name}: rerun: code ${r.code} ${r.log}`)
    }
    if (b.appHash() !== c.appHash()) failures.push(`${name}: twins diverged after the rerun`)
  }
  assert.ok(failures.length === 0, failures.join("\n"))
  for (const t of [a, b, c]) await t.close()
})

test.run()
