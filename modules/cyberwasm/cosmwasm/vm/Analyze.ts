/**
 * Upload checks of CosmWasm contracts, in cosmwasm-vm 2.2's order and words
 * (packages/vm/src/compatibility.rs `check_wasm`), then the instrumenter's deterministic
 * feature set and metering (modules/cyberwasm/instrument) with the CosmWasm import table.
 *
 * Refusals are ProgramRejected whose log is wasmvm's text:
 * `Error calling the VM: Error during static Wasm validation: <cosmwasm-vm message>`.
 * Floats are allowed and their NaN results canonicalised (cosmwasm-vm ≥ 1.5 runs wasmer with
 * `canonicalize_nans(true)`); bulk memory and reference-type instructions, SIMD and threads are
 * refused (cosmwasm-vm's Gatekeeper, packages/vm/src/wasm_backend/gatekeeper.rs).
 */
import { ProgramRejected } from "../../CyberWasmError.ts"
import { instrument, type CoreSignature, type ForeignAbi, type InstrumentedProgram } from "../../instrument/Instrument.ts"
import { defaultLimits, type ProgramLimits } from "../../instrument/Limits.ts"
import { sha256 } from "../../../../lib/Bytes.ts"
import type { AnalyzedCode, EntryPoint } from "../Vm.ts"
import { operatorCost, WASM_LIMITS } from "./GasConfig.ts"
import { moduleFacts } from "./internal/Sections.ts"

const I32 = 0x7f
const I64 = 0x7e
const sig = (params: number, result?: number): CoreSignature => ({ params: Array(params).fill(I32), results: result === undefined ? [] : [result] })

/** The `env` imports of cosmwasm-vm 2.2 (compatibility.rs SUPPORTED_IMPORTS) and their core signatures. */
export const COSMWASM_IMPORTS: ReadonlyMap<string, CoreSignature> = new Map([
  ["abort", sig(1)],
  ["db_read", sig(1, I32)],
  ["db_write", sig(2)],
  ["db_remove", sig(1)],
  ["addr_validate", sig(1, I32)],
  ["addr_canonicalize", sig(2, I32)],
  ["addr_humanize", sig(2, I32)],
  ["bls12_381_aggregate_g1", sig(2, I32)],
  ["bls12_381_aggregate_g2", sig(2, I32)],
  ["bls12_381_pairing_equality", sig(4, I32)],
  ["bls12_381_hash_to_g1", sig(4, I32)],
  ["bls12_381_hash_to_g2", sig(4, I32)],
  ["secp256k1_verify", sig(3, I32)],
  ["secp256k1_recover_pubkey", sig(3, I64)],
  ["secp256r1_verify", sig(3, I32)],
  ["secp256r1_recover_pubkey", sig(3, I64)],
  ["ed25519_verify", sig(3, I32)],
  ["ed25519_batch_verify", sig(3, I32)],
  ["debug", sig(1)],
  ["query_chain", sig(1, I32)],
  ["db_scan", sig(3, I32)],
  ["db_next", sig(1, I32)],
  ["db_next_key", sig(1, I32)],
  ["db_next_value", sig(1, I32)]
])

const SUPPORTED_IMPORTS = [...COSMWASM_IMPORTS.keys()].map((n) => `env.${n}`)

/** Entry points and their argument counts (migrate: 2, or 3 with cosmwasm 2.2's MigrateInfo). */
const ENTRY_ARITY: Readonly<Record<EntryPoint, number>> = {
  instantiate: 3, execute: 3, migrate: 2, sudo: 2, reply: 2, query: 2,
  ibc_channel_open: 2, ibc_channel_connect: 2, ibc_channel_close: 2, ibc_packet_receive: 2, ibc_packet_ack: 2, ibc_packet_timeout: 2
}

/** IBC entry points (cosmwasm-vm `calls.rs` call_ibc_*): each takes env and the message. */
const IBC_ENTRY_POINTS = ["ibc_channel_open", "ibc_channel_connect", "ibc_channel_close", "ibc_packet_receive", "ibc_packet_ack", "ibc_packet_timeout"] as const

const ENTRY_POINTS: ReadonlyArray<EntryPoint> = ["instantiate", "execute", "migrate", "sudo", "reply", "query", ...IBC_ENTRY_POINTS]

const ABI: ForeignAbi = {
  module: "env",
  imports: COSMWASM_IMPORTS,
  exports: [
    { name: "allocate", ...sig(1, I32), required: true },
    { name: "deallocate", ...sig(1), required: true },
    { name: "interface_version_8", ...sig(0), required: true },
    ...(["instantiate", "execute", "sudo", "reply", "query", ...IBC_ENTRY_POINTS] as const).map((name) => ({ name, ...sig(ENTRY_ARITY[name], I32), required: false }))
  ],
  hostCalled: ["allocate", "deallocate", "instantiate", "execute", "migrate", "sudo", "reply", "query", ...IBC_ENTRY_POINTS]
}

/** Instrumenter limits for contracts: cosmwasm-vm's memory and table limits, the program stack bound. */
export const contractLimits: ProgramLimits = {
  ...defaultLimits,
  maxCodeBytes: WASM_LIMITS.maxCodeBytes,
  maxFunctions: WASM_LIMITS.maxFunctions,
  maxTableSize: WASM_LIMITS.tableSize,
  maxInitialPages: WASM_LIMITS.memoryPages,
  maxPages: WASM_LIMITS.memoryPages
}

/** Capabilities the VM can offer: every import each level needs is implemented here. */
export const ALL_CAPABILITIES: ReadonlyArray<string> = [
  "cosmwasm_1_1", "cosmwasm_1_2", "cosmwasm_1_3", "cosmwasm_1_4",
  "cosmwasm_2_0", "cosmwasm_2_1", "cosmwasm_2_2",
  "iterator", "staking", "stargate"
]

/** A checked contract: what wasmd stores and what the VM runs. */
export interface AnalyzedContract {
  readonly analyzed: AnalyzedCode
  readonly program: InstrumentedProgram
  readonly module: WebAssembly.Module
}

const refuse = (msg: string): never => {
  throw new ProgramRejected({ log: `Error calling the VM: Error during static Wasm validation: ${msg}` })
}

/** BTreeSet's to_string_limited: `{"a", "b"}` (cosmwasm-vm limited.rs), without the 200-char cut. */
const setText = (names: ReadonlyArray<string>): string => `{${[...names].sort().map((n) => `"${n}"`).join(", ")}}`

/**
 * Check `wasm` as cosmwasm-vm's `check_wasm` does against `capabilities` ("skip": code already
 * stored, whose capabilities were checked at upload, as cosmwasm-vm's cache does not re-check
 * them when it recompiles), then instrument it.
 * Throws ProgramRejected (log as above) on the first problem.
 */
export const analyzeContract = (wasm: Uint8Array, capabilities: ReadonlyArray<string> | "skip"): AnalyzedContract => {
  if (wasm.length > WASM_LIMITS.maxCodeBytes) refuse(`Wasm contract is ${wasm.length} bytes, limit ${WASM_LIMITS.maxCodeBytes}`)
  let reflected: WebAssembly.Module
  try {
    reflected = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>)
  } catch (e) {
    return refuse(`Wasm bytecode could not be deserialized. Deserialization error: "${(e as Error).message}"`)
  }
  let facts
  try {
    facts = moduleFacts(wasm)
  } catch (e) {
    return refuse(`Wasm bytecode could not be deserialized. Deserialization error: "${(e as Error).message}"`)
  }
  // tables
  if (facts.tables.length > 1) refuse("Wasm contract must not have more than 1 table section")
  if (facts.tables.length === 1) {
    const max = facts.tables[0]!.maximum
    if (max === undefined) refuse("Wasm contract must not have unbound table section")
    if (max! > WASM_LIMITS.tableSize) refuse("Wasm contract's first table section has a too large max limit")
  }
  // memories
  if (facts.memories.length !== 1) refuse("Wasm contract must contain exactly one memory")
  const memory = facts.memories[0]!
  if (memory.initial > WASM_LIMITS.memoryPages) refuse(`Wasm contract memory's minimum must not exceed ${WASM_LIMITS.memoryPages} pages.`)
  if (memory.maximum !== undefined) refuse("Wasm contract memory's maximum must be unset. The host will set it for you.")
  // interface version
  const exports = WebAssembly.Module.exports(reflected)
  const functionExports = new Set(exports.filter((e) => e.kind === "function").map((e) => e.name))
  const versions = [...functionExports].filter((n) => n.startsWith("interface_version_"))
  if (versions.length === 0) refuse("Wasm contract missing a required marker export: interface_version_*")
  if (versions.length > 1) refuse("Wasm contract contains more than one marker export: interface_version_*")
  if (versions[0] !== "interface_version_8") {
    refuse("Wasm contract has unknown interface_version_* marker export (see https://github.com/CosmWasm/cosmwasm/blob/main/packages/vm/README.md)")
  }
  for (const required of ["allocate", "deallocate"]) {
    if (!functionExports.has(required)) {
      refuse(`Wasm contract doesn't have required export: "${required}". Exports required by VM: ["allocate", "deallocate"].`)
    }
  }
  // imports
  const imports = WebAssembly.Module.imports(reflected)
  if (imports.length > WASM_LIMITS.maxImports) refuse(`Import count exceeds limit. Imports: ${imports.length}. Limit: ${WASM_LIMITS.maxImports}.`)
  for (const i of imports) {
    const full = `${i.module}.${i.name}`
    if (!SUPPORTED_IMPORTS.includes(full)) {
      const required = setText(imports.map((x) => `${x.module}.${x.name}`)).slice(0, 200)
      refuse(`Wasm contract requires unsupported import: "${full}". Required imports: ${required}. Available imports: [${SUPPORTED_IMPORTS.map((n) => `"${n}"`).join(", ")}].`)
    }
    if (i.kind !== "function") refuse(`Wasm contract requires non-function import: "${full}". Right now, all supported imports are functions.`)
  }
  // capabilities
  const required = [...new Set([...functionExports].filter((n) => n.startsWith("requires_") && n.length > 9).map((n) => n.slice(9)))].sort()
  const unavailable = capabilities === "skip" ? [] : required.filter((c) => !capabilities.includes(c))
  if (unavailable.length > 0) refuse(`Wasm contract requires unavailable capabilities: ${setText(unavailable)}`)
  // functions
  if (facts.functionCount > WASM_LIMITS.maxFunctions) refuse(`Wasm contract contains more than ${WASM_LIMITS.maxFunctions} functions`)
  if (facts.maxFuncParams > WASM_LIMITS.maxFunctionParams) refuse(`Wasm contract contains function with more than ${WASM_LIMITS.maxFunctionParams} parameters`)
  if (facts.maxFuncResults > WASM_LIMITS.maxFunctionResults) refuse(`Wasm contract contains function with more than ${WASM_LIMITS.maxFunctionResults} results`)
  if (facts.totalFuncParams > WASM_LIMITS.maxTotalFunctionParams) {
    refuse(`Wasm contract contains more than ${WASM_LIMITS.maxTotalFunctionParams} function parameters in total`)
  }
  // the deterministic feature set, metering and stack bound
  let program: InstrumentedProgram
  try {
    program = instrument(wasm, contractLimits, { dirtyTracking: false, floats: "canonicalize", abi: ABI, cost: operatorCost, bulkMemory: false, splitAtBrIf: true, growCostPerPage: 0 })
  } catch (e) {
    if (e instanceof ProgramRejected) return refuse(e.log.replace(/^program rejected: /, ""))
    throw e
  }
  const module = new WebAssembly.Module(program.code as Uint8Array<ArrayBuffer>)
  const entryPoints = ENTRY_POINTS.filter((e) => functionExports.has(e))
  return { analyzed: { checksum: sha256(wasm), requiredCapabilities: required, entryPoints }, program, module }
}
