/**
 * The EVM machine's store layout (its IAVL namespace `evm`, so EVM state is in the app hash and
 * provable with ICS-23) and its params. Balances are not here: they are bank balances.
 *
 * | key                                  | value |
 * |--------------------------------------|-------|
 * | 0x01 ‖ address(20)                   | account: nonce (u64 big-endian, 8) ‖ code hash (32) |
 * | 0x02 ‖ code hash(32)                 | code bytes |
 * | 0x03 ‖ address(20) ‖ slot(32)        | storage value (32 bytes; a zero value is deleted) |
 * | 0x04                                 | params (protobuf: 1 chain_id u64, 2 denom, 3 base_fee, 4 min_tip (decimal texts), 5 block_gas_limit u64) |
 *
 * Source: Ethereum yellow paper account fields (nonce, codeHash, storage); docs/evm.md.
 */
import type { KVStore } from "../../../store/KVStore.ts"
import type { PluginHost } from "../../Host.ts"

/** EVM params (governance may change them with a code upgrade of the plugin; docs/evm.md). */
export interface EvmParams {
  /** EIP-155 chain id of Ethereum transactions. */
  readonly chainId: bigint
  /** Bank denom whose base unit is one wei. */
  readonly denom: string
  /** Base fee per gas in wei (fixed; the whole fee goes to the fee collector). */
  readonly baseFee: bigint
  /** Least priority fee per gas eth_maxPriorityFeePerGas suggests (wei). */
  readonly minTip: bigint
  /** Largest gas limit one Ethereum tx may ask for. */
  readonly blockGasLimit: bigint
}

/** Defaults: chain id 1337 (a dev chain id wallets know), base fee 1 wei per gas, 30 M gas. */
export const defaultParams = (denom: string): EvmParams => ({ chainId: 1337n, denom, baseFee: 1n, minTip: 0n, blockGasLimit: 30_000_000n })

/** keccak256 of the empty string: the code hash of an account without code. */
export const EMPTY_CODE_HASH = new Uint8Array(Buffer.from("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", "hex"))

const PARAMS_KEY = Uint8Array.of(0x04)
const key = (prefix: number, ...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0))
  out[0] = prefix
  let o = 1
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
const hexBytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"))

/** An account record: nonce and code hash. */
export interface AccountRecord {
  readonly nonce: bigint
  readonly codeHash: Uint8Array
}

/** Typed access to the EVM namespace. Addresses and slots: lowercase hex without 0x. */
export class EvmStore {
  private readonly host: PluginHost
  constructor(host: PluginHost) {
    this.host = host
  }

  account(store: KVStore, address: string): AccountRecord | undefined {
    const v = store.get(key(0x01, hexBytes(address)))
    if (v === undefined) return undefined
    return { nonce: Buffer.from(v.subarray(0, 8)).readBigUInt64BE(), codeHash: v.slice(8, 40) }
  }

  setAccount(store: KVStore, address: string, rec: AccountRecord): void {
    const k = key(0x01, hexBytes(address))
    if (rec.nonce === 0n && equal(rec.codeHash, EMPTY_CODE_HASH)) {
      store.delete(k)
      return
    }
    const v = new Uint8Array(40)
    Buffer.from(v.buffer).writeBigUInt64BE(rec.nonce, 0)
    v.set(rec.codeHash, 8)
    store.set(k, v)
  }

  code(store: KVStore, codeHash: Uint8Array): Uint8Array {
    return store.get(key(0x02, codeHash)) ?? new Uint8Array()
  }

  setCode(store: KVStore, codeHash: Uint8Array, code: Uint8Array): void {
    if (code.length > 0) store.set(key(0x02, codeHash), code)
  }

  storage(store: KVStore, address: string, slot: string): Uint8Array {
    return store.get(key(0x03, hexBytes(address), hexBytes(slot))) ?? new Uint8Array()
  }

  setStorage(store: KVStore, address: string, slot: string, value: Uint8Array): void {
    const k = key(0x03, hexBytes(address), hexBytes(slot))
    if (value.every((b) => b === 0)) store.delete(k)
    else {
      const v = new Uint8Array(32)
      v.set(value.subarray(Math.max(0, value.length - 32)), 32 - Math.min(32, value.length))
      store.set(k, v)
    }
  }

  /** Delete every storage slot of `address`. */
  clearStorage(store: KVStore, address: string): void {
    const start = key(0x03, hexBytes(address))
    const keys: Uint8Array[] = []
    const stop = incremented(start)
    for (const [k] of store.iterate(start, stop)) keys.push(k)
    for (const k of keys) store.delete(k)
  }

  /** Storage slots of `address` in slot order (export). */
  *slots(store: KVStore, address: string): Iterable<[string, Uint8Array]> {
    const start = key(0x03, hexBytes(address))
    for (const [k, v] of store.iterate(start, incremented(start))) yield [Buffer.from(k.subarray(21)).toString("hex"), v]
  }

  /** Every account record in address order (export). */
  *accounts(store: KVStore): Iterable<[string, AccountRecord]> {
    for (const [k, v] of store.iterate(Uint8Array.of(0x01), Uint8Array.of(0x02))) {
      yield [Buffer.from(k.subarray(1)).toString("hex"), { nonce: Buffer.from(v.subarray(0, 8)).readBigUInt64BE(), codeHash: v.slice(8, 40) }]
    }
  }

  params(store: KVStore, denom: string): EvmParams {
    const v = store.get(PARAMS_KEY)
    if (v === undefined) return defaultParams(denom)
    const r = new this.host.protobuf.BinaryReader(v)
    let p = defaultParams(denom)
    while (r.pos < r.len) {
      const tag = r.uint32()
      switch (tag >>> 3) {
        case 1: p = { ...p, chainId: BigInt(r.uint64().toString()) }; break
        case 2: p = { ...p, denom: r.string() }; break
        case 3: p = { ...p, baseFee: BigInt(r.string()) }; break
        case 4: p = { ...p, minTip: BigInt(r.string()) }; break
        case 5: p = { ...p, blockGasLimit: BigInt(r.uint64().toString()) }; break
        default: r.skipType(tag & 7)
      }
    }
    return p
  }

  setParams(store: KVStore, p: EvmParams): void {
    const w = new this.host.protobuf.BinaryWriter()
    w.uint32(8).uint64(p.chainId)
    w.uint32(18).string(p.denom)
    w.uint32(26).string(p.baseFee.toString())
    w.uint32(34).string(p.minTip.toString())
    w.uint32(40).uint64(p.blockGasLimit)
    store.set(PARAMS_KEY, w.finish())
  }
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** The least key greater than every key starting with `prefix` (prefix + 1 at its last non-0xff byte). */
const incremented = (prefix: Uint8Array): Uint8Array => {
  const out = new Uint8Array(prefix)
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]! += 1
      return out.subarray(0, i + 1)
    }
  }
  return new Uint8Array([0xff, 0xff])
}
