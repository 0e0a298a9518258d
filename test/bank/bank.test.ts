/**
 * Bank: the capability-checked call API (mint/burn/send/balance), genesis validation and export,
 * queries with pagination, coin parsing, message validation.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Input, Output } from "cosmjs-types/cosmos/bank/v1beta1/bank"
import {
  QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse, QueryDenomMetadataRequest,
  QueryDenomMetadataResponse, QuerySupplyOfRequest, QuerySupplyOfResponse, QueryTotalSupplyRequest, QueryTotalSupplyResponse
} from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgMultiSend, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { CAPABILITIES_NAMESPACE, grantCapability } from "../../chain/Capabilities.ts"
import { GasMeter } from "../../chain/Gas.ts"
import { Executor } from "../../chain/internal/Executor.ts"
import type { ChainCall, Machine, MsgContext } from "../../chain/Machine.ts"
import { Router } from "../../chain/Router.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { bankClient } from "../../chain/generated/bank.ts"
import { parseDecCoins, requiredFee, validCoins } from "../../modules/bank/Coin.ts"
import { formatAddress, moduleAddress } from "../../modules/auth/Address.ts"
import { callAs, makeWallet, stubMachine, testBlock, TestChain } from "../auth/support/Chain.ts"

const { addresses } = await makeWallet(3)
const [alice, bob, carol] = addresses as [string, string, string]
const funded = [{ address: alice, coins: [{ denom: "boot", amount: "1000" }, { denom: "hydrogen", amount: "50" }] }]

const errorOf = (f: () => unknown): { _tag: string; code: number; codespace: string; log: string } => {
  try {
    f()
  } catch (e) {
    return e as never
  }
  throw new Error("expected an error")
}

const balanceQ = async (chain: TestChain, address: string, denom = "boot") =>
  QueryBalanceResponse.decode((await chain.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom }).finish())).value).balance!.amount

const mintBody = (to: string, amount: string, denom = "boot") => Output.encode({ address: to, coins: [{ denom, amount }] }).finish()

test("mint: refused without the capability, refused when a constraint fails, allowed for a holder", async () => {
  const chain = await TestChain.start({ balances: funded })
  const before = chain.store.workingHash()
  // no capability at all
  const e1 = errorOf(() => callAs(chain, [], "machine:mint", { target: "bank", method: "mint", body: mintBody(bob, "5") }))
  assert.is(e1._tag, "CapabilityMissing")
  assert.match(e1.log, /machine:mint holds no capability bank\.mint/)
  // graph may mint only ibc/ denoms: minting boot fails the constraint, named in the log
  const ibcOnly = { principal: "machine:graph", capability: { interface: "bank", method: "mint", constraints: [{ field: "coins[].denom", op: "prefix" as const, value: "ibc/" }] } }
  const e2 = errorOf(() => callAs(chain, [ibcOnly], "machine:graph", { target: "bank", method: "mint", body: mintBody(bob, "5") }))
  assert.is(e2._tag, "CapabilityMissing")
  assert.match(e2.log, /machine:graph calls bank\.mint: bank\.mint \{coins\[\]\.denom: prefix "ibc\/"\} fails coins\[\]\.denom: prefix "ibc\/"/)
  const e3 = errorOf(() => callAs(chain, [], "machine:graph", { target: "bank", method: "burn", body: Input.encode({ address: alice, coins: [{ denom: "boot", amount: "1" }] }).finish() }))
  assert.is(e3._tag, "CapabilityMissing")
  assert.equal(chain.store.workingHash(), before, "refusals change nothing")
  // the mint machine may
  callAs(chain, ["mint->bank.mint"], "machine:mint", { target: "bank", method: "mint", body: mintBody(bob, "5") })
  await chain.block([])
  assert.is(await balanceQ(chain, bob), "5")
  const supply = QuerySupplyOfResponse.decode((await chain.query("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: "boot" }).finish())).value)
  assert.is(supply.amount!.amount, "1005")
  // burn from alice
  callAs(chain, ["mint->bank.burn"], "machine:mint", { target: "bank", method: "burn", body: Input.encode({ address: alice, coins: [{ denom: "boot", amount: "400" }] }).finish() })
  await chain.block([])
  assert.is(await balanceQ(chain, alice), "600")
  const supply2 = QuerySupplyOfResponse.decode((await chain.query("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: "boot" }).finish())).value)
  assert.is(supply2.amount!.amount, "605")
  // minting past 2^256 - 1: refused, nothing changes
  const near = ((1n << 256n) - 1n).toString()
  const e5 = errorOf(() => callAs(chain, ["mint->bank.mint"], "machine:mint", { target: "bank", method: "mint", body: mintBody(bob, near) }))
  assert.is(e5.code, 10)
  assert.match(e5.log, /overflows 256 bits/)
  // burning more than the balance: insufficient funds
  const e4 = errorOf(() => callAs(chain, ["mint->bank.burn"], "machine:mint", { target: "bank", method: "burn", body: Input.encode({ address: alice, coins: [{ denom: "boot", amount: "601" }] }).finish() }))
  assert.is(e4.code, 5)
})

test("send {from: signer}: auth's fee capability moves only a signer's coins", async () => {
  const chain = await TestChain.start({ balances: funded })
  const before = chain.store.workingHash()
  const body = MsgSend.encode({ fromAddress: alice, toAddress: carol, amount: [{ denom: "boot", amount: "3" }] }).finish()
  const e = errorOf(() => callAs(chain, [], "machine:auth", { target: "bank", method: "send", body }, { signers: [bob] }))
  assert.is(e._tag, "CapabilityMissing")
  assert.match(e.log, /machine:auth calls bank\.send: bank\.send \{from: signer\} fails from: signer/)
  assert.equal(chain.store.workingHash(), before)
  callAs(chain, [], "machine:auth", { target: "bank", method: "send", body }, { signers: [alice] })
  await chain.block([])
  assert.is(await balanceQ(chain, carol), "3")
})

test("generated bank client: send / balance / balances / supply through ctx.call", async () => {
  const chain = await TestChain.start({ balances: funded })
  const router = new Router([...chain.app.router.machines, stubMachine("graph")])
  const branch = chain.store.branch()
  grantCapability(branch.store(CAPABILITIES_NAMESPACE), { principal: "machine:auth", capability: { interface: "bank", method: "*", constraints: [] } })
  const exec = new Executor(router, testBlock, branch, new GasMeter(1_000_000), { bech32Prefix: "cyber" })
  const ctx = exec.context(router.machine("auth")!)
  const bank = bankClient((c) => ctx.call(c))
  assert.equal(bank.balance({ address: alice, denom: "boot" }).balance, { denom: "boot", amount: "1000" })
  bank.send({ from: alice, to: carol, amount: [{ denom: "hydrogen", amount: "7" }] })
  assert.equal(bankClient((c) => ctx.query(c)).balance({ address: carol, denom: "hydrogen" }).balance?.amount, "7")
  assert.equal(bank.balances({ address: alice }).balances, [{ denom: "boot", amount: "1000" }, { denom: "hydrogen", amount: "43" }])
  assert.equal(bank.supply({ denom: "hydrogen" }).amount, { denom: "hydrogen", amount: "50" })
  assert.ok(exec.gas.consumed() > 0, "calls are metered")
  const e = errorOf(() => bank.send({ from: alice, to: carol, amount: [{ denom: "boot", amount: "1001" }] }))
  assert.is(e.log, "spendable balance 1000boot is smaller than 1001boot: insufficient funds")
  const q = errorOf(() => bankClient((c) => ctx.query(c)).send({ from: alice, to: carol, amount: [] }))
  assert.is(q._tag, "UnknownRequest", "a state-changing method is not callable as a query")
})

test("genesis: invalid entries give clear errors", async () => {
  const bad = async (bank: unknown, re: RegExp) => {
    let err: unknown
    try {
      await TestChain.start({ genesis: { auth: {}, bank } })
    } catch (e) {
      err = e
    }
    assert.ok(err, "expected a genesis error")
    assert.match((err as { log: string }).log, re)
  }
  await bad({ balances: [{ address: "cosmos1xyz", coins: [] }] }, /invalid bank genesis: balances\[0\]\.address: decoding bech32 failed/)
  await bad({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "-1" }] }] }, /balances\[0\]\.coins.*invalid boot amount/)
  await bad({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "1" }] }, { address: alice, coins: [] }] }, /duplicate balance for address/)
  await bad({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "1" }] }], supply: [{ denom: "boot", amount: "2" }] }, /genesis supply is incorrect, expected 1boot, got 2boot/)
  await bad({ balances: "x" }, /balances must be an array/)
})

test("genesis: export then import gives the same state; accounts created for balances", async () => {
  const chain = await TestChain.start({
    genesis: {
      auth: { params: { max_memo_characters: "512" }, accounts: [{ "@type": "/cosmos.auth.v1beta1.BaseAccount", address: carol, pub_key: null, account_number: "7", sequence: "3" }] },
      bank: {
        balances: [...funded, { address: bob, coins: [{ denom: "boot", amount: "9" }] }],
        supply: [{ denom: "boot", amount: "1009" }, { denom: "hydrogen", amount: "50" }],
        denom_metadata: [{ description: "boot", denom_units: [{ denom: "boot", exponent: 0, aliases: [] }, { denom: "gboot", exponent: 9 }], base: "boot", display: "gboot", name: "Boot", symbol: "BOOT" }]
      }
    }
  })
  const exported = { auth: chain.auth.exportGenesis(queryCtx(chain, "auth")), bank: chain.bank.exportGenesis(queryCtx(chain, "bank")) }
  const authG = exported.auth as { accounts: Array<{ account_number?: string; base_account?: { account_number: string } }>; params: { max_memo_characters: string } }
  assert.is(authG.params.max_memo_characters, "512")
  // carol keeps 7; the module accounts 8-13 follow (fee_collector, mint, distribution, the staking pools, gov); bank genesis creates alice 14 and bob 15
  assert.equal(authG.accounts.map((a) => a.account_number ?? a.base_account!.account_number).sort(), ["10", "11", "12", "13", "14", "15", "7", "8", "9"])
  const again = await TestChain.start({ genesis: JSON.parse(JSON.stringify(exported)) })
  const exported2 = { auth: again.auth.exportGenesis(queryCtx(again, "auth")), bank: again.bank.exportGenesis(queryCtx(again, "bank")) }
  assert.equal(exported2, exported)
  const md = QueryDenomMetadataResponse.decode((await chain.query("/cosmos.bank.v1beta1.Query/DenomMetadata", QueryDenomMetadataRequest.encode({ denom: "boot" }).finish())).value)
  assert.is(md.metadata!.display, "gboot")
  assert.is(md.metadata!.denomUnits[1]!.exponent, 9)
  const missing = await chain.query("/cosmos.bank.v1beta1.Query/DenomMetadata", QueryDenomMetadataRequest.encode({ denom: "nope" }).finish())
  assert.is(missing.code, 38)
  assert.match(missing.log, /NotFound/)
})

const queryCtx = (chain: TestChain, name: string) => {
  // a read-only context over the working state (tests only)
  return { chainId: "t", height: 1, store: chain.store.branch().store(name), query: () => new Uint8Array(), callAs: () => new Uint8Array() }
}

test("queries: AllBalances pagination by key and offset, TotalSupply, invalid input", async () => {
  const coins = ["aaa", "bbb", "ccc", "ddd", "eee"].map((denom, i) => ({ denom, amount: String(i + 1) }))
  const chain = await TestChain.start({ balances: [{ address: alice, coins }] })
  const page = async (pagination: object) =>
    QueryAllBalancesResponse.decode((await chain.query("/cosmos.bank.v1beta1.Query/AllBalances", QueryAllBalancesRequest.encode(QueryAllBalancesRequest.fromPartial({ address: alice, pagination })).finish())).value)
  const p1 = await page({ limit: 2n, countTotal: true })
  assert.equal(p1.balances.map((c) => c.denom), ["aaa", "bbb"])
  assert.is(p1.pagination!.total, 5n)
  assert.is(new TextDecoder().decode(p1.pagination!.nextKey), "ccc")
  const p2 = await page({ limit: 2n, key: p1.pagination!.nextKey })
  assert.equal(p2.balances.map((c) => c.denom), ["ccc", "ddd"])
  const p3 = await page({ limit: 2n, offset: 4n })
  assert.equal(p3.balances.map((c) => c.denom), ["eee"])
  assert.is(p3.pagination!.nextKey.length, 0)
  const rev = await page({ limit: 2n, reverse: true })
  assert.equal(rev.balances.map((c) => c.denom), ["eee", "ddd"])
  // CosmJS reads balances and supply the same way
  const q = chain.queryClient()
  assert.equal((await q.bank.allBalances(alice)).length, 5)
  assert.is((await q.bank.balance(bob, "aaa")).amount, "0")
  const total = QueryTotalSupplyResponse.decode((await chain.query("/cosmos.bank.v1beta1.Query/TotalSupply", QueryTotalSupplyRequest.encode({}).finish())).value)
  assert.equal(total.supply.map((c) => `${c.amount}${c.denom}`), ["1aaa", "2bbb", "3ccc", "4ddd", "5eee"])
  const bad = await chain.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: "cyber1bad", denom: "boot" }).finish())
  assert.is(bad.code, 7)
  const badDenom = await chain.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: alice, denom: "1x" }).finish())
  assert.is(badDenom.code, 10)
})

test("signers and message validation", () => {
  const bank = new BankMachine()
  assert.equal(bank.signers({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: alice, toAddress: bob, amount: [] }).finish() }), [alice])
  assert.is(errorOf(() => bank.signers({ typeUrl: "/cosmos.bank.v1beta1.MsgBurn", value: new Uint8Array() }))._tag, "UnknownRequest")
  assert.is(errorOf(() => bank.signers({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: "cyber1zzz", toAddress: bob, amount: [] }).finish() })).code, 7)
  assert.is(errorOf(() => bank.signers({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: Uint8Array.of(0x0a, 0x40) })).code, 2)
  const noInputs = { typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend", value: MsgMultiSend.encode({ inputs: [], outputs: [] }).finish() }
  assert.is(errorOf(() => bank.signers(noInputs)).code, 2)
  const two = MsgMultiSend.encode({
    inputs: [{ address: alice, coins: [{ denom: "boot", amount: "1" }] }, { address: bob, coins: [{ denom: "boot", amount: "1" }] }],
    outputs: [{ address: carol, coins: [{ denom: "boot", amount: "2" }] }]
  }).finish()
  const ctx = {} as MsgContext
  const e = errorOf(() => bank.handle(ctx, { typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend", value: two }))
  assert.equal([e.codespace, e.code, e.log], ["bank", 9, "multiple senders not allowed"])
})

test("coins: validation, decimal gas prices, fee rounding up", () => {
  assert.equal(validCoins([{ denom: "boot", amount: "5" }, { denom: "hydrogen", amount: "1" }], false).map((c) => c.amount), [5n, 1n])
  assert.match(errorOf(() => validCoins([{ denom: "zz", amount: "1" }], false)).log, /invalid denom/)
  assert.match(errorOf(() => validCoins([{ denom: "boot", amount: "1" }, { denom: "boot", amount: "1" }], false)).log, /duplicate denomination/)
  assert.match(errorOf(() => validCoins([{ denom: "hydrogen", amount: "1" }, { denom: "boot", amount: "1" }], false)).log, /not sorted/)
  assert.match(errorOf(() => validCoins([{ denom: "boot", amount: (1n << 256n).toString() }], false)).log, /exceeds 256 bits/)
  assert.is(errorOf(() => validCoins([], false)).code, 10)
  const big = (1n << 200n).toString()
  assert.is(validCoins([{ denom: "boot", amount: big }], false)[0]!.amount, 1n << 200n)
  const prices = parseDecCoins("0.025uatom,0.01boot")
  assert.equal(prices.map((p) => p.denom), ["boot", "uatom"])
  assert.is(requiredFee(prices[0]!, 200000n).amount, 2000n)
  assert.is(requiredFee(prices[1]!, 3n).amount, 1n, "0.075 rounds up to 1")
  assert.is(requiredFee(parseDecCoins("0.000000000000000001boot")[0]!, 1n).amount, 1n)
  assert.is(errorOf(() => parseDecCoins("0.01")).code, 10)
  assert.equal(formatAddress(moduleAddress("fee_collector"), "cosmos"), "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta")
})

test.run()
