/**
 * The machine's answers to its worker (plugins/evm/internal/Protocol.ts WorkerRequest): EVM state
 * from the namespace, balances from bank, and precompile operations performed as the calling
 * contract's principal `evm:<bech32>`, so the kernel checks that principal's capabilities (a
 * contract asking bank to send from an account that is not its own fails `bank.send {from: self}`).
 *
 * Two environments: a transaction (ExecContext; chain calls change state) and a read-only query
 * (QueryContext: eth_call / eth_estimateGas; a state-changing precompile answers success without
 * acting, since everything the call did is thrown away).
 */
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import type { ChainCall, ExecContext, QueryContext } from "../../../chain/Machine.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import type { PluginHost } from "../../Host.ts"
import type { PrecompileAnswer, PrecompileOp, WorkerRequest } from "./Protocol.ts"
import { EMPTY_CODE_HASH, type EvmParams, type EvmStore } from "./Store.ts"
import type { LoadedAccount } from "./WorkerState.ts"

/** What answering needs: the namespace, and how to call other machines in this environment. */
export interface AnswerEnv {
  readonly store: KVStore
  readonly evmStore: EvmStore
  readonly params: EvmParams
  readonly host: PluginHost
  readonly bech32Prefix: string
  /** The transaction's sender (hex), absent in a query. */
  readonly sender?: string
  /** The ante's writes to undo in the EVM's view: the sender's taken nonce and escrowed fee (internal/Ante.ts). */
  readonly ante?: { readonly address: string; readonly escrow: bigint }
  /** A read-only call as `principal` (capability-checked). */
  read(principal: string | undefined, call: ChainCall): Uint8Array
  /** A state-changing call as `principal`; undefined in a query (no effect). */
  write?(principal: string, call: ChainCall): Uint8Array
}

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, "hex"))

/** The bech32 account of a 20-byte EVM address (hex). */
export const bech32Of = (env: Pick<AnswerEnv, "host" | "bech32Prefix">, hex: string): string => env.host.address.format(bytes(hex), env.bech32Prefix)

/** The principal an EVM address acts as. */
export const evmPrincipal = (env: Pick<AnswerEnv, "host" | "bech32Prefix">, hex: string): string => `evm:${bech32Of(env, hex)}`

/** Bank balance of `hex` in `denom` (base units), as the EVM machine itself reads it. */
export const bankBalance = (env: AnswerEnv, principal: string | undefined, hex: string, denom: string): bigint => {
  const body = QueryBalanceRequest.encode({ address: bech32Of(env, hex), denom }).finish()
  const res = QueryBalanceResponse.decode(env.read(principal, { target: "bank", method: "balance", body }))
  return BigInt(res.balance?.amount ?? "0")
}

/** Answer one worker request (throws a chain error to refuse a precompile; the caller turns it into a revert). */
export const answer = (env: AnswerEnv, req: WorkerRequest): unknown => {
  switch (req.t) {
    case "account": {
      const rec = env.evmStore.account(env.store, req.address)
      let nonce = rec?.nonce ?? 0n
      let balance = bankBalance(env, undefined, req.address, env.params.denom)
      if (env.ante?.address === req.address) {
        nonce -= 1n
        balance += env.ante.escrow
      }
      const a: LoadedAccount = { nonce, balance, codeHash: rec?.codeHash ?? EMPTY_CODE_HASH, exists: rec !== undefined || balance > 0n }
      return a
    }
    case "code": {
      const rec = env.evmStore.account(env.store, req.address)
      return rec ? env.evmStore.code(env.store, rec.codeHash) : new Uint8Array()
    }
    case "storage":
      return env.evmStore.storage(env.store, req.address, req.slot)
    case "precompile":
      return precompile(env, req.caller, req.call)
  }
}

const isChainError = (env: AnswerEnv, e: unknown): e is { log: string } => env.host.errors.isChainError(e)

const precompile = (env: AnswerEnv, caller: string, op: PrecompileOp): PrecompileAnswer => {
  const principal = evmPrincipal(env, caller)
  try {
    switch (op.op) {
      case "bank.balance":
        return { ok: true, value: bankBalance(env, principal, op.account, op.denom) }
      case "graph.rank": {
        const w = new env.host.protobuf.BinaryWriter()
        w.uint32(10).string(op.particle)
        const r = new env.host.protobuf.BinaryReader(env.read(principal, { target: "graph", method: "rank", body: w.finish() }))
        let rank = 0n
        while (r.pos < r.len) {
          const tag = r.uint32()
          if (tag >>> 3 === 1) rank = BigInt(r.uint64().toString())
          else r.skipType(tag & 7)
        }
        return { ok: true, value: rank }
      }
      case "zk.verify": {
        const w = new env.host.protobuf.BinaryWriter()
        w.uint32(10).string(op.keyHash)
        w.uint32(18).string(op.proof)
        for (const x of op.publicInputs) w.uint32(26).string(x)
        const r = new env.host.protobuf.BinaryReader(env.read(principal, { target: "zk", method: "verify", body: w.finish() }))
        let valid = false
        while (r.pos < r.len) {
          const tag = r.uint32()
          if (tag >>> 3 === 1) valid = r.bool()
          else r.skipType(tag & 7)
        }
        return { ok: true, value: valid }
      }
      case "bank.send": {
        if (op.denom === env.params.denom) return { ok: false, reason: `bank precompile: send ${env.params.denom} with a value transfer (it is the EVM's own coin)` }
        if (op.amount <= 0n) return { ok: false, reason: "bank precompile: amount must be positive" }
        const mayWrite = writable(env, caller)
        if (mayWrite) return mayWrite
        const body = MsgSend.encode({ fromAddress: bech32Of(env, op.from), toAddress: bech32Of(env, op.to), amount: [{ denom: op.denom, amount: op.amount.toString() }] }).finish()
        env.write?.(principal, { target: "bank", method: "send", body })
        return { ok: true, value: true }
      }
      case "graph.link": {
        const mayWrite = writable(env, caller)
        if (mayWrite) return mayWrite
        const w = new env.host.protobuf.BinaryWriter()
        w.uint32(10).string(bech32Of(env, caller))
        w.uint32(18).fork().uint32(10).string(op.from).uint32(18).string(op.to).ldelim()
        env.write?.(principal, { target: "graph", method: "link", body: w.finish() })
        return { ok: true, value: true }
      }
    }
  } catch (e) {
    if (isChainError(env, e)) return { ok: false, reason: e.log }
    throw e
  }
}

/**
 * A state-changing precompile acts only for a deployed contract (code in state) or for the
 * transaction's own sender; a constructor (no code stored yet) cannot.
 */
const writable = (env: AnswerEnv, caller: string): PrecompileAnswer | undefined => {
  if (caller === env.sender) return undefined
  const rec = env.evmStore.account(env.store, caller)
  if (rec !== undefined && rec.codeHash.some((b, i) => b !== EMPTY_CODE_HASH[i])) return undefined
  return { ok: false, reason: `precompile: ${caller} is neither a contract nor the transaction's sender` }
}

/** An environment over a transaction's context: chain calls are real and capability-checked. */
export const execEnv = (ctx: ExecContext, base: Omit<AnswerEnv, "read" | "write" | "store">): AnswerEnv => {
  const unmetered = <T>(f: () => T): T => {
    // the EVM prices its work in EVM gas; the KV gas of the calls it makes is given back
    const before = ctx.gas.consumed()
    try {
      return f()
    } finally {
      const extra = ctx.gas.consumed() - before
      if (extra > 0) ctx.gas.refund(extra)
    }
  }
  return {
    ...base,
    store: ctx.rawStore ?? ctx.store,
    read: (principal, call) => unmetered(() => (principal ? ctx.actAs(principal) : ctx).query(call)),
    write: (principal, call) => unmetered(() => ctx.actAs(principal).call(call))
  }
}

/** A read-only environment over a query snapshot (eth_call, eth_estimateGas). */
export const queryEnv = (ctx: QueryContext, base: Omit<AnswerEnv, "read" | "write" | "store">): AnswerEnv => ({
  ...base,
  store: ctx.store,
  // the machine's own reads are balances (public gRPC); a contract's go through its principal
  read: (principal, call) => {
    if (principal) return ctx.callAs(principal, call)
    if (call.target === "bank" && call.method === "balance") return ctx.query("bank", "/cosmos.bank.v1beta1.Query/Balance", call.body)
    throw new base.host.errors.UnknownRequest({ log: `evm query: no public read for ${call.target}.${call.method}` })
  }
})
