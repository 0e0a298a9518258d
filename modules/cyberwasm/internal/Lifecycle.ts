/**
 * Reserve, rent and lifecycle bookkeeping of program records (Active -> Frozen -> Evicted).
 *
 * Rent is settled lazily: whenever a program is touched, rent for the blocks since
 * `rentPaidHeight` is taken from the reserve. To freeze programs nobody touches, every active
 * program has one key in the exhaustion index at the height its reserve runs out, and every
 * frozen program one key in the eviction index at frozenHeight + grace; beginBlock settles the
 * entries due. `saveInfo` keeps the indexes in step with the record.
 */
import type { KVStore } from "../../../store/KVStore.ts"
import type { CyberWasmParams } from "../Params.ts"
import { decodeInfo, encodeInfo, Keys, type ProgramInfo } from "../State.ts"
import { addressBytes } from "./Address.ts"

/** Rent per block of `info` (gas units). */
export const burnRate = (info: ProgramInfo, p: CyberWasmParams): bigint =>
  p.rentBasePerBlock + p.rentPerPagePerBlock * BigInt(info.pages + info.stablePages)

/** Height at which an active program's reserve is used up by rent. */
export const exhaustHeight = (info: ProgramInfo, p: CyberWasmParams): number => {
  const rate = burnRate(info, p)
  const blocks = rate === 0n ? 1n << 40n : (info.reserve + rate - 1n) / rate
  return info.rentPaidHeight + Number(blocks > 1n << 40n ? 1n << 40n : blocks)
}

const indexKey = (info: ProgramInfo, p: CyberWasmParams): Uint8Array | undefined => {
  const raw = addressBytes(info.address)
  if (info.status === "active") return Keys.exhaust(exhaustHeight(info, p), raw)
  if (info.status === "frozen") return Keys.evict(info.frozenHeight + p.gracePeriodBlocks, raw)
  return undefined
}

/** Load a program record (undefined when absent). */
export const loadInfo = (store: KVStore, address: string): ProgramInfo | undefined => {
  const b = store.get(Keys.info(addressBytes(address)))
  return b ? decodeInfo(b) : undefined
}

/** Write a program record and move its index entry. */
export const saveInfo = (store: KVStore, info: ProgramInfo, p: CyberWasmParams): void => {
  const key = Keys.info(addressBytes(info.address))
  const prev = store.get(key)
  if (prev) {
    const old = indexKey(decodeInfo(prev), p)
    if (old) store.delete(old)
  }
  const next = indexKey(info, p)
  if (next) store.set(next, new Uint8Array())
  store.set(key, encodeInfo(info))
}

/** Charge rent up to `height`; freezes the program when the reserve cannot pay. Mutates `info`. */
export const settleRent = (info: ProgramInfo, height: number, p: CyberWasmParams): void => {
  if (info.status !== "active" || height <= info.rentPaidHeight) return
  const due = BigInt(height - info.rentPaidHeight) * burnRate(info, p)
  info.rentPaidHeight = height
  if (due >= info.reserve) {
    info.reserve = 0n
    info.status = "frozen"
    info.frozenHeight = height
  } else info.reserve -= due
}

/** Take `gas` from the reserve (freezing at zero). Mutates `info`. */
export const chargeReserve = (info: ProgramInfo, gas: bigint, height: number): void => {
  if (gas >= info.reserve) {
    info.reserve = 0n
    if (info.status === "active") {
      info.status = "frozen"
      info.frozenHeight = height
    }
  } else info.reserve -= gas
}

/** Add to the reserve; a frozen (not evicted) program becomes active again. Mutates `info`. */
export const creditReserve = (info: ProgramInfo, gas: bigint, height: number): void => {
  info.reserve += gas
  if (info.status === "frozen" && info.reserve > 0n) {
    info.status = "active"
    info.frozenHeight = 0
    info.rentPaidHeight = height
  }
}

/** Evict: remove pages, globals, stable memory and schedules; keep the record, root and address. */
export const evict = (store: KVStore, info: ProgramInfo, height: number): void => {
  const raw = addressBytes(info.address)
  const del = (prefix: Uint8Array) => {
    const end = prefixEndOf(prefix)
    const keys = [...store.iterate(prefix, end)].map(([k]) => k)
    for (const k of keys) store.delete(k)
  }
  del(Keys.pagePrefix(raw))
  del(Keys.stablePrefix(raw))
  store.delete(Keys.globals(raw))
  const schedules = [...store.iterate(Keys.scheduleIndexPrefix(raw), prefixEndOf(Keys.scheduleIndexPrefix(raw)))]
  for (const [k, v] of schedules) {
    const id = new DataView(k.buffer, k.byteOffset).getBigUint64(k.length - 8)
    store.delete(Keys.schedule(new DataView(v.buffer, v.byteOffset).getBigUint64(0), raw, id))
    store.delete(k)
  }
  info.status = "evicted"
  info.stablePages = 0
  void height
}

const prefixEndOf = (prefix: Uint8Array): Uint8Array => {
  const end = prefix.slice()
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  return new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
}
