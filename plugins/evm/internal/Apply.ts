/**
 * Applying an EVM job's net changes to the chain (transactions only): the EVM namespace (nonces,
 * code, storage) and the balance changes as bank transfers. Every payer pays into the EVM module
 * account and every payee is paid from it, so the machine moves coins only as itself (`from: self`),
 * from the transaction's signer (`from: signer`) or as the paying contract's own principal
 * (`evm:<bech32>`, `from: self`). What the EVM burnt (the base fee) goes on to the fee collector.
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import type { ExecContext } from "../../../chain/Machine.ts"
import { bankBalance, bech32Of, evmPrincipal, type AnswerEnv } from "./Answers.ts"
import { EMPTY_CODE_HASH } from "./Store.ts"
import type { StateChanges } from "./WorkerState.ts"

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** 20-byte module account of `name` (sha256(name)[:20], SDK NewModuleAddress), as hex. */
const moduleHex = (name: string): string => Buffer.from(sha256(new TextEncoder().encode(name)).subarray(0, 20)).toString("hex")

/** The evm module account (each tx's clearing account and the escrow), hex. */
export const EVM_MODULE = moduleHex("evm")
/** The fee collector (the block's coinbase), hex. */
export const FEE_COLLECTOR = moduleHex("fee_collector")
/** Module accounts bank keeps out of transfers (its blocked recipients), and the evm clearing account. */
const BLOCKED: ReadonlySet<string> = new Set(["mint", "distribution", "bonded_tokens_pool", "not_bonded_tokens_pool", "evm"].map(moduleHex))

/**
 * Write `changes` (module doc). `sender` is the tx sender (hex); `escrow` what the ante moved from it
 * into the module account (its balance in `changes` is relative to before that). Throws
 * InvalidRequest when a balance would fall for an account whose code did not run and that is not
 * the sender, or when a payee is a module account bank keeps out of transfers.
 */
export const applyChanges = (ctx: ExecContext, env: AnswerEnv, changes: StateChanges, sender: string, escrow: bigint): void => {
  const { store, evmStore } = env
  // whose coins may move besides the sender's: accounts whose code ran (a contract created and
  // destroyed in this tx included) and accounts with code
  const contracts = new Set<string>(changes.ran)
  for (const c of changes.code) evmStore.setCode(store, changes.accounts.find((a) => a.address === c.address)?.codeHash ?? EMPTY_CODE_HASH, c.code)
  for (const a of changes.accounts) {
    if (!same(a.codeHash, EMPTY_CODE_HASH) || evmStore.account(store, a.address)?.codeHash.some((b, i) => b !== EMPTY_CODE_HASH[i])) contracts.add(a.address)
  }
  for (const addr of changes.cleared) evmStore.clearStorage(store, addr)
  for (const a of changes.accounts) {
    if (a.deleted) evmStore.clearStorage(store, a.address)
    evmStore.setAccount(store, a.address, a.deleted ? { nonce: 0n, codeHash: EMPTY_CODE_HASH } : { nonce: a.nonce, codeHash: a.codeHash })
  }
  for (const s of changes.storage) evmStore.setStorage(store, s.address, s.slot, s.value)

  const module = bech32Of(env, EVM_MODULE)
  const send = (from: string, to: string, amount: bigint, principal: string) => {
    const body = MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom: env.params.denom, amount: amount.toString() }] }).finish()
    env.write!(principal, { target: "bank", method: "send", body })
  }
  let pool = escrow
  const payees: Array<[string, bigint]> = []
  for (const a of changes.accounts) {
    // the sender's change is relative to before the ante: the escrow already sits in the pool
    const delta = (a.deleted ? 0n : a.balance) - a.balance0 + (a.address === sender ? escrow : 0n)
    if (delta > 0n) {
      if (BLOCKED.has(a.address)) throw new env.host.errors.InvalidRequest({ log: `EVM: 0x${a.address} is a module account that takes no transfers` })
      payees.push([a.address, delta])
    }
    if (delta >= 0n) continue
    if (a.address !== sender && !contracts.has(a.address)) {
      throw new env.host.errors.InvalidRequest({ log: `EVM: the balance of ${a.address} would fall, but it is neither the sender nor a contract` })
    }
    // the sender pays as the machine under its `from: signer` grant, a contract as itself
    if (a.address === sender) ctxSend(ctx, env, bech32Of(env, a.address), module, -delta)
    else send(bech32Of(env, a.address), module, -delta, evmPrincipal(env, a.address))
    pool += -delta
  }
  for (const [addr, amount] of payees) {
    ctxSend(ctx, env, module, bech32Of(env, addr), amount)
    pool -= amount
  }
  if (pool < 0n) throw new Error(`EVM: balance changes credit ${-pool} more than they debit`)
  if (pool > 0n) ctxSend(ctx, env, module, bech32Of(env, FEE_COLLECTOR), pool)
}

/** Move the evm module account's balance of the EVM coin to the fee collector (Evm.ts endBlock). */
export const sweepEscrow = (ctx: ExecContext, env: AnswerEnv): void => {
  const held = bankBalance(env, undefined, EVM_MODULE, env.params.denom)
  if (held > 0n) ctxSend(ctx, env, bech32Of(env, EVM_MODULE), bech32Of(env, FEE_COLLECTOR), held)
}

/** A bank send of the EVM coin by the machine itself (machine:evm): from its module account or from the signer; its KV gas given back. */
export const ctxSend = (ctx: ExecContext, env: AnswerEnv, from: string, to: string, amount: bigint): void => {
  const body = MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom: env.params.denom, amount: amount.toString() }] }).finish()
  const before = ctx.gas.consumed()
  try {
    ctx.call({ target: "bank", method: "send", body })
  } finally {
    const extra = ctx.gas.consumed() - before
    if (extra > 0) ctx.gas.refund(extra)
  }
}
