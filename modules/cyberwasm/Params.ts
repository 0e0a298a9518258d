/**
 * Governance parameters of the cyberwasm machine, with defaults, and the host-function gas
 * costs. All gas amounts are chain gas units (1 gas = POINTS_PER_GAS metering points).
 *
 * Source: issue 5 ("Economics and lifecycle": all prices and periods are parameters) and the
 * design's host cost table (call 1000 + callee, send 500 + 1/byte, sha256 100 + 1/64 bytes).
 */
import { defaultLimits, type ProgramLimits } from "./instrument/Limits.ts"

/** Machine parameters. */
export interface CyberWasmParams {
  readonly limits: ProgramLimits
  /** bech32 prefix of program addresses. */
  readonly addressPrefix: string
  /** Denom deposited into reserves (and paid by bank host functions). */
  readonly feeDenom: string
  /** Reserve gas credited per deposited token unit. */
  readonly gasPerToken: bigint
  /** Rent per memory page (64 KiB) per block, from the reserve. */
  readonly rentPerPagePerBlock: bigint
  /** Rent per program per block besides its pages. */
  readonly rentBasePerBlock: bigint
  /** Blocks a frozen program keeps its pages before eviction. */
  readonly gracePeriodBlocks: number
  /** Gas limit of one scheduled run or async delivery (paid from the reserve). */
  readonly maxRunGas: bigint
  /** Gas limit of a read-only dispatch query. */
  readonly queryGas: bigint
  /**
   * Gas per byte of uploaded code: the code is kept in the state, so `stateGasPerByte` for the
   * stored byte + 1 for validation and instrumentation.
   */
  readonly storeCodeGasPerByte: number
  /** Gas per memory page rewritten at the end of a successful call (the page already in the state). */
  readonly pageWriteGas: number
  /**
   * Gas per byte the state grows by (wasmd / cosmos-sdk KVGasConfig WriteCostPerByte = 30): a
   * memory or stable page new to the state pays it for all 65,536 bytes (1,966,080 gas), stored
   * schedule entries and delayed messages for their input bytes (docs/cyberwasm.md "Pricing").
   */
  readonly stateGasPerByte: number
  /** Maximum synchronous program call depth. */
  readonly maxCallDepth: number
  /** Maximum stable memory in pages. */
  readonly maxStablePages: number
  /** Live instances kept in memory, in bytes of linear memory (least recently used evicted first). */
  readonly instanceCacheBytes: number
  /**
   * Live instances kept at most. Each V8 instance reserves guard regions of several GiB of address
   * space per memory (two per program), so the count is bounded as well as the bytes.
   */
  readonly maxLiveInstances: number
}

/** Defaults. */
export const defaultParams: CyberWasmParams = {
  limits: defaultLimits,
  addressPrefix: "cyber",
  feeDenom: "boot",
  gasPerToken: 1n,
  rentPerPagePerBlock: 1n,
  rentBasePerBlock: 1n,
  gracePeriodBlocks: 100,
  maxRunGas: 1_000_000n,
  queryGas: 10_000_000n,
  storeCodeGasPerByte: 31,
  pageWriteGas: 1_000,
  stateGasPerByte: 30,
  maxCallDepth: 10,
  maxStablePages: 1_024,
  instanceCacheBytes: 512 * 1024 * 1024,
  maxLiveInstances: 1_000
}

/** Host function costs (gas units): flat part and per-byte divisor where the design has one. */
export const HostCost = {
  /** Context getters (self_address, caller, block_height, ...). */
  context: 10,
  /** Synchronous call: 1000 + the callee's gas. */
  call: 1_000,
  /** Async send: 500 + 1 per input byte. */
  send: 500,
  /** Cross-machine query / call: 1000 + what the target charges. */
  machine: 1_000,
  /** Schedule entry: 2000 + 1 per input byte (it is stored). */
  schedule: 2_000,
  cancel: 500,
  /** Hashes: 100 + 1 per 64 bytes. */
  hash: 100,
  /** ed25519 verify (x/auth SigVerifyCostED25519). */
  ed25519: 590,
  /** secp256k1 verify (x/auth SigVerifyCostSecp256k1). */
  secp256k1: 1_000,
  secp256k1Recover: 1_500,
  /** Bank send/mint/burn: 1000 + the bank's own gas; balance / supply: 500. */
  bankWrite: 1_000,
  bankRead: 500,
  /**
   * Graph (modules/cyberwasm/GraphAdapter.ts): create_cyberlink 1000 (the cross-machine call, as
   * bank writes) + the graph's own gas, and the neuron's bandwidth as for MsgCyberlink;
   * query_rank 500; query_outlinks / query_backlinks 500 + 1 per 64 bytes returned.
   */
  graphRead: 500,
  /** Stable memory: 100 + 1 per 64 bytes read; 200 + 1 per 16 bytes written; grow: 5000 per page. */
  stableRead: 100,
  stableWrite: 200,
  stableGrowPerPage: 5_000,
  /** Events: 100 + 1 per byte; log: 50. */
  event: 100,
  log: 50,
  reserve: 1_000
} as const
