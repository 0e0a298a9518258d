/**
 * Staking end to end: a node with staking started as a child process by the real CLI (its own
 * validator key is the genesis validator, unbonding time 3 s); CosmJS creates a second validator
 * (MsgCreateValidator through signAndBroadcast), delegates and undelegates with
 * delegateTokens / undelegateTokens (the balance comes back once the unbonding time has passed,
 * not before), redelegates; results read through CosmJS's staking extension equal an integer
 * computation made here; the set change shows in FinalizeBlock validator_updates (block_results).
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice, QueryClient, setupStakingExtension, SigningStargateClient, type StakingExtension } from "@cosmjs/stargate"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { fromBech32, toBech32 } from "@cosmjs/encoding"
import { sha256 } from "@noble/hashes/sha2.js"
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys"
import { MsgUndelegateResponse } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { Effect } from "effect"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { initHome } from "../../node/home/Home.ts"
import { cli } from "../cli/cliProcess.ts"
import { freePort, rpc, startNode, type NodeProcess, type TestHome } from "./harness.ts"

const DEC = 10n ** 18n
const valoper = (a: string) => toBech32("cybervaloper", fromBech32(a, 90).data, 90)
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64")
/** Consensus key of the second validator (operated by `bob`). */
const secondKey = (bob: string) => sha256(new TextEncoder().encode(`e2e second validator ${bob}`))

interface Ctx {
  h: TestHome
  node: NodeProcess
  dev: SigningStargateClient
  op: SigningStargateClient
  q: QueryClient & StakingExtension
  comet: Comet38Client
  alice: string
  bob: string
  genesisVal: string
  genesisKey: string
}
const test = suite<Ctx>("staking node")

/** A home with staking on (unbonding 3 s), as makeHome builds one. */
const makeStakingHome = async (): Promise<TestHome> => {
  const home = mkdtempSync(join(tmpdir(), "ck-e2e-staking-"))
  const port = await freePort()
  const config = {
    ...defaultConfig,
    rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` },
    consensus: { ...defaultConfig.consensus, blockTimeMs: 200 },
    modules: { ...defaultConfig.modules, staking: { ...defaultConfig.modules.staking, enabled: true } }
  }
  const init = await Effect.runPromise(initHome({ home, config, unbondingTime: "3s" }))
  return { home, rpcUrl: `http://127.0.0.1:${port}`, chainId: init.chainId, mnemonic: init.devAccount!.mnemonic!, devAddress: init.devAccount!.address }
}

test.before(async (ctx) => {
  try {
    await setup(ctx)
  } catch (e) {
    // uvu reports a failing before hook only as 0 passed
    console.log("staking node setup failed:", e)
    throw e
  }
})

const setup = async (ctx: Ctx) => {
  ctx.h = await makeStakingHome()
  const genesis = JSON.parse(readFileSync(join(ctx.h.home, "config", "genesis.json"), "utf8"))
  ctx.genesisKey = genesis.app_state.staking.validators[0].consensus_pubkey.key
  ctx.node = await startNode(ctx.h)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(ctx.h.mnemonic, { prefix: "cyber" })
  ctx.alice = (await wallet.getAccounts())[0]!.address
  ctx.genesisVal = valoper(ctx.alice)
  const opWallet = await DirectSecp256k1HdWallet.generate(12, { prefix: "cyber" })
  ctx.bob = (await opWallet.getAccounts())[0]!.address
  const opts = { gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 100, broadcastTimeoutMs: 20_000 }
  ctx.dev = await SigningStargateClient.connectWithSigner(ctx.h.rpcUrl, wallet, opts)
  ctx.op = await SigningStargateClient.connectWithSigner(ctx.h.rpcUrl, opWallet, opts)
  ctx.comet = await Comet38Client.connect(ctx.h.rpcUrl)
  ctx.q = QueryClient.withExtensions(ctx.comet, setupStakingExtension)
}

test.after(async (ctx) => {
  // (the restart test has disconnected them already; disconnecting twice is harmless)
  ctx.dev?.disconnect()
  ctx.op?.disconnect()
  ctx.comet?.disconnect()
  await ctx.node?.kill("SIGTERM")
})

/** Validator updates of FinalizeBlock at `height`, from RPC block_results: [base64 ed25519 key, power]. */
const updatesAt = async (url: string, height: number): Promise<Array<[string, string]>> => {
  const r = await rpc<{ validator_updates?: Array<{ pub_key: Record<string, unknown>; power: string }> | null }>(url, "block_results", { height: String(height) })
  return (r.validator_updates ?? []).map((u) => {
    const pk = u.pub_key as { Sum?: { value?: { ed25519?: string } }; ed25519?: string; value?: string; key?: string }
    return [pk.Sum?.value?.ed25519 ?? pk.ed25519 ?? pk.value ?? pk.key ?? JSON.stringify(pk), String(u.power)] // determinism-ok: test
  })
}

test("genesis: the node's own key is the bonded genesis validator, self-delegated from the dev account", async ({ q, alice, genesisVal, genesisKey }) => {
  const { validators } = await q.staking.validators("BOND_STATUS_BONDED")
  assert.is(validators.length, 1)
  assert.is(validators[0]!.operatorAddress, genesisVal)
  assert.is(b64(PubKey.decode(validators[0]!.consensusPubkey!.value).key), genesisKey)
  assert.is(validators[0]!.tokens, "10000000")
  const d = await q.staking.delegation(alice, genesisVal)
  assert.is(d.delegationResponse!.balance.amount, "10000000")
  const pool = await q.staking.pool()
  assert.equal({ bonded: pool.pool.bondedTokens, notBonded: pool.pool.notBondedTokens }, { bonded: "10000000", notBonded: "0" })
})

test("MsgCreateValidator through signAndBroadcast: bonded, in validator_updates of its block", async ({ dev, op, q, h, alice, bob }) => {
  const fund = await dev.sendTokens(alice, bob, [{ denom: "boot", amount: "50000000" }], "auto")
  assert.is(fund.code, 0, fund.rawLog)
  const key = secondKey(bob)
  const res = await op.signAndBroadcast(bob, [{
    typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
    value: {
      description: { moniker: "second", identity: "", website: "", securityContact: "", details: "" },
      commission: { rate: "50000000000000000", maxRate: "200000000000000000", maxChangeRate: "10000000000000000" },
      minSelfDelegation: "1",
      delegatorAddress: "",
      validatorAddress: valoper(bob),
      pubkey: { typeUrl: "/cosmos.crypto.ed25519.PubKey", value: PubKey.encode({ key }).finish() },
      value: { denom: "boot", amount: "5000000" }
    }
  }], "auto")
  assert.is(res.code, 0, res.rawLog)
  assert.equal(await updatesAt(h.rpcUrl, res.height), [[b64(key), "5"]])
  const v = await q.staking.validator(valoper(bob))
  assert.is(v.validator.status, 3)
  assert.is(v.validator.tokens, "5000000")
  assert.is(v.validator.delegatorShares, (5_000_000n * DEC).toString())
  assert.is(v.validator.commission.commissionRates.rate, "50000000000000000")
})

test("delegateTokens / undelegateTokens: shares and balances as computed; tokens back after the unbonding time, not before", async ({ dev, q, h, alice, bob }) => {
  const val = valoper(bob)
  const del = await dev.delegateTokens(alice, val, { denom: "boot", amount: "3000000" }, "auto")
  assert.is(del.code, 0, del.rawLog)
  // independent computation: the exchange rate is 1 (no slashing), so shares = amount * 10^18
  const tokens = 5_000_000n + 3_000_000n
  const d = await q.staking.delegation(alice, val)
  assert.is(d.delegationResponse!.delegation.shares, (3_000_000n * DEC).toString())
  assert.is(d.delegationResponse!.balance.amount, "3000000")
  assert.is((await q.staking.validator(val)).validator.tokens, tokens.toString())
  assert.equal(await updatesAt(h.rpcUrl, del.height), [[b64(secondKey(bob)), String(tokens / 1_000_000n)]])

  const und = await dev.undelegateTokens(alice, val, { denom: "boot", amount: "1000000" }, "auto")
  assert.is(und.code, 0, und.rawLog)
  const after = BigInt((await dev.getBalance(alice, "boot")).amount)
  const resp = MsgUndelegateResponse.decode(und.msgResponses[0]!.value)
  assert.is(resp.amount.amount, "1000000")
  const block = await dev.getBlock(und.height)
  const blockSeconds = BigInt(Math.floor(new Date(block.header.time).getTime() / 1000))
  assert.ok(resp.completionTime.seconds - blockSeconds >= 2n && resp.completionTime.seconds - blockSeconds <= 3n, `completion = block time + 3 s (${resp.completionTime.seconds} vs ${blockSeconds})`)
  const ubd = await q.staking.unbondingDelegation(alice, val)
  assert.is(ubd.unbond.entries[0]!.balance, "1000000")
  const pool = await q.staking.pool()
  assert.is(pool.pool.notBondedTokens, "1000000")
  // before the completion time: nothing paid
  assert.is(BigInt((await dev.getBalance(alice, "boot")).amount), after)
  const deadline = Date.now() + 15_000
  let paid = false
  while (Date.now() < deadline && !paid) {
    await new Promise((r) => setTimeout(r, 250))
    paid = BigInt((await dev.getBalance(alice, "boot")).amount) === after + 1_000_000n
  }
  assert.ok(paid, "the unbonded 1000000boot came back")
  // it was paid in the first block at or after the completion time
  const status = await rpc<{ sync_info: { latest_block_time: string } }>(h.rpcUrl, "status")
  assert.ok(BigInt(Math.floor(new Date(status.sync_info.latest_block_time).getTime() / 1000)) >= resp.completionTime.seconds)
  assert.is((await q.staking.pool()).pool.notBondedTokens, "0")
  assert.is((await q.staking.delegation(alice, val)).delegationResponse!.balance.amount, "2000000")
})

test("redelegate: shares move from the second validator to the genesis one, entry listed", async ({ dev, q, alice, bob, genesisVal }) => {
  const src = valoper(bob)
  const res = await dev.signAndBroadcast(alice, [{
    typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate",
    value: { delegatorAddress: alice, validatorSrcAddress: src, validatorDstAddress: genesisVal, amount: { denom: "boot", amount: "500000" } }
  }], "auto")
  assert.is(res.code, 0, res.rawLog)
  assert.is((await q.staking.delegation(alice, src)).delegationResponse!.balance.amount, "1500000")
  assert.is((await q.staking.delegation(alice, genesisVal)).delegationResponse!.balance.amount, "10500000")
  const reds = await q.staking.redelegations(alice, src, genesisVal)
  assert.is(reds.redelegationResponses[0]!.entries[0]!.balance, "500000")
  const dels = await q.staking.delegatorDelegations(alice)
  assert.equal(dels.delegationResponses.map((r) => r.balance.amount).sort(), ["10500000", "1500000"].sort())
  const { validators } = await q.staking.validators("BOND_STATUS_BONDED")
  assert.equal(validators.map((v) => [v.operatorAddress, v.tokens]).sort(), [[genesisVal, "10500000"], [src, "6500000"]].sort())
})

test("CLI: tx staking delegate / unbond with the dev key, query staking validators / delegations", async ({ q, h, alice, bob, genesisVal }) => {
  const val = valoper(bob)
  const before = (await q.staking.delegation(alice, val)).delegationResponse!.balance.amount
  const base = ["--home", h.home, "--node", h.rpcUrl, "--output", "json"]
  const del = await cli(["tx", "staking", "delegate", val, "700000boot", "--from", "dev", ...base])
  assert.is(del.code, 0, del.stderr + del.stdout)
  assert.is((await q.staking.delegation(alice, val)).delegationResponse!.balance.amount, String(BigInt(before) + 700_000n))
  const unb = await cli(["tx", "staking", "unbond", val, "200000boot", "--from", "dev", ...base])
  assert.is(unb.code, 0, unb.stderr + unb.stdout)
  assert.ok(/^[0-9]+$/.test(JSON.parse(unb.stdout).completion_time_unix))
  const vals = JSON.parse((await cli(["query", "staking", "validators", "--status", "bonded", ...base])).stdout) as { validators: Array<{ operator_address: string }> }
  assert.equal(vals.validators.map((v) => v.operator_address).sort(), [genesisVal, val].sort())
  const dels = JSON.parse((await cli(["query", "staking", "delegations", alice, ...base])).stdout) as { delegation_responses: Array<{ delegation: { validator_address: string }; balance: { amount: string } }> }
  const onVal = dels.delegation_responses.find((d) => d.delegation.validator_address === val)!
  assert.is(onVal.balance.amount, String(BigInt(before) + 500_000n))
  const bad = await cli(["tx", "staking", "delegate", alice, "1boot", "--from", "dev", ...base])
  assert.is.not(bad.code, 0)
  assert.match(bad.stderr + bad.stdout, /invalid validator address/)
})

test("restart: the node resumes after validator set changes and keeps producing", async (ctx) => {
  const height = (await rpc<{ sync_info: { latest_block_height: string } }>(ctx.h.rpcUrl, "status")).sync_info.latest_block_height
  ctx.dev.disconnect()
  ctx.op.disconnect()
  ctx.comet.disconnect()
  await ctx.node.kill("SIGTERM")
  ctx.node = await startNode(ctx.h)
  const deadline = Date.now() + 15_000
  let now = 0
  while (Date.now() < deadline && now <= Number(height) + 2) {
    await new Promise((r) => setTimeout(r, 200))
    now = Number((await rpc<{ sync_info: { latest_block_height: string } }>(ctx.h.rpcUrl, "status")).sync_info.latest_block_height)
  }
  assert.ok(now > Number(height) + 2, `blocks after restart: ${height} -> ${now}\n${ctx.node.output().slice(-2000)}`)
  const vals = await rpc<{ validators: Array<{ voting_power: string }> }>(ctx.h.rpcUrl, "validators")
  assert.is(vals.validators.length, 2)
})

test.run()
