// The staking machine (modules/staking) on a real chain: create, delegate, undelegate maturing at
// the right block time, redelegate, cancel unbonding, validator set updates (power change,
// removal), and bad input leaving state unchanged.
import { test } from "uvu"
import * as assert from "uvu/assert"
import {
  QueryDelegationRequest, QueryDelegationResponse, QueryPoolRequest, QueryPoolResponse, QueryRedelegationsRequest, QueryRedelegationsResponse,
  QueryUnbondingDelegationRequest, QueryUnbondingDelegationResponse, QueryValidatorRequest, QueryValidatorResponse, QueryValidatorsRequest,
  QueryValidatorsResponse
} from "cosmjs-types/cosmos/staking/v1beta1/query"
import { MsgUndelegateResponse, MsgBeginRedelegateResponse } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { BondStatus } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { FEE_AMOUNT } from "../machines/support/Chain.ts"
import { cancelUnbondingMsg, createValidatorMsg, delegateMsg, editValidatorMsg, redelegateMsg, undelegateMsg } from "./msgs.ts"
import { bondedPool, consKey, DEC, notBondedPool, StakingChain, valoper } from "./support.ts"

const Q = "/cosmos.staking.v1beta1.Query/"
const FEE = BigInt(FEE_AMOUNT)
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

const ok = (r: ResponseFinalizeBlock, what: string) => {
  const t = r.txResults[0]!
  assert.is(t.code, 0, `${what}: code ${t.code} ${t.codespace}: ${t.log}`)
  return t
}
const updates = (r: ResponseFinalizeBlock) => r.validatorUpdates.map((u) => [hex(u.pubKey.ed25519!), u.power] as const)

const validator = (c: StakingChain, op: string) =>
  c.query(Q + "Validator", QueryValidatorRequest.encode({ validatorAddr: valoper(op) }).finish(), QueryValidatorResponse.decode).then((r) => r.validator)
const pool = (c: StakingChain) => c.query(Q + "Pool", QueryPoolRequest.encode({}).finish(), QueryPoolResponse.decode).then((r) => r.pool)

test("genesis: the validator set goes to InitChain, pools match, queries answer", async () => {
  const c = await StakingChain.open()
  try {
    assert.equal(c.genesisValidators.map((v) => [hex(v.key), v.power]), [[hex(consKey("v0")), 10n]])
    const v = await validator(c, c.keys[0]!.address)
    assert.is(v.status, BondStatus.BOND_STATUS_BONDED)
    assert.is(v.tokens, "10000000")
    assert.is(v.delegatorShares, (10_000_000n * DEC).toString())
    assert.equal(await pool(c), { bondedTokens: "10000000", notBondedTokens: "0" })
  } finally {
    await c.close()
  }
})

test("create validator, delegate, power change in validator_updates, edit commission later", async () => {
  const c = await StakingChain.open()
  try {
    const [, k1, k2] = c.keys
    const before = await c.balance(k1!.address)
    const r = await c.tx(k1!, [createValidatorMsg(k1!.address, consKey("v1"), 5_000_000n)])
    ok(r, "create validator")
    assert.equal(updates(r), [[hex(consKey("v1")), 5n]])
    assert.is(await c.balance(k1!.address), before - 5_000_000n - FEE)
    const v1 = await validator(c, k1!.address)
    assert.is(v1.status, BondStatus.BOND_STATUS_BONDED)
    assert.is(v1.commission.commissionRates.rate, "100000000000000000")
    assert.equal(await pool(c), { bondedTokens: "15000000", notBondedTokens: "0" })

    const r2 = await c.tx(k2!, [delegateMsg(k2!.address, valoper(k1!.address), 3_000_000n)])
    ok(r2, "delegate")
    assert.equal(updates(r2), [[hex(consKey("v1")), 8n]])
    const d = await c.query(Q + "Delegation", QueryDelegationRequest.encode({ delegatorAddr: k2!.address, validatorAddr: valoper(k1!.address) }).finish(), QueryDelegationResponse.decode)
    // shares = amount * shares / tokens = 3e6 * 5e6e18 / 5e6
    assert.is(d.delegationResponse!.delegation.shares, (3_000_000n * DEC).toString())
    assert.is(d.delegationResponse!.balance.amount, "3000000")

    // a rate change inside 24 h is refused with the SDK's code
    const e = await c.tx(k1!, [editValidatorMsg(k1!.address, "110000000000000000")])
    assert.is(e.txResults[0]!.code, 12)
    assert.is(e.txResults[0]!.codespace, "staking")

    const all = await c.query(Q + "Validators", QueryValidatorsRequest.encode({ status: "BOND_STATUS_BONDED" }).finish(), QueryValidatorsResponse.decode)
    assert.is(all.validators.length, 2)
  } finally {
    await c.close()
  }
})

test("undelegate: tokens to the not-bonded pool, paid back exactly when the completion time is reached", async () => {
  const c = await StakingChain.open({ unbondingSeconds: 20n })
  try {
    const [k0, , k2] = c.keys
    const val = valoper(k0!.address)
    ok(await c.tx(k2!, [delegateMsg(k2!.address, val, 4_000_000n)]), "delegate")
    const afterDelegate = await c.balance(k2!.address)
    const r = await c.tx(k2!, [undelegateMsg(k2!.address, val, 1_500_000n)])
    const t = ok(r, "undelegate")
    const height = c.chain.height()
    const resp = MsgUndelegateResponse.decode(TxMsgData.decode(t.data).msgResponses[0]!.value)
    assert.is(resp.completionTime.seconds, StakingChain.timeAt(height) + 20n)
    assert.is(resp.amount.amount, "1500000")
    assert.equal(updates(r), [[hex(consKey("v0")), 12n]])
    assert.equal(await pool(c), { bondedTokens: "12500000", notBondedTokens: "1500000" })
    const ubd = await c.query(Q + "UnbondingDelegation", QueryUnbondingDelegationRequest.encode({ delegatorAddr: k2!.address, validatorAddr: val }).finish(), QueryUnbondingDelegationResponse.decode)
    assert.is(ubd.unbond.entries[0]!.balance, "1500000")
    // 20 s = 4 blocks of 5 s: still unbonding at +3 blocks, paid at +4
    for (let i = 0; i < 3; i++) await c.block([])
    assert.is(await c.balance(k2!.address), afterDelegate - FEE)
    await c.block([])
    assert.is(c.chain.height(), height + 4)
    assert.is(await c.balance(k2!.address), afterDelegate - FEE + 1_500_000n)
    assert.equal(await pool(c), { bondedTokens: "12500000", notBondedTokens: "0" })
    const gone = await c.chain.query(Q + "UnbondingDelegation", QueryUnbondingDelegationRequest.encode({ delegatorAddr: k2!.address, validatorAddr: val }).finish())
    assert.is(gone.code, 38)
  } finally {
    await c.close()
  }
})

test("redelegate: shares move at once, no transitive redelegation, entry matures", async () => {
  const c = await StakingChain.open({ unbondingSeconds: 20n })
  try {
    const [k0, k1, k2] = c.keys
    const v0 = valoper(k0!.address)
    const v1 = valoper(k1!.address)
    ok(await c.tx(k1!, [createValidatorMsg(k1!.address, consKey("v1"), 2_000_000n)]), "create")
    ok(await c.tx(k2!, [delegateMsg(k2!.address, v0, 3_000_000n)]), "delegate")
    const r = await c.tx(k2!, [redelegateMsg(k2!.address, v0, v1, 1_000_000n)])
    const t = ok(r, "redelegate")
    const height = c.chain.height()
    assert.is(MsgBeginRedelegateResponse.decode(TxMsgData.decode(t.data).msgResponses[0]!.value).completionTime.seconds, StakingChain.timeAt(height) + 20n)
    assert.equal(updates(r).sort(), [[hex(consKey("v0")), 12n], [hex(consKey("v1")), 3n]].sort())
    const reds = await c.query(Q + "Redelegations", QueryRedelegationsRequest.encode({ delegatorAddr: k2!.address, srcValidatorAddr: "", dstValidatorAddr: "" }).finish(), QueryRedelegationsResponse.decode)
    assert.is(reds.redelegationResponses.length, 1)
    assert.is(reds.redelegationResponses[0]!.entries[0]!.balance, "1000000")
    // both validators bonded: tokens stay in the bonded pool
    assert.equal(await pool(c), { bondedTokens: "15000000", notBondedTokens: "0" })
    // v1 received a redelegation still maturing: moving on from v1 is transitive
    const tr = await c.tx(k2!, [redelegateMsg(k2!.address, v1, v0, 500_000n)])
    assert.is(tr.txResults[0]!.code, 32)
    for (let i = 0; i < 4; i++) await c.block([])
    const after = await c.query(Q + "Redelegations", QueryRedelegationsRequest.encode({ delegatorAddr: k2!.address, srcValidatorAddr: "", dstValidatorAddr: "" }).finish(), QueryRedelegationsResponse.decode)
    assert.is(after.redelegationResponses.length, 0)
    ok(await c.tx(k2!, [redelegateMsg(k2!.address, v1, v0, 500_000n)]), "redelegate after maturity")
  } finally {
    await c.close()
  }
})

test("cancel unbonding: part, then the rest, delegation restored", async () => {
  const c = await StakingChain.open({ unbondingSeconds: 100n })
  try {
    const [k0, , k2] = c.keys
    const val = valoper(k0!.address)
    ok(await c.tx(k2!, [delegateMsg(k2!.address, val, 4_000_000n)]), "delegate")
    ok(await c.tx(k2!, [undelegateMsg(k2!.address, val, 2_000_000n)]), "undelegate")
    const h = BigInt(c.chain.height())
    const bad = await c.tx(k2!, [cancelUnbondingMsg(k2!.address, val, 3_000_000n, h)])
    assert.is(bad.txResults[0]!.code, 18)
    const notThere = await c.tx(k2!, [cancelUnbondingMsg(k2!.address, val, 1n, h + 100n)])
    assert.is(notThere.txResults[0]!.code, 38)
    ok(await c.tx(k2!, [cancelUnbondingMsg(k2!.address, val, 500_000n, h)]), "cancel part")
    const ubd = await c.query(Q + "UnbondingDelegation", QueryUnbondingDelegationRequest.encode({ delegatorAddr: k2!.address, validatorAddr: val }).finish(), QueryUnbondingDelegationResponse.decode)
    assert.is(ubd.unbond.entries[0]!.balance, "1500000")
    assert.is(ubd.unbond.entries[0]!.initialBalance, "1500000")
    assert.equal(await pool(c), { bondedTokens: "12500000", notBondedTokens: "1500000" })
    ok(await c.tx(k2!, [cancelUnbondingMsg(k2!.address, val, 1_500_000n, h)]), "cancel rest")
    const d = await c.query(Q + "Delegation", QueryDelegationRequest.encode({ delegatorAddr: k2!.address, validatorAddr: val }).finish(), QueryDelegationResponse.decode)
    assert.is(d.delegationResponse!.balance.amount, "4000000")
    assert.equal(await pool(c), { bondedTokens: "14000000", notBondedTokens: "0" })
  } finally {
    await c.close()
  }
})

test("validator leaves the set: power 0 update, unbonding, then removed when empty", async () => {
  const c = await StakingChain.open({ unbondingSeconds: 20n })
  try {
    const [, k1] = c.keys
    const v1 = valoper(k1!.address)
    ok(await c.tx(k1!, [createValidatorMsg(k1!.address, consKey("v1"), 2_000_000n)]), "create")
    const start = await c.balance(k1!.address)
    const r = await c.tx(k1!, [undelegateMsg(k1!.address, v1, 2_000_000n)])
    ok(r, "undelegate all")
    assert.equal(updates(r), [[hex(consKey("v1")), 0n]])
    const v = await validator(c, k1!.address)
    assert.is(v.status, BondStatus.BOND_STATUS_UNBONDING)
    assert.is(v.tokens, "0")
    assert.equal(await pool(c), { bondedTokens: "10000000", notBondedTokens: "2000000" })
    for (let i = 0; i < 4; i++) await c.block([])
    const gone = await c.chain.query(Q + "Validator", QueryValidatorRequest.encode({ validatorAddr: v1 }).finish())
    assert.is(gone.code, 38, "validator removed once unbonded without shares")
    assert.is(await c.balance(k1!.address), start - FEE + 2_000_000n)
  } finally {
    await c.close()
  }
})

test("max validators: the smallest leaves the set when a bigger one joins", async () => {
  const c = await StakingChain.open({ maxValidators: 2, unbondingSeconds: 20n })
  try {
    const [, k1, k2] = c.keys
    ok(await c.tx(k1!, [createValidatorMsg(k1!.address, consKey("v1"), 2_000_000n)]), "create v1")
    const r = await c.tx(k2!, [createValidatorMsg(k2!.address, consKey("v2"), 3_000_000n)])
    ok(r, "create v2")
    assert.equal(updates(r), [[hex(consKey("v2")), 3n], [hex(consKey("v1")), 0n]])
    assert.is((await validator(c, k1!.address)).status, BondStatus.BOND_STATUS_UNBONDING)
    assert.equal(await pool(c), { bondedTokens: "13000000", notBondedTokens: "2000000" })
    // v1 climbs back above v2: bonded again, v2 out
    const r2 = await c.tx(k1!, [delegateMsg(k1!.address, valoper(k1!.address), 2_000_000n)])
    ok(r2, "delegate to v1")
    assert.equal(updates(r2), [[hex(consKey("v1")), 4n], [hex(consKey("v2")), 0n]])
    assert.equal(await pool(c), { bondedTokens: "14000000", notBondedTokens: "3000000" })
  } finally {
    await c.close()
  }
})

test("bad input: typed errors, staking state and balances unchanged", async () => {
  const c = await StakingChain.open()
  try {
    const [k0, k1, k2] = c.keys
    const val = valoper(k0!.address)
    ok(await c.tx(k2!, [delegateMsg(k2!.address, val, 1_000_000n)]), "delegate")
    const cases: Array<[string, ReturnType<typeof delegateMsg>, number, string]> = [
      ["wrong denom", delegateMsg(k2!.address, val, 5n, "atom"), 18, "sdk"],
      ["zero amount", delegateMsg(k2!.address, val, 0n), 18, "sdk"],
      ["unknown validator", delegateMsg(k2!.address, valoper(k1!.address), 5n), 3, "staking"],
      ["more than delegated", undelegateMsg(k2!.address, val, 1_000_001n), 24, "staking"],
      ["no delegation", undelegateMsg(k1!.address, val, 1n), 21, "staking"],
      ["self redelegation", redelegateMsg(k2!.address, val, val, 1n), 29, "staking"],
      ["commission above max", createValidatorMsg(k2!.address, consKey("x"), 1_000_000n, { rate: "300000000000000000", maxRate: "200000000000000000", maxChangeRate: "0" }), 11, "staking"],
      ["consensus key taken", createValidatorMsg(k2!.address, consKey("v0"), 1_000_000n), 5, "staking"],
      ["more than the balance", delegateMsg(k2!.address, val, 10n ** 30n), 5, "sdk"]
    ]
    for (const [what, msg, code, codespace] of cases) {
      const signer = what === "no delegation" ? k1! : k2!
      const staking = c.chain.dump("staking")
      const bal = await c.balance(signer.address)
      const r = await c.tx(signer, [msg])
      const t = r.txResults[0]!
      assert.is(t.code, code, `${what}: ${t.codespace} ${t.code} ${t.log}`)
      assert.is(t.codespace, codespace, what)
      assert.ok(t.log.length > 0, what)
      assert.equal(c.chain.dump("staking"), staking, `${what}: staking state changed`)
      assert.is(await c.balance(signer.address), bal - FEE, `${what}: only the fee is charged`)
    }
    assert.equal(await pool(c), { bondedTokens: "11000000", notBondedTokens: "0" })
    void bondedPool
    void notBondedPool
  } finally {
    await c.close()
  }
})

test.run()
