// The distribution machine's edges: staking hooks refuse every caller but machine:staking; a chain
// without staking sends all fees to the community pool; MsgUpdateParams only from the governance
// authority; typed errors for withdrawals with nothing to withdraw; genesis validation.
import { toBech32 } from "@cosmjs/encoding"
import { QueryCommunityPoolRequest, QueryCommunityPoolResponse } from "cosmjs-types/cosmos/distribution/v1beta1/query"
import { MsgCommunityPoolSpend, MsgFundCommunityPool, MsgUpdateParams, MsgWithdrawValidatorCommission } from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { CAPABILITIES_NAMESPACE, grantCapability } from "../../chain/Capabilities.ts"
import { ValidatorCreatedRequest } from "../../chain/generated/distribution.ts"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { formatAddress, parseAddress } from "../../modules/auth/Address.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { DistributionMachine } from "../../modules/distribution/Distribution.ts"
import { allocateTokens } from "../../modules/distribution/internal/Rewards.ts"
import { getCommission, getCommunityPool, getCurrent, getOutstanding, getParams } from "../../modules/distribution/internal/State.ts"
import { balanceKey } from "../../modules/bank/internal/Balances.ts"
import { Chain, FEE_AMOUNT, makeKey } from "../machines/support/Chain.ts"
import { callAs, grantProbe, handleIn, probe, PROBE_PRINCIPAL } from "../machines/support/Probe.ts"
import { StakingDouble } from "./StakingDouble.ts"

const E = 10n ** 18n
const gov = toBech32("cyber", moduleAccountBytes("gov"))
const open = async (withStaking: boolean) => {
  const k = await makeKey("distribution hooks")
  const distribution = new DistributionMachine({ bech32Prefix: "cyber", bondDenom: "boot" })
  const chain = await Chain.open([new AuthMachine({ minGasPrices: "0.0001boot" }), new BankMachine(), distribution, ...(withStaking ? [new StakingDouble()] : [])])
  await chain.init({ auth: { accounts: [] }, bank: { balances: [{ address: k.address, coins: [{ denom: "boot", amount: "1000000000000" }] }] }, distribution: {}, ...(withStaking ? { staking: {} } : {}) })
  return { chain, k, distribution }
}
const updateParams = (authority: string, communityTax: string) => ({
  typeUrl: "/cosmos.distribution.v1beta1.MsgUpdateParams",
  value: MsgUpdateParams.encode({ authority, params: { communityTax, baseProposerReward: "", bonusProposerReward: "", withdrawAddrEnabled: false } }).finish()
})

test("the staking hooks answer machine:staking only, even to a principal holding the capability", async () => {
  const { chain, k } = await open(true)
  const valoper = formatAddress(parseAddress(k.address, "cyber"), "cybervaloper")
  for (const method of ["validator-created", "before-delegation-modified", "delegation-modified", "validator-removed"]) {
    const p = probe(chain, [k.address])
    grantProbe(p, "distribution", method)
    const body = method.startsWith("validator") ? ValidatorCreatedRequest.encode({ validator: valoper }) : new Uint8Array()
    const o = callAs(p, "distribution", method, body)
    assert.ok(!o.ok && o.code === 4, `${method}: refused with code 4 (${o.ok ? "accepted" : o.log})`)
    if (!o.ok && method.startsWith("validator")) assert.ok(o.log.includes("only machine:staking") && o.log.includes(PROBE_PRINCIPAL), o.log)
    assert.is([...p.branch.store("distribution").iterate()].length, [...chain.store.store("distribution").iterate()].length, `${method}: nothing written`)
  }
  await chain.close()
})

test("without staking every fee goes to the community pool", async () => {
  const { chain, k } = await open(false)
  const r = await chain.tx(await chain.sign(k, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: k.address, toAddress: k.address, amount: [{ denom: "boot", amount: "1" }] }).finish() }]))
  assert.is(r.code, 0, r.log)
  await chain.block([])
  const pool = QueryCommunityPoolResponse.decode((await chain.query("/cosmos.distribution.v1beta1.Query/CommunityPool", QueryCommunityPoolRequest.encode({}).finish())).value).pool
  assert.equal(pool, [{ denom: "boot", amount: (BigInt(FEE_AMOUNT) * E).toString() }])
  await chain.close()
})

test("MsgUpdateParams: only the gov authority, community tax at most 1", async () => {
  const { chain, k, distribution } = await open(true)
  const ok = probe(chain, [gov])
  const done = handleIn(ok, distribution, updateParams(gov, "300000000000000000"), [gov])
  assert.ok(done.ok, done.ok ? "" : done.log)
  assert.equal(getParams(ok.branch.store("distribution")), { communityTax: 3n * 10n ** 17n, withdrawAddrEnabled: false })
  const wrong = handleIn(probe(chain, [k.address]), distribution, updateParams(k.address, "0"), [k.address])
  assert.ok(!wrong.ok && wrong.code === 13 && wrong.log.includes("invalid authority"), wrong.ok ? "accepted" : wrong.log)
  const big = handleIn(probe(chain, [gov]), distribution, updateParams(gov, (E + 1n).toString()), [gov])
  assert.ok(!big.ok && big.code === 18 && big.log.includes("too large"), big.ok ? "accepted" : big.log)
  // a user cannot sign for the gov account: the tx is refused before the message runs
  const tx = await chain.tx(await chain.sign(k, [updateParams(gov, "0")]))
  assert.is.not(tx.code, 0)
  await chain.close()
})

test("MsgCommunityPoolSpend: the gov authority pays out of the pool, never more than it holds, never to a module account", async () => {
  const { chain, k, distribution } = await open(false)
  const fund = await chain.tx(await chain.sign(k, [{ typeUrl: "/cosmos.distribution.v1beta1.MsgFundCommunityPool", value: MsgFundCommunityPool.encode({ depositor: k.address, amount: [{ denom: "boot", amount: "500" }] }).finish() }]))
  assert.is(fund.code, 0, fund.log)
  const to = formatAddress(new Uint8Array(20).fill(3), "cyber")
  const spend = (authority: string, recipient: string, amount: string) => ({
    typeUrl: "/cosmos.distribution.v1beta1.MsgCommunityPoolSpend", value: MsgCommunityPoolSpend.encode({ authority, recipient, amount: [{ denom: "boot", amount }] }).finish()
  })
  const p = probe(chain, [gov])
  const done = handleIn(p, distribution, spend(gov, to, "400"), [gov])
  assert.ok(done.ok, done.ok ? "" : done.log)
  assert.is(new TextDecoder().decode(p.branch.store("bank").get(balanceKey(parseAddress(to, "cyber"), "boot"))), "400", "the recipient is paid")
  const pool = getCommunityPool(p.branch.store("distribution"))
  assert.equal(pool, [{ denom: "boot", atto: 100n * E }], "the pool keeps the rest (no fees allocated yet: the fund tx's fee is still in fee_collector)")
  const tooMuch = handleIn(probe(chain, [gov]), distribution, spend(gov, to, "501"), [gov])
  assert.ok(!tooMuch.ok && tooMuch.code === 9, tooMuch.ok ? "accepted" : tooMuch.log)
  const notGov = handleIn(probe(chain, [k.address]), distribution, spend(k.address, to, "1"), [k.address])
  assert.ok(!notGov.ok && notGov.code === 13, notGov.ok ? "accepted" : notGov.log)
  const blocked = handleIn(probe(chain, [gov]), distribution, spend(gov, formatAddress(moduleAccountBytes("distribution"), "cyber"), "1"), [gov])
  assert.ok(!blocked.ok && blocked.code === 4, blocked.ok ? "accepted" : blocked.log)
  await chain.close()
})

test("governance executes MsgUpdateParams and MsgCommunityPoolSpend as the authority (ctx.execute), all or nothing", async () => {
  const { chain, k } = await open(false)
  const fund = await chain.tx(await chain.sign(k, [{ typeUrl: "/cosmos.distribution.v1beta1.MsgFundCommunityPool", value: MsgFundCommunityPool.encode({ depositor: k.address, amount: [{ denom: "boot", amount: "50" }] }).finish() }]))
  assert.is(fund.code, 0, fund.log)
  const spend = (amount: string) => ({
    typeUrl: "/cosmos.distribution.v1beta1.MsgCommunityPoolSpend", value: MsgCommunityPoolSpend.encode({ authority: gov, recipient: k.address, amount: [{ denom: "boot", amount }] }).finish()
  })
  const p = probe(chain, [])
  grantCapability(p.branch.store(CAPABILITIES_NAMESPACE), { principal: PROBE_PRINCIPAL, capability: { interface: "authority", method: "execute", constraints: [] } })
  p.exec.execute(PROBE_PRINCIPAL, [updateParams(gov, "50000000000000000"), spend("20")], 1)
  assert.equal(getParams(p.branch.store("distribution")), { communityTax: 5n * 10n ** 16n, withdrawAddrEnabled: false })
  assert.equal(getCommunityPool(p.branch.store("distribution")), [{ denom: "boot", atto: 30n * E }])
  // the second message overdraws: nothing of the first one stays
  const q = probe(chain, [])
  grantCapability(q.branch.store(CAPABILITIES_NAMESPACE), { principal: PROBE_PRINCIPAL, capability: { interface: "authority", method: "execute", constraints: [] } })
  let log = ""
  try {
    q.exec.execute(PROBE_PRINCIPAL, [updateParams(gov, "50000000000000000"), spend("51")], 1)
  } catch (e) {
    log = (e as { log: string }).log
  }
  assert.ok(log.includes("message 1") && log.includes("community pool does not have sufficient coins"), log)
  assert.equal(getParams(q.branch.store("distribution")).communityTax, 2n * 10n ** 16n, "the params change was rolled back")
  await chain.close()
})

test("allocation to a bonded validator without records (older than the machine) initializes them and pays it", async () => {
  const { chain } = await open(false)
  const store = probe(chain, []).branch.store("distribution")
  const val = new Uint8Array(20).fill(5)
  const fees = [{ denom: "boot", atto: 1_000n * E }]
  const out = allocateTokens(store, fees, 2n * 10n ** 16n, [{ val, operator: formatAddress(val, "cybervaloper"), power: 10n, commissionRate: 10n ** 17n }])
  assert.is(out.length, 1)
  assert.equal(getCommission(store, val), [{ denom: "boot", atto: 98n * E }], "commission 0.1 of 980")
  assert.equal(getOutstanding(store, val), [{ denom: "boot", atto: 980n * E }])
  assert.equal(getCurrent(store, val), { rewards: [{ denom: "boot", atto: 882n * E }], period: 1n })
  assert.equal(getCommunityPool(store), [{ denom: "boot", atto: 20n * E }], "the tax")
  await chain.close()
})

test("withdrawing commission of a validator without any is distribution code 7", async () => {
  const { chain, k } = await open(true)
  const valoper = formatAddress(parseAddress(k.address, "cyber"), "cybervaloper")
  const r = await chain.tx(await chain.sign(k, [{ typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission", value: MsgWithdrawValidatorCommission.encode({ validatorAddress: valoper }).finish() }]))
  assert.is(r.code, 7, r.log)
  assert.is(r.codespace, "distribution")
  await chain.close()
})

test("genesis: bad entries are InvalidRequest naming them", async () => {
  const d = new DistributionMachine()
  for (const [genesis, needle] of [
    [{ params: { community_tax: "1.5" } }, "community_tax"],
    [{ fee_pool: { community_pool: [{ denom: "boot", amount: "x" }] } }, "fee_pool.community_pool[0].amount"],
    [{ outstanding_rewards: [{ validator_address: "cyber1xyz", outstanding_rewards: [] }] }, "outstanding_rewards[0].validator_address"],
    [{ validator_slash_events: [{}] }, "validator_slash_events"]
  ] as const) {
    const { chain } = await open(false)
    const p = probe(chain, [])
    let log = ""
    try {
      d.initGenesis(p.exec.context(d), genesis)
    } catch (e) {
      log = (e as { log?: string }).log ?? String(e)
    }
    assert.ok(log.includes(needle), `${JSON.stringify(genesis)}: ${log}`)
    await chain.close()
  }
})

test.run()
