/**
 * The program syscall table as the core-Wasm calling convention sees it: for each host function
 * of wit/program.wit (interface `host`), its parameter and result kinds, from which the core
 * signature (canonical ABI flattening) and the lowering/lifting code are derived.
 *
 * Tied to the WIT at the type level: `HostFunctions` is the type jco generates from the WIT, the
 * table below must have exactly its keys, and `AbiAgreement` fails `npm run typecheck` when a
 * kind disagrees with the generated parameter or result types.
 *
 * Source: wit/program.wit; Component Model CanonicalABI.md ("Flattening", MAX_FLAT_RESULTS = 1).
 */
import type * as Wit from "./generated/interfaces/cyberkernel-program-host.d.ts"

/** The host functions as the WIT declares them (camelCase names, high-level types). */
export type HostFunctions = typeof Wit

/** Kinds of parameters. `bytes` is list<u8>; strings are UTF-8. */
export type ParamKind = "u8" | "u32" | "bool" | "u64" | "string" | "bytes"
/** Kinds of results. `result-*` are result<T, string> (the TypeScript function throws on error). */
export type ResultKind = "void" | "bool" | "u64" | "s64" | "string" | "bytes" | "option-bytes" | "result-bytes" | "result-void"

/** One host function's kinds. */
export interface HostSignature {
  readonly params: ReadonlyArray<ParamKind>
  readonly result: ResultKind
}

type ParamTs<K> = K extends "u8" | "u32" ? number : K extends "bool" ? boolean : K extends "u64" ? bigint : K extends "string" ? string : K extends "bytes" ? Uint8Array : never
type ResultTs<K> = K extends "void" | "result-void" ? void : K extends "bool" ? boolean : K extends "u64" | "s64" ? bigint
  : K extends "string" ? string : K extends "bytes" | "result-bytes" ? Uint8Array : K extends "option-bytes" ? Uint8Array | undefined : never
type ParamsTs<P> = { -readonly [I in keyof P]: ParamTs<P[I]> }

/** The host signatures, keyed by the WIT function name in camelCase. */
export const hostSignatures = {
  selfAddress: { params: [], result: "string" },
  caller: { params: [], result: "string" },
  origin: { params: [], result: "string" },
  blockHeight: { params: [], result: "u64" },
  blockTime: { params: [], result: "u64" },
  chainId: { params: [], result: "string" },
  txHash: { params: [], result: "bytes" },
  blockHash: { params: [], result: "bytes" },
  call: { params: ["string", "bytes"], result: "result-bytes" },
  callWithGas: { params: ["string", "bytes", "u64"], result: "result-bytes" },
  send: { params: ["string", "bytes"], result: "u64" },
  sendWithReply: { params: ["string", "bytes", "u64"], result: "u64" },
  sendDelayed: { params: ["string", "bytes", "u64"], result: "u64" },
  queryMachine: { params: ["string", "string", "bytes"], result: "result-bytes" },
  callMachine: { params: ["string", "string", "bytes"], result: "result-bytes" },
  schedulePeriodic: { params: ["u64", "bytes"], result: "u64" },
  scheduleAt: { params: ["u64", "bytes"], result: "u64" },
  scheduleDelayed: { params: ["u64", "bytes"], result: "u64" },
  cancelSchedule: { params: ["u64"], result: "bool" },
  gasRemaining: { params: [], result: "u64" },
  gasReserveBalance: { params: [], result: "u64" },
  gasBurnRate: { params: [], result: "u64" },
  depositToReserve: { params: ["u64"], result: "result-void" },
  sha256: { params: ["bytes"], result: "bytes" },
  sha512: { params: ["bytes"], result: "bytes" },
  keccak256: { params: ["bytes"], result: "bytes" },
  blake2b256: { params: ["bytes"], result: "bytes" },
  blake3: { params: ["bytes"], result: "bytes" },
  ed25519Verify: { params: ["bytes", "bytes", "bytes"], result: "bool" },
  secp256k1Verify: { params: ["bytes", "bytes", "bytes"], result: "bool" },
  secp256k1Recover: { params: ["bytes", "bytes", "u8"], result: "option-bytes" },
  bankSend: { params: ["string", "string", "u64"], result: "result-void" },
  bankBalance: { params: ["string", "string"], result: "u64" },
  bankTotalSupply: { params: ["string"], result: "u64" },
  bankMint: { params: ["string", "u64"], result: "result-void" },
  bankBurn: { params: ["string", "u64"], result: "result-void" },
  stableRead: { params: ["u64", "u32"], result: "bytes" },
  stableWrite: { params: ["u64", "bytes"], result: "void" },
  stableSize: { params: [], result: "u64" },
  stableGrow: { params: ["u64"], result: "s64" },
  createCyberlink: { params: ["string", "string"], result: "result-void" },
  queryRank: { params: ["string"], result: "u64" },
  queryBacklinks: { params: ["string", "u32"], result: "bytes" },
  queryOutlinks: { params: ["string", "u32"], result: "bytes" },
  emitEvent: { params: ["string", "bytes"], result: "void" },
  log: { params: ["string"], result: "void" },
  abort: { params: ["string"], result: "void" },
  allowReentry: { params: ["bool"], result: "void" }
} as const satisfies { readonly [K in keyof HostFunctions]: HostSignature }

type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Assert<T extends true> = T
type Sig = typeof hostSignatures

/** Names whose kinds disagree with the generated WIT types (must be none). */
export type AbiMismatch = {
  [K in keyof HostFunctions]: [Agree<ParamsTs<Sig[K]["params"]>, Parameters<HostFunctions[K]>>, Agree<ResultTs<Sig[K]["result"]>, ReturnType<HostFunctions[K]>>] extends [true, true] ? never : K
}[keyof HostFunctions]
/** Fails to compile unless every signature's kinds agree with the generated WIT types. */
export type AbiAgreement = Assert<Agree<AbiMismatch, never>>
/** Every WIT function has a signature and no signature lacks a WIT function. */
export type AbiKeysAgree = Assert<Agree<keyof Sig, keyof HostFunctions>>

/** Name of a host function (camelCase, as in the generated types). */
export type HostName = keyof HostFunctions

/** Core Wasm value type i32 (binary encoding 0x7f). */
export const I32 = 0x7f
/** Core Wasm value type i64 (binary encoding 0x7e). */
export const I64 = 0x7e

/** The core import name of a host function: `selfAddress` -> `self_address` (module "cyberwasm"). */
export const coreName = (name: string): string => name.replace(/[A-Z]/g, (m) => "_" + m.toLowerCase())

/** Core module name the imports come from. */
export const HOST_MODULE = "cyberwasm"

/** The flattened core signature of a host function: param and result value types. */
export const coreSignature = (sig: HostSignature): { params: number[]; results: number[] } => {
  const params: number[] = []
  for (const p of sig.params) {
    if (p === "u64") params.push(I64)
    else if (p === "string" || p === "bytes") params.push(I32, I32)
    else params.push(I32)
  }
  const r = sig.result
  if (r === "void") return { params, results: [] }
  if (r === "bool") return { params, results: [I32] }
  if (r === "u64" || r === "s64") return { params, results: [I64] }
  params.push(I32) // retptr
  return { params, results: [] }
}

/** Core import name -> WIT name, for every host function. */
export const hostByCoreName: ReadonlyMap<string, HostName> = new Map(
  (Object.keys(hostSignatures) as HostName[]).sort().map((n) => [coreName(n), n]) // determinism-ok: sorted
)
