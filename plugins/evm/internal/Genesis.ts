/**
 * The EVM machine's genesis section (docs/evm.md): params and initial accounts. Parsing refuses a
 * malformed section with InvalidRequest (code 18) naming the field; export is the inverse, in
 * address and slot order.
 */
import { keccak_256 } from "@noble/hashes/sha3.js"
import type { KVStore } from "../../../store/KVStore.ts"
import type { PluginHost } from "../../Host.ts"
import { defaultParams, EMPTY_CODE_HASH, type EvmParams, type EvmStore } from "./Store.ts"

/** One genesis account. Hex without 0x; `storage` in slot order. */
export interface GenesisAccount {
  readonly address: string
  readonly nonce: bigint
  readonly code: Uint8Array
  readonly codeHash: Uint8Array
  readonly storage: ReadonlyArray<readonly [string, Uint8Array]>
}

const HEX = /^0x([0-9a-fA-F]{2})*$/
const DEC = /^(0|[1-9][0-9]{0,30})$/

/** Parse the section (undefined: defaults, no accounts). */
export const parseGenesis = (host: PluginHost, g: unknown, bondDenom: string): { params: EvmParams; accounts: GenesisAccount[] } => {
  const bad = (where: string, why: string): never => {
    throw new host.errors.InvalidRequest({ log: `evm genesis ${where}: ${why}` })
  }
  if (g === undefined || g === null) return { params: defaultParams(bondDenom), accounts: [] }
  if (typeof g !== "object" || Array.isArray(g)) bad("", "expected an object {params, accounts}")
  const o = g as { params?: Record<string, unknown>; accounts?: unknown }
  let params = defaultParams(bondDenom)
  const p = o.params ?? {}
  if (typeof p !== "object" || p === null || Array.isArray(p)) bad("params", "expected an object")
  const num = (k: string, min: bigint): bigint | undefined => {
    const v = p[k]
    if (v === undefined) return undefined
    if (typeof v !== "string" || !DEC.test(v)) return bad(`params.${k}`, "expected a decimal string")
    if (BigInt(v as string) < min) bad(`params.${k}`, `must be at least ${min}`)
    return BigInt(v as string)
  }
  const chainId = num("chain_id", 1n)
  const baseFee = num("base_fee", 0n)
  const minTip = num("min_tip", 0n)
  const blockGasLimit = num("block_gas_limit", 21000n)
  if (p.denom !== undefined && (typeof p.denom !== "string" || !/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(p.denom))) bad("params.denom", "expected a bank denom")
  if (chainId !== undefined && chainId > 2n ** 53n) bad("params.chain_id", "must be at most 2^53")
  params = {
    chainId: chainId ?? params.chainId, denom: (p.denom as string | undefined) ?? params.denom, baseFee: baseFee ?? params.baseFee,
    minTip: minTip ?? params.minTip, blockGasLimit: blockGasLimit ?? params.blockGasLimit
  }
  const list = o.accounts ?? []
  if (!Array.isArray(list)) bad("accounts", "expected a list")
  const seen = new Set<string>()
  const accounts = (list as unknown[]).map((x, i) => {
    const where = `accounts[${i}]`
    const a = x as { address?: unknown; nonce?: unknown; code?: unknown; storage?: unknown } | null
    if (typeof a?.address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(a.address)) return bad(where, "address must be a 0x 20-byte hex address")
    const address = a.address.slice(2).toLowerCase()
    if (seen.has(address)) bad(where, `address ${a.address} listed twice`)
    seen.add(address)
    if (a.nonce !== undefined && (typeof a.nonce !== "string" || !DEC.test(a.nonce))) bad(`${where}.nonce`, "expected a decimal string")
    if (a.code !== undefined && (typeof a.code !== "string" || !HEX.test(a.code))) bad(`${where}.code`, "expected 0x hex bytes")
    const code = new Uint8Array(Buffer.from(((a.code as string | undefined) ?? "0x").slice(2), "hex"))
    const st = a.storage ?? []
    if (!Array.isArray(st)) bad(`${where}.storage`, "expected a list of {slot, value}")
    const storage = (st as Array<{ slot?: unknown; value?: unknown } | null>).map((e, j) => {
      const k = e?.slot
      const v = e?.value
      if (typeof k !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(k) || typeof v !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(v)) {
        bad(`${where}.storage[${j}]`, "expected {slot: 0x 32-byte hex, value: 0x hex of at most 32 bytes}")
      }
      return [(k as string).slice(2).toLowerCase(), new Uint8Array(Buffer.from((v as string).slice(2).padStart(64, "0"), "hex"))] as const
    }).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    storage.forEach((e, j) => {
      if (j > 0 && storage[j - 1]![0] === e[0]) bad(`${where}.storage`, `slot 0x${e[0]} listed twice`)
    })
    return { address, nonce: BigInt((a.nonce as string | undefined) ?? "0"), code, codeHash: code.length === 0 ? EMPTY_CODE_HASH : keccak_256(code), storage }
  })
  return { params, accounts }
}

/** Export the namespace as the genesis section. */
export const exportGenesis = (evmStore: EvmStore, store: KVStore, bondDenom: string): unknown => {
  const p = evmStore.params(store, bondDenom)
  const accounts = [...evmStore.accounts(store)].map(([address, rec]) => {
    const code = evmStore.code(store, rec.codeHash)
    const storage = [...evmStore.slots(store, address)].map(([slot, v]) => ({ slot: `0x${slot}`, value: `0x${Buffer.from(v).toString("hex")}` }))
    return { address: `0x${address}`, nonce: rec.nonce.toString(), code: `0x${Buffer.from(code).toString("hex")}`, storage }
  })
  return {
    params: { chain_id: p.chainId.toString(), denom: p.denom, base_fee: p.baseFee.toString(), min_tip: p.minTip.toString(), block_gas_limit: p.blockGasLimit.toString() },
    accounts
  }
}
