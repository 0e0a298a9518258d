/**
 * One call's environment: the fresh instance's memory and exports, the gas counter, open
 * iterators, and the `env` import functions (cosmwasm-vm 2.2 packages/vm/src/imports.rs,
 * memory.rs, sections.rs). Every region read is bounds-checked; a bad region, a refused write or
 * `abort` throws `ContractFault` (the call fails, the node does not); running out of gas throws
 * OutOfGas. Gas is charged to the instance's `__cw_gas` counter in CW gas (GasConfig.ts).
 */
import { fromBech32, toBech32 } from "@cosmjs/encoding"
import { p256 } from "@noble/curves/nist.js"
import { secp256k1 } from "@noble/curves/secp256k1.js"
import { OutOfGas } from "../../../../../chain/ChainError.ts"
import type { Entry } from "../../../../../store/KVStore.ts"
import type { VmBackend } from "../../Vm.ts"
import { ADDRESS_GAS, CRYPTO_GAS, GAS_MULTIPLIER, KV_GAS, MAX_ITERATORS_PER_CALL, MAX_LENGTH } from "../GasConfig.ts"
import * as Crypto from "./Crypto.ts"

/** A contract-caused failure with cosmwasm-vm's message (never a node fault). */
export class ContractFault extends Error {}

const fault = (msg: string): never => {
  throw new ContractFault(msg)
}

const utf8 = new TextDecoder("utf-8", { fatal: true })
const utf8Lossy = new TextDecoder("utf-8")
const encoder = new TextEncoder()

/** Each section followed by its length as u32 big endian (sections.rs encode_sections). */
export const encodeSections = (sections: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(sections.reduce((n, s) => n + s.length + 4, 0))
  const view = new DataView(out.buffer)
  let at = 0
  for (const s of sections) {
    out.set(s, at)
    view.setUint32(at + s.length, s.length)
    at += s.length + 4
  }
  return out
}

/** Inverse of encodeSections, read from the end (sections.rs decode_sections). */
export const decodeSections = (data: Uint8Array): Uint8Array[] => {
  const out: Uint8Array[] = []
  let remaining = data.length
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  while (remaining >= 4) {
    const len = view.getUint32(remaining - 4)
    const start = remaining - 4 - len
    if (start < 0) fault("Error in guest/host communication: Got an invalid section: section length overflow")
    out.push(data.subarray(start, remaining - 4))
    remaining = start
  }
  if (remaining > 0) fault("Error in guest/host communication: Got an invalid section: extra data outside of any section")
  return out.reverse()
}

interface Instance {
  readonly memory: WebAssembly.Memory
  readonly gas: WebAssembly.Global
  readonly depth: WebAssembly.Global
  readonly exports: Record<string, unknown>
}

/** State and host functions of one call. `attach` binds the instance once it exists. */
export class Environment {
  private instance: Instance | undefined
  /** SDK gas charged by host functions (storage, addresses, queries). */
  externalSdkGas = 0n
  /** Open iterators with the entry they stand on (SDK iterators are positioned, gas is charged on arrival). */
  private readonly iterators: Array<{ readonly it: Iterator<Entry>; current: IteratorResult<Entry> }> = []
  private readonly backend: VmBackend
  private readonly readOnly: boolean
  private readonly weights: Readonly<Record<string, number>>
  constructor(backend: VmBackend, readOnly: boolean, weights: Readonly<Record<string, number>>) {
    this.backend = backend
    this.readOnly = readOnly
    this.weights = weights
  }

  attach(instance: Instance): void {
    this.instance = instance
  }

  private get inst(): Instance {
    return this.instance ?? fault("Uninitialized Context Data: wasmer_instance")
  }

  /** CW gas left (negative after running out). */
  gasLeft(): bigint {
    return this.inst.gas.value as bigint
  }

  chargeCw(cw: bigint, what: string): void {
    const left = (this.inst.gas.value as bigint) - cw
    this.inst.gas.value = left
    if (left < 0n) throw new OutOfGas({ log: `out of gas in contract host function ${what}` })
  }

  chargeSdk(sdk: bigint, what: string): void {
    this.externalSdkGas += sdk
    this.chargeCw(sdk * GAS_MULTIPLIER, what)
  }

  /** Call an export from the host, its frame weight added to the stack counter. */
  callExport(name: string, args: ReadonlyArray<number>): unknown {
    const fn = this.inst.exports[name] as ((...a: number[]) => unknown) | undefined
    if (typeof fn !== "function") return fault(`Error resolving Wasm function: Could not get export: Missing export ${name}`)
    const w = this.weights[name] ?? 0
    const depth = this.inst.depth
    depth.value = (depth.value as number) + w
    try {
      return fn(...args)
    } finally {
      depth.value = (depth.value as number) - w
    }
  }

  private region(ptr: number): { offset: number; capacity: number; length: number } {
    const buffer = this.inst.memory.buffer
    if (ptr + 12 > buffer.byteLength) {
      fault(`Error in guest/host communication: The Wasm memory address ${ptr} provided by the contract could not be dereferenced: Could not dereference this pointer to a Region`)
    }
    const view = new DataView(buffer, ptr, 12)
    const r = { offset: view.getUint32(0, true), capacity: view.getUint32(4, true), length: view.getUint32(8, true) }
    if (r.offset === 0) fault("Error in guest/host communication: Got an invalid region: Got a zero Wasm address in the offset")
    if (r.length > r.capacity) fault(`Error in guest/host communication: Got an invalid region: Region length exceeds capacity. Length ${r.length}, capacity ${r.capacity}`)
    if (r.capacity > 0xffffffff - r.offset) fault(`Error in guest/host communication: Got an invalid region: Region exceeds address space. Offset ${r.offset}, capacity ${r.capacity}`)
    return r
  }

  /** The bytes of the region at `ptr` (a copy), at most `max` long. */
  readRegion(ptr: number, max: number): Uint8Array {
    const r = this.region(ptr >>> 0)
    if (r.length > max) fault(`Error in guest/host communication: Region length too big. Got ${r.length}, limit ${max}`)
    const buffer = this.inst.memory.buffer
    if (r.offset + r.length > buffer.byteLength) {
      fault(`Error in guest/host communication: Tried to access memory of region Region { offset: ${r.offset}, capacity: ${r.capacity}, length: ${r.length} } in Wasm memory of size ${buffer.byteLength} bytes.`)
    }
    return new Uint8Array(buffer, r.offset, r.length).slice()
  }

  private readOptional(ptr: number, max: number): Uint8Array | undefined {
    return ptr === 0 ? undefined : this.readRegion(ptr, max)
  }

  /** Write `data` into the region at `ptr` (capacity checked) and set its length. */
  writeRegion(ptr: number, data: Uint8Array): void {
    const r = this.region(ptr >>> 0)
    if (data.length > r.capacity) fault(`Error in guest/host communication: Region too small. Got ${r.capacity}, required ${data.length}`)
    const buffer = this.inst.memory.buffer
    if (r.offset + data.length > buffer.byteLength) {
      fault(`Error in guest/host communication: Tried to access memory of region Region { offset: ${r.offset}, capacity: ${r.capacity}, length: ${r.length} } in Wasm memory of size ${buffer.byteLength} bytes.`)
    }
    new Uint8Array(buffer, r.offset, data.length).set(data)
    new DataView(buffer, (ptr >>> 0) + 8, 4).setUint32(0, data.length, true)
  }

  /** allocate(len) in the contract, then write `data` there: the new region's pointer. */
  writeToContract(data: Uint8Array): number {
    const ptr = (this.callExport("allocate", [data.length]) as number) >>> 0
    if (ptr === 0) fault("Error in guest/host communication: Got a zero Wasm address")
    this.writeRegion(ptr, data)
    return ptr
  }

  /** The `env` import functions of this call, by name. */
  functions(): Readonly<Record<string, (...args: number[]) => unknown>> {
    const store = this.backend.storage
    const writable = () => {
      if (this.readOnly) fault("Must not call a writing storage function in this context.")
    }
    const addrError = (msg: string) => this.writeToContract(encoder.encode(msg))
    const canonicalize = (human: string): Uint8Array | string => {
      if (human.trim().length === 0) return "empty address string is not allowed"
      let decoded
      try {
        decoded = fromBech32(human, 1023)
      } catch (e) {
        return `decoding bech32 failed: ${(e as Error).message}`
      }
      if (decoded.prefix !== this.backend.bech32Prefix) return `invalid Bech32 prefix; expected ${this.backend.bech32Prefix}, got ${decoded.prefix}`
      return verifyFormat(decoded.data) ?? decoded.data
    }
    const verifyFormat = (bytes: Uint8Array): string | undefined =>
      bytes.length === 0 ? "addresses cannot be empty: unknown address" : bytes.length > 255 ? `address max length is 255, got ${bytes.length}: unknown address` : undefined
    const humanInput = (ptr: number): string | number => {
      const data = this.readRegion(ptr, MAX_LENGTH.humanAddress)
      if (data.length === 0) return addrError("Input is empty")
      try {
        return utf8.decode(data)
      } catch {
        return addrError("Input is not valid UTF-8")
      }
    }
    const prefix = BigInt(this.backend.storageKeyPrefixLength ?? 0)
    const keyBytes = (key: Uint8Array) => prefix + BigInt(key.length)
    // gaskv's consumeSeekGas: on creation and after each Next, flat + the bytes of the entry arrived at
    const seek = (r: IteratorResult<Entry>, what: string) =>
      this.chargeSdk(KV_GAS.iterNextFlat + (r.done ? 0n : KV_GAS.readPerByte * (keyBytes(r.value[0]) + BigInt(r.value[1].length))), what)
    const next = (id: number): Entry | undefined => {
      const entry = this.iterators[id - 1] ?? fault(`Error calling into the VM's backend: Iterator ${id} does not exist.`)
      const r = entry.current
      if (r.done) return undefined
      entry.current = entry.it.next()
      seek(entry.current, "db_next")
      return r.value
    }
    const nonEmpty = (key: Uint8Array, what: string) => {
      // the SDK store refuses empty keys (AssertValidKey panics; wasmvm fails the call)
      if (key.length === 0) fault(`Error calling into the VM's backend: ${what}: key is empty`)
    }
    const linear = (c: { base: bigint; perItem: bigint }, n: number) => c.base + c.perItem * BigInt(n)
    const u64 = (code: number, ptr: number) => (BigInt(code) << 32n) | BigInt(ptr >>> 0)
    const ecdsaRecover = (curve: typeof secp256k1 | typeof p256, cost: bigint, what: string) => (h: number, s: number, param: number): bigint => {
      const hash = this.readRegion(h, 32)
      const sig = this.readRegion(s, 64)
      if ((param >>> 0) > 255) return u64(6, 0)
      this.chargeCw(cost, what)
      const r = Crypto.ecdsaRecover(curve, hash, sig, param >>> 0)
      return r.out ? u64(0, this.writeToContract(r.out)) : u64(r.code, 0)
    }
    const env = {
      db_read: (keyPtr: number): number => {
        const key = this.readRegion(keyPtr, MAX_LENGTH.dbKey)
        nonEmpty(key, "db_read")
        const value = store.get(key)
        this.chargeSdk(KV_GAS.readFlat + KV_GAS.readPerByte * (keyBytes(key) + BigInt(value?.length ?? 0)), "db_read")
        return value === undefined ? 0 : this.writeToContract(value)
      },
      db_write: (keyPtr: number, valuePtr: number): void => {
        writable()
        const key = this.readRegionAs(keyPtr, MAX_LENGTH.dbKey, "Key")
        const value = this.readRegionAs(valuePtr, MAX_LENGTH.dbValue, "Value")
        nonEmpty(key, "db_write")
        this.chargeSdk(KV_GAS.writeFlat + KV_GAS.writePerByte * (keyBytes(key) + BigInt(value.length)), "db_write")
        store.set(key, value)
      },
      db_remove: (keyPtr: number): void => {
        writable()
        const key = this.readRegion(keyPtr, MAX_LENGTH.dbKey)
        nonEmpty(key, "db_remove")
        this.chargeSdk(KV_GAS.delete, "db_remove")
        store.delete(key)
      },
      db_scan: (startPtr: number, endPtr: number, order: number): number => {
        const start = this.readOptional(startPtr >>> 0, MAX_LENGTH.dbKey)
        const end = this.readOptional(endPtr >>> 0, MAX_LENGTH.dbKey)
        if (order !== 1 && order !== 2) fault(`Error in guest/host communication: Got an invalid value for iteration order: ${order}`)
        if (this.iterators.length >= MAX_ITERATORS_PER_CALL) fault(`Generic error: more than ${MAX_ITERATORS_PER_CALL} iterators in one call`)
        const bounded = (b: Uint8Array | undefined) => (b && b.length > 0 ? b : undefined)
        const it = store.iterate(bounded(start), bounded(end), order === 2)
        const current = it.next()
        this.iterators.push({ it, current })
        seek(current, "db_scan")
        return this.iterators.length
      },
      db_next: (id: number): number => {
        const e = next(id >>> 0)
        return this.writeToContract(encodeSections(e ? [e[0], e[1]] : [new Uint8Array(0), new Uint8Array(0)]))
      },
      db_next_key: (id: number): number => {
        const e = next(id >>> 0)
        return e ? this.writeToContract(e[0]) : 0
      },
      db_next_value: (id: number): number => {
        const e = next(id >>> 0)
        return e ? this.writeToContract(e[1]) : 0
      },
      addr_validate: (sourcePtr: number): number => {
        const human = humanInput(sourcePtr)
        if (typeof human === "number") return human
        const canonical = canonicalize(human)
        if (typeof canonical === "string") {
          this.chargeSdk(ADDRESS_GAS.canonicalize, "addr_validate")
          return addrError(canonical)
        }
        this.chargeSdk(ADDRESS_GAS.validate, "addr_validate")
        return toBech32(this.backend.bech32Prefix, canonical, 1023) === human ? 0 : addrError("address not normalized")
      },
      addr_canonicalize: (sourcePtr: number, destPtr: number): number => {
        const human = humanInput(sourcePtr)
        if (typeof human === "number") return human
        const canonical = canonicalize(human)
        this.chargeSdk(ADDRESS_GAS.canonicalize, "addr_canonicalize")
        if (typeof canonical === "string") return addrError(canonical)
        this.writeRegion(destPtr, canonical)
        return 0
      },
      addr_humanize: (sourcePtr: number, destPtr: number): number => {
        const canonical = this.readRegion(sourcePtr, MAX_LENGTH.canonicalAddress)
        this.chargeSdk(ADDRESS_GAS.humanize, "addr_humanize")
        const bad = verifyFormat(canonical)
        if (bad) return addrError(bad)
        this.writeRegion(destPtr, encoder.encode(toBech32(this.backend.bech32Prefix, canonical, 1023)))
        return 0
      },
      secp256k1_verify: (h: number, s: number, p: number): number => {
        const hash = this.readRegion(h, 32)
        const sig = this.readRegion(s, 64)
        const pk = this.readRegion(p, 65)
        this.chargeCw(CRYPTO_GAS.secp256k1Verify, "secp256k1_verify")
        return Crypto.ecdsaVerify(secp256k1, hash, sig, pk)
      },
      secp256k1_recover_pubkey: ecdsaRecover(secp256k1, CRYPTO_GAS.secp256k1Recover, "secp256k1_recover_pubkey"),
      secp256r1_verify: (h: number, s: number, p: number): number => {
        const hash = this.readRegion(h, 32)
        const sig = this.readRegion(s, 64)
        const pk = this.readRegion(p, 65)
        this.chargeCw(CRYPTO_GAS.secp256r1Verify, "secp256r1_verify")
        return Crypto.ecdsaVerify(p256, hash, sig, pk)
      },
      secp256r1_recover_pubkey: ecdsaRecover(p256, CRYPTO_GAS.secp256r1Recover, "secp256r1_recover_pubkey"),
      ed25519_verify: (m: number, s: number, p: number): number => {
        const msg = this.readRegion(m, MAX_LENGTH.ed25519Message)
        const sig = this.readRegion(s, MAX_LENGTH.ed25519Signature)
        const pk = this.readRegion(p, 32)
        this.chargeCw(CRYPTO_GAS.ed25519Verify, "ed25519_verify")
        return Crypto.ed25519Verify(msg, sig, pk)
      },
      ed25519_batch_verify: (m: number, s: number, p: number): number => {
        const n = MAX_LENGTH.ed25519BatchCount
        const msgs = decodeSections(this.readRegion(m, (MAX_LENGTH.ed25519Message + 4) * n))
        const sigs = decodeSections(this.readRegion(s, (MAX_LENGTH.ed25519Signature + 4) * n))
        const keys = decodeSections(this.readRegion(p, (32 + 4) * n))
        this.chargeCw(linear(keys.length === 1 ? CRYPTO_GAS.ed25519BatchOnePubkey : CRYPTO_GAS.ed25519Batch, sigs.length), "ed25519_batch_verify")
        return Crypto.ed25519BatchVerify(msgs, sigs, keys)
      },
      bls12_381_aggregate_g1: (g: number, out: number): number => {
        const points = this.readRegion(g, MAX_LENGTH.blsAggregate)
        this.chargeCw(linear(CRYPTO_GAS.blsAggregateG1, Math.floor(points.length / 48)), "bls12_381_aggregate_g1")
        const r = Crypto.blsAggregate(1, points)
        if (r.out) this.writeRegion(out, r.out)
        return r.code
      },
      bls12_381_aggregate_g2: (g: number, out: number): number => {
        const points = this.readRegion(g, MAX_LENGTH.blsAggregate)
        this.chargeCw(linear(CRYPTO_GAS.blsAggregateG2, Math.floor(points.length / 96)), "bls12_381_aggregate_g2")
        const r = Crypto.blsAggregate(2, points)
        if (r.out) this.writeRegion(out, r.out)
        return r.code
      },
      bls12_381_pairing_equality: (psPtr: number, qsPtr: number, rPtr: number, sPtr: number): number => {
        const ps = this.readRegion(psPtr, MAX_LENGTH.blsAggregate)
        const qs = this.readRegion(qsPtr, MAX_LENGTH.blsAggregate)
        const r = this.readRegion(rPtr, 48)
        const s = this.readRegion(sPtr, 96)
        this.chargeCw(linear(CRYPTO_GAS.blsPairing, Math.floor(ps.length / 48) + 1), "bls12_381_pairing_equality")
        return Crypto.blsPairingEquality(ps, qs, r, s)
      },
      bls12_381_hash_to_g1: (hf: number, m: number, d: number, out: number): number => {
        const msg = this.readRegion(m, MAX_LENGTH.blsMessage)
        const dst = this.readRegion(d, MAX_LENGTH.blsDst)
        this.chargeCw(CRYPTO_GAS.blsHashToG1, "bls12_381_hash_to_g1")
        const r = Crypto.blsHashToCurve(1, hf >>> 0, msg, dst)
        if (r.out) this.writeRegion(out, r.out)
        return r.code
      },
      bls12_381_hash_to_g2: (hf: number, m: number, d: number, out: number): number => {
        const msg = this.readRegion(m, MAX_LENGTH.blsMessage)
        const dst = this.readRegion(d, MAX_LENGTH.blsDst)
        this.chargeCw(CRYPTO_GAS.blsHashToG2, "bls12_381_hash_to_g2")
        const r = Crypto.blsHashToCurve(2, hf >>> 0, msg, dst)
        if (r.out) this.writeRegion(out, r.out)
        return r.code
      },
      debug: (ptr: number): void => {
        if (this.backend.debug) this.backend.debug(utf8Lossy.decode(this.readRegion(ptr, MAX_LENGTH.debug)))
      },
      abort: (ptr: number): void => {
        fault(`Aborted: ${utf8Lossy.decode(this.readRegion(ptr, MAX_LENGTH.abort))}`)
      },
      query_chain: (ptr: number): number => {
        const request = this.readRegion(ptr, MAX_LENGTH.queryChainRequest)
        const left = this.gasLeft() / GAS_MULTIPLIER
        const { result, gasUsed } = this.backend.query(request, left)
        this.chargeSdk(gasUsed, "query_chain")
        return this.writeToContract(result)
      }
    }
    return env as unknown as Record<string, (...args: number[]) => unknown>
  }

  /** readRegion with db_write's wording for a too long key or value. */
  private readRegionAs(ptr: number, max: number, kind: string): Uint8Array {
    const r = this.region(ptr >>> 0)
    if (r.length > max) fault(`Generic error: ${kind} too big. Tried to write ${r.length} bytes to storage, limit is ${max}.`)
    return this.readRegion(ptr, max)
  }
}
