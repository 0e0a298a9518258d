/**
 * Distribution end to end: a node started by the real CLI with staking and distribution switched
 * on at init (the node's key is the one genesis validator, operated and self-delegated by the dev
 * account, commission 0.1). CosmJS (SigningStargateClient) funds a delegator, delegates, sends
 * fee-paying txs, reads the pending rewards (setupDistributionExtension) and withdraws them
 * (withdrawRewards). Every amount equals an independent integer computation from the fees the
 * blocks carried (read back from the blocks' txs): each block's fees are allocated at the start of
 * the next, 2% community tax, the rest to the single validator, commission rounded, the remainder
 * per token truncated, times the delegator's tokens.
 */
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice, QueryClient, setupBankExtension, setupDistributionExtension, setupStakingExtension, SigningStargateClient } from "@cosmjs/stargate"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { AuthInfo, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { Effect } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { initHome } from "../../node/home/Home.ts"
import { freePort, startNode, type NodeProcess, type TestHome } from "./harness.ts"

const E = 10n ** 18n
const TAX = 2n * 10n ** 16n
const RATE = 10n ** 17n

type Ctx = { h: TestHome; node: NodeProcess; dev: SigningStargateClient; del: SigningStargateClient; devAddr: string; delAddr: string; comet: Comet38Client }
const test = suite<Ctx>("distribution on a node")

/** A home with staking and distribution in the genesis machine set. */
const makeStakingHome = async (): Promise<TestHome> => {
  const home = mkdtempSync(join(tmpdir(), "ck-e2e-distr-"))
  const port = await freePort()
  const config = {
    ...defaultConfig,
    rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` },
    consensus: { ...defaultConfig.consensus, blockTimeMs: 200 },
    modules: {
      ...defaultConfig.modules,
      staking: { ...defaultConfig.modules.staking, enabled: true },
      distribution: { ...defaultConfig.modules.distribution, enabled: true }
    }
  }
  const init = await Effect.runPromise(initHome({ home, config }))
  if (!init.devAccount?.mnemonic) throw new Error("initHome made no dev mnemonic")
  return { home, rpcUrl: `http://127.0.0.1:${port}`, chainId: init.chainId, mnemonic: init.devAccount.mnemonic, devAddress: init.devAccount.address }
}

test.before(async (ctx) => {
  ctx.h = await makeStakingHome()
  ctx.node = await startNode(ctx.h)
  const opts = { gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 100, broadcastTimeoutMs: 20_000 }
  const devWallet = await DirectSecp256k1HdWallet.fromMnemonic(ctx.h.mnemonic, { prefix: "cyber" })
  const delWallet = await DirectSecp256k1HdWallet.generate(12, { prefix: "cyber" })
  ctx.devAddr = (await devWallet.getAccounts())[0]!.address
  ctx.delAddr = (await delWallet.getAccounts())[0]!.address
  ctx.dev = await SigningStargateClient.connectWithSigner(ctx.h.rpcUrl, devWallet, opts)
  ctx.del = await SigningStargateClient.connectWithSigner(ctx.h.rpcUrl, delWallet, opts)
  ctx.comet = await Comet38Client.connect(ctx.h.rpcUrl)
})

test.after(async (ctx) => {
  ctx.dev?.disconnect()
  ctx.del?.disconnect()
  ctx.comet?.disconnect()
  await ctx.node?.kill("SIGTERM")
})

/** Fees (boot) of every tx in block `height`, from the txs' auth info. */
const blockFees = async (client: SigningStargateClient, height: number): Promise<bigint> => {
  const block = await client.getBlock(height)
  let sum = 0n
  for (const raw of block.txs) {
    for (const c of AuthInfo.decode(TxRaw.decode(raw).authInfoBytes).fee?.amount ?? []) if (c.denom === "boot") sum += BigInt(c.amount)
  }
  return sum
}

/** One allocation of `fees` boot to the single validator: its commission and the delegators' share (atto). */
const allocation = (fees: bigint): { commission: bigint; shared: bigint } => {
  const reward = (fees * E * (E - TAX)) / E
  const p = reward * RATE
  const q = p / E
  const r = p % E
  const commission = r * 2n < E ? q : r * 2n > E ? q + 1n : q % 2n === 0n ? q : q + 1n
  return { commission, shared: reward - commission }
}

const waitHeight = async (client: SigningStargateClient, h: number): Promise<void> => {
  while ((await client.getHeight()) < h) await new Promise((r) => setTimeout(r, 100))
}

test("CosmJS: delegate, pending rewards, withdrawRewards and commission equal the computation from the blocks' fees", async ({ dev, del, devAddr, delAddr, comet }) => {
  const q = QueryClient.withExtensions(comet, setupBankExtension, setupDistributionExtension, setupStakingExtension)
  const { validators } = await q.staking.validators("BOND_STATUS_BONDED")
  assert.is(validators.length, 1, "one genesis validator")
  const V = validators[0]!.operatorAddress
  const fund = await dev.sendTokens(devAddr, delAddr, [{ denom: "boot", amount: "100000000" }], "auto")
  assert.is(fund.code, 0, fund.rawLog)
  const stake = 30_000_007n
  const delegated = await del.delegateTokens(delAddr, V, { denom: "boot", amount: stake.toString() }, "auto")
  assert.is(delegated.code, 0, delegated.rawLog)
  const tokens = BigInt((await q.staking.validator(V)).validator.tokens)
  assert.is(tokens, 10_000_000n + stake, "the validator's tokens after the delegation")
  let last = delegated.height
  for (let i = 0; i < 3; i++) {
    const r = await dev.sendTokens(devAddr, devAddr, [{ denom: "boot", amount: "1" }], "auto")
    assert.is(r.code, 0, r.rawLog)
    last = r.height
  }
  // the last fees are allocated at last + 1; after that nothing changes until the next tx
  await waitHeight(dev, last + 2)
  let shared = 0n
  for (let h = delegated.height; h <= last; h++) shared += allocation(await blockFees(dev, h)).shared
  const pending = await q.distribution.delegationRewards(delAddr, V)
  const expected = (shared / tokens) * stake
  assert.ok(expected > 0n, "fees were allocated")
  assert.equal(pending.rewards.map((c) => [c.denom, c.amount]), [["boot", expected.toString()]], "DelegationRewards (atto)")

  const before = BigInt((await del.getBalance(delAddr, "boot")).amount)
  const withdrawn = await del.withdrawRewards(delAddr, V, "auto")
  assert.is(withdrawn.code, 0, withdrawn.rawLog)
  // allocations at heights delegated+1 .. withdrawn carry the fees of blocks delegated .. withdrawn-1
  let sharedAll = 0n
  for (let h = delegated.height; h < withdrawn.height; h++) sharedAll += allocation(await blockFees(dev, h)).shared
  const paid = ((sharedAll / tokens) * stake) / E
  const tx = await del.getTx(withdrawn.transactionHash)
  const fee = BigInt(AuthInfo.decode(TxRaw.decode(tx!.tx).authInfoBytes).fee!.amount.find((c) => c.denom === "boot")!.amount)
  assert.is(BigInt((await del.getBalance(delAddr, "boot")).amount), before + paid - fee, "the delegator's balance grows by the integral rewards, less the fee")

  // the validator's commission: every block's fees since genesis, allocated at the next height
  await waitHeight(dev, withdrawn.height + 2)
  let commission = 0n
  for (let h = 1; h <= withdrawn.height; h++) commission += allocation(await blockFees(dev, h)).commission
  const c = await q.distribution.validatorCommission(V)
  assert.equal(c.commission?.commission.map((x) => [x.denom, x.amount]), [["boot", commission.toString()]], "ValidatorCommission (atto)")
})

test.run()
