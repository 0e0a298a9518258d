/**
 * Block-hook cost of proof of stake and governance (issue "Staking, governance, and plugin
 * machines"): staking, distribution and gov with `validators` bonded validators and `delegations`
 * delegations (genesis), measured against the execution of the block's transactions in the same run.
 *
 * Chain: the real Application over an in-memory IAVL store (auth, bank, distribution, gov, staking).
 * Each measured block carries `txs` MsgSends signed by validator operators, and a last commit listing
 * every validator, as consensus gives it (the fees are allocated over those validators, each found
 * by consensus address, in the next block). The begin/end block hooks of the three machines
 * are timed by wrapping them (process.hrtime); the transactions' share is FinalizeBlock minus those
 * hooks. A governance proposal voted on by every operator ends in one block: its tally (every vote,
 * every voter's delegations) is reported on its own.
 *
 * Run: `npx node bench/pos.bench.ts [validators] [delegations] [txs] [blocks]` (defaults 100 10000 100 10).
 */
import { toBech32 } from "@cosmjs/encoding"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Machine } from "../chain/Machine.ts"
import { moduleAccountBytes } from "../chain/Principal.ts"
import { sha256 } from "../lib/Bytes.ts"
import { AuthMachine } from "../modules/auth/Auth.ts"
import { BankMachine } from "../modules/bank/Bank.ts"
import { DistributionMachine } from "../modules/distribution/Distribution.ts"
import { GovMachine } from "../modules/gov/Gov.ts"
import { StakingMachine } from "../modules/staking/Staking.ts"
import { Chain, makeKey, type Key } from "../test/machines/support/Chain.ts"
import { submitMsg, voteMsg } from "../test/gov/support/GovChain.ts"
import { valoper } from "../test/staking/support.ts"

const VALIDATORS = Number(process.argv[2] ?? 100)
const DELEGATIONS = Number(process.argv[3] ?? 10_000)
const TXS = Number(process.argv[4] ?? 100)
const BLOCKS = Number(process.argv[5] ?? 10)
const OPTS = { bech32Prefix: "cyber", bondDenom: "boot" }
const SELF = 1_000_000n
const EACH = 10_000n

const hooks = new Map<string, bigint>()
/** Wrap `m`'s block hooks so their time accumulates under `<name>.<hook>`. */
const timed = <M extends Machine>(m: M): M => {
  for (const hook of ["beginBlock", "endBlock"] as const) {
    const f = m[hook] as ((ctx: never) => unknown) | undefined
    if (!f) continue
    ;(m as unknown as Record<string, unknown>)[hook] = (ctx: never) => {
      const t = process.hrtime.bigint()
      try {
        return f.call(m, ctx)
      } finally {
        const k = `${m.name}.${hook}`
        hooks.set(k, (hooks.get(k) ?? 0n) + process.hrtime.bigint() - t)
      }
    }
  }
  return m
}
const hookTotal = () => [...hooks.values()].reduce((a, b) => a + b, 0n)

const ops: Key[] = []
for (let i = 0; i < VALIDATORS; i++) ops.push(await makeKey(`pos bench operator ${i}`))
const delegator = (i: number) => toBech32("cyber", sha256(`pos bench delegator ${i}`).subarray(0, 20))
const tokens = ops.map(() => SELF)
const delegations: Array<{ delegator_address: string; validator_address: string; shares: string }> = ops.map((k) => ({
  delegator_address: k.address, validator_address: valoper(k.address), shares: `${SELF}.000000000000000000`
}))
for (let i = 0; i < DELEGATIONS; i++) {
  const v = i % VALIDATORS
  tokens[v]! += EACH
  delegations.push({ delegator_address: delegator(i), validator_address: valoper(ops[v]!.address), shares: `${EACH}.000000000000000000` })
}
const bonded = tokens.reduce((a, b) => a + b, 0n)
const staking = {
  params: { unbonding_time: "60s", max_validators: VALIDATORS, max_entries: 7, historical_entries: 0, bond_denom: "boot", min_commission_rate: "0.000000000000000000" },
  validators: ops.map((k, i) => ({
    operator_address: valoper(k.address),
    consensus_pubkey: { "@type": "/cosmos.crypto.ed25519.PubKey", key: Buffer.from(sha256(`pos bench consensus ${i}`)).toString("base64") },
    status: "BOND_STATUS_BONDED", tokens: tokens[i]!.toString(), delegator_shares: `${tokens[i]}.000000000000000000`, description: { moniker: `v${i}` },
    commission: { commission_rates: { rate: "0.050000000000000000", max_rate: "0.200000000000000000", max_change_rate: "0.010000000000000000" }, update_time: "2023-11-14T22:13:20Z" },
    min_self_delegation: "1"
  })),
  delegations
}
const machines = [new AuthMachine({ minGasPrices: "0.001boot" }), new BankMachine({}), timed(new DistributionMachine(OPTS)), timed(new GovMachine(OPTS)), timed(new StakingMachine(OPTS))]
const chain = await Chain.open(machines)
const fund = (address: string, amount: bigint) => ({ address, coins: [{ denom: "boot", amount: amount.toString() }] })
const t0 = process.hrtime.bigint()
await chain.init({
  auth: { accounts: [] },
  bank: { balances: [...ops.map((k) => fund(k.address, 10n ** 15n)), fund(toBech32("cyber", moduleAccountBytes("bonded_tokens_pool")), bonded), fund(toBech32("cyber", moduleAccountBytes("gov")), 1000n)] },
  staking,
  // the vote ends after the measured blocks (5 s apart): its tally block is measured on its own
  gov: { params: { max_deposit_period: "100s", voting_period: `${BLOCKS * 5 + 20}s` } }
})
const initMs = Number(process.hrtime.bigint() - t0) / 1e6
console.log(`genesis: ${VALIDATORS} validators, ${DELEGATIONS + VALIDATORS} delegations, InitChain + block 1 ${initMs.toFixed(0)} ms`)

const sendTxs = async (): Promise<Uint8Array[]> => {
  const out: Uint8Array[] = []
  for (let i = 0; i < TXS; i++) {
    const k = ops[i % ops.length]!
    const msg: Any = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: k.address, toAddress: delegator(i), amount: [{ denom: "boot", amount: "1" }] }).finish() }
    out.push(await chain.sign(k, [msg], 200_000))
  }
  return out
}
// every block's last commit lists all validators, as consensus gives it (distribution allocates by it)
const commitVotes = ops.map((_, i) => ({
  validator: { address: sha256(sha256(`pos bench consensus ${i}`)).subarray(0, 20), power: tokens[i]! / 1_000_000n }, blockIdFlag: 2
}))
/** One block (FinalizeBlock + Commit); returns [its ns, hook ns]. */
const block = async (txs: Uint8Array[]): Promise<[bigint, bigint]> => {
  const before = hookTotal()
  const height = chain.height() + 1
  const t = process.hrtime.bigint()
  const res = await chain.app.finalizeBlock({
    txs, decidedLastCommit: { round: 0, votes: commitVotes }, misbehavior: [], hash: sha256(`block ${height}`), height: BigInt(height),
    time: { seconds: 1_700_000_000n + BigInt(height) * 5n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
  })
  await chain.app.commit()
  const total = process.hrtime.bigint() - t
  for (const r of res.txResults) if (r.code !== 0) throw new Error(`tx failed: ${r.log}`)
  return [total, hookTotal() - before]
}

// a proposal every operator votes on (ends in a later block)
const gov = machines[3] as GovMachine
const proposal = submitMsg(ops[0]!.address, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: gov.moduleAccount, toAddress: ops[1]!.address, amount: [{ denom: "boot", amount: "1" }] }).finish() }], 10_000_000n)
await block([await chain.sign(ops[0]!, [proposal])])
const votes: Uint8Array[] = []
for (const k of ops) votes.push(await chain.sign(k, [voteMsg(k.address, 1n, VoteOption.VOTE_OPTION_YES)]))
await block(votes)

let txNs = 0n
let hookNs = 0n
let n = 0
const byHook = new Map<string, bigint>()
for (let i = 0; i < BLOCKS; i++) {
  const txs = await sendTxs()
  hooks.clear()
  const [total, h] = await block(txs)
  for (const [k, v] of hooks) byHook.set(k, (byHook.get(k) ?? 0n) + v)
  txNs += total - h
  hookNs += h
  n++
}
const per = (ns: bigint) => (Number(ns) / 1e6 / n).toFixed(2)
console.log(`blocks of ${TXS} MsgSends (mean of ${n}): txs ${per(txNs)} ms, staking+distribution+gov hooks ${per(hookNs)} ms; hooks / txs = ${(Number(hookNs) / Number(txNs)).toFixed(3)}`)
console.log(`  per hook: ${[...byHook].sort().map(([k, v]) => `${k} ${per(v)} ms`).join(", ")}`)

// run empty blocks until the proposal's voting period ends: that block's gov endBlock is the tally
for (let i = 0; i < 30; i++) {
  hooks.clear()
  const [total, h] = await block([])
  const govNs = hooks.get("gov.endBlock") ?? 0n
  const p = await chain.query("/cosmos.gov.v1.Query/Proposal", (await import("cosmjs-types/cosmos/gov/v1/query")).QueryProposalRequest.encode({ proposalId: 1n }).finish())
  const status = (await import("cosmjs-types/cosmos/gov/v1/query")).QueryProposalResponse.decode(p.value).proposal?.status
  if (status !== undefined && status > 2 && status !== 3) throw new Error(`the proposal ended with status ${status}`)
  if (status === 3) {
    console.log(`tally block (${VALIDATORS} votes over ${DELEGATIONS + VALIDATORS} delegations, proposal passed): gov endBlock ${(Number(govNs) / 1e6).toFixed(2)} ms, all hooks ${(Number(h) / 1e6).toFixed(2)} ms, FinalizeBlock + Commit ${(Number(total) / 1e6).toFixed(2)} ms; tally / a ${TXS}-tx block's txs = ${(Number(govNs) / (Number(txNs) / n)).toFixed(3)}`)
    break
  }
}
await chain.close()
