/**
 * The CosmWasm part of the cyberwasm genesis section: wasmd's `GenesisState` (params, codes with
 * their bytes, contracts with info, state and history, sequences) in wasmd's proto-JSON form
 * (snake_case field names as `wasmd export` writes them; camelCase is read too; bytes base64,
 * uint64 as strings), under the key `wasm` of the machine's section.
 *
 * Import checks as wasmd's InitGenesis: each code's bytes hash to its checksum and pass the VM's
 * analysis, code ids and contract addresses are unique, a contract's code exists, its history is
 * not empty, and the sequences are above every imported id (InvalidGenesis otherwise).
 *
 * Source: wasmd x/wasm/keeper/genesis.go, proto cosmwasm/wasm/v1/genesis.proto.
 */
import { GenesisState } from "cosmjs-types/cosmwasm/wasm/v1/genesis"
import { equalBytes, sha256, toHex } from "../../../lib/Bytes.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import { prefixEnd } from "../State.ts"
import { bech32 } from "./Address.ts"
import type { Contracts } from "./Contracts.ts"
import { WasmKeys } from "./Keys.ts"
import {
  appendHistory, indexByCode, indexByCreator, isPinned, peekId, readCode, readContract, readHistory, readParams, readWasm, setPinned, setSequence, writeCode,
  writeContract, writeParams, writeWasm
} from "./Records.ts"
import { InvalidGenesis } from "./WasmdError.ts"

const mapKeys = (v: unknown, f: (k: string) => string): unknown => {
  if (Array.isArray(v)) return v.map((x) => mapKeys(x, f))
  if (typeof v !== "object" || v === null) return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) out[f(k)] = mapKeys(x, f) // determinism-ok: keys renamed in their own order; the result is only re-encoded by field name
  return out
}
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())

/** Export the CosmWasm state of `store` as wasmd GenesisState JSON. */
export const exportWasmGenesis = (k: Contracts, store: KVStore): unknown => {
  const codes = [...store.iterate(WasmKeys.codePrefix, prefixEnd(WasmKeys.codePrefix))].map(([key]) => {
    const codeId = new DataView(key.buffer, key.byteOffset).getBigUint64(key.length - 8)
    const info = readCode(store, codeId)!
    return { codeId, codeInfo: info, codeBytes: readWasm(store, info.codeHash) ?? new Uint8Array(), pinned: isPinned(store, codeId) }
  })
  const contracts = [...store.iterate(WasmKeys.contractPrefix, prefixEnd(WasmKeys.contractPrefix))].map(([key]) => {
    const raw = key.subarray(WasmKeys.contractPrefix.length)
    const sp = WasmKeys.contractStore(raw)
    return {
      contractAddress: bech32(k.prefix, raw),
      contractInfo: readContract(store, raw)!,
      contractState: [...store.iterate(sp, prefixEnd(sp))].map(([k2, v]) => ({ key: k2.subarray(sp.length), value: v })),
      contractCodeHistory: readHistory(store, raw)
    }
  })
  const sequences = [
    { idKey: new TextEncoder().encode("lastCodeId"), value: peekId(store, WasmKeys.sequenceCodeId) },
    { idKey: new TextEncoder().encode("lastContractId"), value: peekId(store, WasmKeys.sequenceInstanceId) }
  ]
  return mapKeys(GenesisState.toJSON({ params: readParams(store), codes, contracts, sequences }), snake)
}

/** Import wasmd GenesisState JSON into `store` (writes through the raw store). */
export const importWasmGenesis = (k: Contracts, store: KVStore, json: unknown): void => {
  let g: GenesisState
  try {
    g = GenesisState.fromJSON(mapKeys(json, camel))
  } catch (e) {
    throw new InvalidGenesis({ log: `wasm genesis: ${(e as Error).message}: invalid genesis` })
  }
  const fail = (what: string): never => {
    throw new InvalidGenesis({ log: `wasm genesis: ${what}: invalid genesis` })
  }
  if (g.params) writeParams(store, g.params)
  let maxCode = 0n
  for (const c of g.codes) {
    if (c.codeId === 0n) fail("code id 0")
    if (readCode(store, c.codeId)) fail(`duplicate code id ${c.codeId}`)
    if (!equalBytes(sha256(c.codeBytes), c.codeInfo.codeHash)) fail(`code ${c.codeId}: checksum mismatch`)
    try {
      k.vm.analyze(c.codeBytes)
    } catch (e) {
      fail(`code ${c.codeId}: ${(e as { log?: string }).log ?? String(e)}`)
    }
    writeWasm(store, c.codeInfo.codeHash, c.codeBytes)
    writeCode(store, c.codeId, c.codeInfo)
    if (c.pinned) setPinned(store, c.codeId, true)
    if (c.codeId > maxCode) maxCode = c.codeId
  }
  for (const c of g.contracts) {
    const raw = k.raw(c.contractAddress, "contract address")
    if (readContract(store, raw)) fail(`duplicate contract ${c.contractAddress}`)
    if (!readCode(store, c.contractInfo.codeId)) fail(`contract ${c.contractAddress}: unknown code ${c.contractInfo.codeId}`)
    if (c.contractCodeHistory.length === 0) fail(`contract ${c.contractAddress}: empty history`)
    appendHistory(store, raw, ...c.contractCodeHistory)
    const last = c.contractCodeHistory[c.contractCodeHistory.length - 1]!
    if (last.codeId !== c.contractInfo.codeId) fail(`contract ${c.contractAddress}: history ends with code ${last.codeId}, info says ${c.contractInfo.codeId}`)
    indexByCode(store, raw, last)
    indexByCreator(store, k.raw(c.contractInfo.creator, "creator"), c.contractCodeHistory[0]!, raw)
    writeContract(store, raw, c.contractInfo)
    const sp = WasmKeys.contractStore(raw)
    for (const m of c.contractState) store.set(new Uint8Array([...sp, ...m.key]), m.value)
  }
  for (const s of g.sequences) {
    const name = new TextDecoder().decode(s.idKey)
    if (name === "lastCodeId") {
      if (s.value <= maxCode) fail(`sequence lastCodeId ${s.value} must be above the highest code id ${maxCode}`)
      setSequence(store, WasmKeys.sequenceCodeId, s.value)
    } else if (name === "lastContractId") setSequence(store, WasmKeys.sequenceInstanceId, s.value)
    else fail(`unknown sequence ${toHex(s.idKey)}`)
  }
  if (maxCode > 0n && peekId(store, WasmKeys.sequenceCodeId) <= maxCode) setSequence(store, WasmKeys.sequenceCodeId, maxCode + 1n)
}
