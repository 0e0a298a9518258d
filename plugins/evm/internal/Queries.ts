/**
 * The EVM machine's queries (JSON request and response bodies, UTF-8), what the Ethereum JSON-RPC
 * service (plugins/evm/rpc) reads state with. Addresses are 0x hex; amounts decimal strings (wei).
 *
 *   Params      {} -> {chain_id, denom, base_fee, min_tip, block_gas_limit}
 *   Account     {address} -> {nonce, balance, code_hash, code_size}
 *   Code        {address} -> {code}
 *   Storage     {address, slot (0x 32 bytes)} -> {value (0x 32 bytes)}
 *   Call        {from?, to?, data?, value?, gas?, timestamp?} -> {status (1|0), return_data, gas_used, revert_reason}
 *   EstimateGas (as Call) -> {status, gas, return_data, revert_reason}
 *
 * Errors: InvalidRequest (18) naming the field; UnknownRequest (6) for another path.
 */
import type { QueryContext } from "../../../chain/Machine.ts"
import { bankBalance, type AnswerEnv } from "./Answers.ts"
import { revertReason } from "./Codecs.ts"
import type { EvmBlock, JobResult } from "./Protocol.ts"
import { EMPTY_CODE_HASH, type EvmParams } from "./Store.ts"

/** Most gas one Call or EstimateGas query may use (each bisection step of an estimate too). */
export const QUERY_GAS_CAP = 10_000_000n

/**
 * Wall-clock budget of one Call or EstimateGas query, bisection included (ms): queries run on the
 * node's thread, so past it the worker is stopped and the query answers an error. Queries are node
 * plane, so a time limit may decide them; transactions never have one.
 */
export const QUERY_BUDGET_MS = 750

/** Query path prefix. */
export const EVM_QUERY = "/cyberkernel.evm.v1.Query/"

/** What the queries need of the machine. */
export interface CallRunner {
  runCall(env: AnswerEnv, block: EvmBlock, job: { t: "call" | "estimate"; from: string; to?: string; data: Uint8Array; value: bigint; gas: bigint }): JobResult
}

const enc = new TextEncoder()
const json = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v))

/** Answer `path` (module doc). */
export const evmQuery = (
  machine: CallRunner, ctx: QueryContext, path: string, data: Uint8Array, params: EvmParams, env: AnswerEnv,
  blockAt: (height: number, seconds: bigint) => EvmBlock
): Uint8Array => {
  const bad = (why: string): never => {
    throw new env.host.errors.InvalidRequest({ log: `${path}: ${why}` })
  }
  let req: Record<string, unknown> = {}
  if (data.length > 0) {
    try {
      req = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>
    } catch {
      bad("the request is not JSON")
    }
    if (typeof req !== "object" || req === null || Array.isArray(req)) bad("the request must be a JSON object")
  }
  const address = (k: string, optional = false): string | undefined => {
    const v = req[k]
    if (v === undefined || v === null) return optional ? undefined : bad(`"${k}" is required`)
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) return bad(`"${k}" must be a 0x 20-byte address`)
    return v.slice(2).toLowerCase()
  }
  const amount = (k: string, dflt: bigint): bigint => {
    const v = req[k]
    if (v === undefined || v === null) return dflt
    if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,77})$/.test(v)) return bad(`"${k}" must be a decimal string`)
    return BigInt(v)
  }
  switch (path.slice(EVM_QUERY.length)) {
    case "Params":
      return json({ chain_id: params.chainId.toString(), denom: params.denom, base_fee: params.baseFee.toString(), min_tip: params.minTip.toString(), block_gas_limit: params.blockGasLimit.toString() })
    case "Account": {
      const a = address("address")!
      const rec = env.evmStore.account(env.store, a)
      const code = rec ? env.evmStore.code(env.store, rec.codeHash) : new Uint8Array()
      return json({
        nonce: (rec?.nonce ?? 0n).toString(), balance: bankBalance(env, undefined, a, params.denom).toString(),
        code_hash: `0x${Buffer.from(rec?.codeHash ?? EMPTY_CODE_HASH).toString("hex")}`, code_size: code.length
      })
    }
    case "Code": {
      const rec = env.evmStore.account(env.store, address("address")!)
      return json({ code: `0x${Buffer.from(rec ? env.evmStore.code(env.store, rec.codeHash) : new Uint8Array()).toString("hex")}` })
    }
    case "Storage": {
      const slot = req.slot
      if (typeof slot !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(slot)) bad(`"slot" must be 0x hex of at most 32 bytes`)
      const v = env.evmStore.storage(env.store, address("address")!, (slot as string).slice(2).toLowerCase().padStart(64, "0"))
      return json({ value: `0x${Buffer.from(v).toString("hex").padStart(64, "0")}` })
    }
    case "Call":
    case "EstimateGas": {
      const estimate = path.endsWith("EstimateGas")
      const d = req.data ?? "0x"
      if (typeof d !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(d)) bad(`"data" must be 0x hex bytes`)
      // queries run on the node's thread: capped (geth's RPCGasCap), a larger ask is clamped
      const cap = params.blockGasLimit < QUERY_GAS_CAP ? params.blockGasLimit : QUERY_GAS_CAP
      const asked = amount("gas", cap)
      const gas = asked < cap ? asked : cap
      const to = address("to", true)
      const r = machine.runCall(env, blockAt(ctx.height, amount("timestamp", 0n)), {
        t: estimate ? "estimate" : "call", from: address("from", true) ?? "0".repeat(40), ...(to !== undefined ? { to } : {}),
        data: new Uint8Array(Buffer.from((d as string).slice(2), "hex")), value: amount("value", 0n), gas
      })
      if (r.t === "invalid") return bad(r.reason)
      const reason = r.status === 0 ? revertReason(r.returnValue, r.error) : ""
      const ret = `0x${Buffer.from(r.returnValue).toString("hex")}`
      return json(estimate
        ? { status: r.status, gas: r.gasUsed.toString(), return_data: ret, revert_reason: reason }
        : { status: r.status, return_data: ret, gas_used: r.gasUsed.toString(), revert_reason: reason })
    }
    default:
      throw new env.host.errors.UnknownRequest({ log: `unknown query path ${path}` })
  }
}
