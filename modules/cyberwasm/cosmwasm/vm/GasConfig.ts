/**
 * Gas prices and size limits of the CosmWasm VM, with the facts they come from.
 *
 * Units. Wasm execution is metered in CosmWasm gas ("CW gas", cosmwasm-vm's unit: 10^12 per
 * second of execution) by the instrumenter (modules/cyberwasm/instrument) with cosmwasm-vm's
 * operator costs: 115 per operator, 1,610 (14 x 115) per accounting operator (loop, end, if, else,
 * br, br_if, br_table, call, call_indirect, return) — packages/vm/src/wasm_backend/engine.rs
 * `cost`. Chain (SDK) gas = CW gas / 140,000, wasmd's `DefaultGasMultiplier`
 * (x/wasm/types/gas_register.go). Host functions charge as wasmd + wasmvm do:
 * - storage through the SDK's gas-metered KV store (cosmos-sdk store/types/gas.go
 *   `KVGasConfig`, store/gaskv): read 1,000 + 3/byte of key and value, write 2,000 + 30/byte of
 *   key and value, delete 1,000; an iterator charges 30 + 3/byte of key and value for the entry
 *   it arrives at, on creation and on each step (gaskv consumeSeekGas). Keys count with the
 *   chain's prefix (`VmBackend.storageKeyPrefixLength`, wasmd: 0x03 || address), as wasmd's
 *   gaskv store under its prefix store sees them. SDK gas, charged in the VM because
 *   `VmBackend.storage` is a plain KVStore: the wasmd layer must not meter it again;
 * - addresses (wasmd x/wasm/keeper/api.go): humanize 5, canonicalize 4, validate 9 SDK gas;
 * - crypto (cosmwasm-vm packages/vm/src/environment.rs `GasConfig::default`), CW gas;
 * - `query_chain`: the `gasUsed` the backend reports (SDK gas);
 * - the result: 1 SDK gas per byte, counted as execution gas (wasmvm `DeserializeResponse` with
 *   wasmd's `costJSONDeserialization`, x/wasm/keeper/api.go).
 * A call's `gasUsed` = SDK gas charged by host functions + floor(CW gas of execution / 140,000),
 * as wasmd consumes wasmvm's internally used gas (`ToSDKGas`, integer division).
 *
 * Limits: cosmwasm-vm 2.2 `packages/vm/src/imports.rs` MAX_LENGTH_* and `config.rs` WasmLimits
 * defaults; the 32 MiB instance memory is wasmd's `ContractMemoryLimit` (512 pages).
 */

/** CW gas per SDK gas (wasmd DefaultGasMultiplier). */
export const GAS_MULTIPLIER = 140_000n

/** CW gas of an ordinary operator (cosmwasm-vm engine.rs GAS_PER_OPERATION). */
export const GAS_PER_OPERATION = 115
/** CW gas of an accounting operator (branch, call, block end): 14 x 115. */
export const GAS_PER_ACCOUNTING_OPERATION = 115 * 14

/** Metering points (CW gas) of one Wasm instruction by opcode, as cosmwasm-vm's `cost`. */
export const operatorCost = (op: number): number =>
  op === 0x03 || op === 0x0b || op === 0x04 || op === 0x05 || op === 0x0c || op === 0x0d || op === 0x0e || op === 0x10 ||
    op === 0x11 || op === 0x0f
    ? GAS_PER_ACCOUNTING_OPERATION
    : GAS_PER_OPERATION

/** SDK gas per byte of a call's result (wasmd DefaultDeserializationCostPerByte). */
export const DESERIALIZATION_GAS_PER_BYTE = 1n

/** SDK KV gas (cosmos-sdk KVGasConfig), charged by db_* imports. */
export const KV_GAS = {
  readFlat: 1_000n,
  readPerByte: 3n,
  writeFlat: 2_000n,
  writePerByte: 30n,
  delete: 1_000n,
  iterNextFlat: 30n
} as const

/** SDK gas of the address imports (wasmd api.go). */
export const ADDRESS_GAS = { humanize: 5n, canonicalize: 4n, validate: 9n } as const

const US = 1_000_000n
/** CW gas of the crypto imports (cosmwasm-vm environment.rs GasConfig::default). */
export const CRYPTO_GAS = {
  secp256k1Verify: 96n * US,
  secp256k1Recover: 194n * US,
  secp256r1Verify: 279n * US,
  secp256r1Recover: 592n * US,
  ed25519Verify: 35n * US,
  ed25519Batch: { base: 24n * US, perItem: 21n * US },
  ed25519BatchOnePubkey: { base: 36n * US, perItem: 10n * US },
  blsAggregateG1: { base: (136n * US) / 2n, perItem: (24n * US) / 2n },
  blsAggregateG2: { base: (207n * US) / 2n, perItem: (49n * US) / 2n },
  blsHashToG1: 563n * US,
  blsHashToG2: 871n * US,
  blsPairing: { base: 2112n * US, perItem: 163n * US }
} as const

const KI = 1024
const MI = 1024 * 1024
/** Region length limits of the imports (cosmwasm-vm imports.rs), bytes. */
export const MAX_LENGTH = {
  dbKey: 64 * KI,
  dbValue: 128 * KI,
  canonicalAddress: 64,
  humanAddress: 256,
  queryChainRequest: 64 * KI,
  ed25519Signature: 64,
  ed25519Message: 128 * KI,
  ed25519BatchCount: 256,
  debug: 2 * MI,
  abort: 2 * MI,
  blsAggregate: 2 * MI,
  blsMessage: 5 * MI,
  blsDst: 5 * KI,
  /** A contract's result (calls.rs read_limits RESULT_*). */
  result: 64 * MI
} as const

/** Static limits checked at upload (cosmwasm-vm 2.2 config.rs WasmLimits defaults). */
export const WASM_LIMITS = {
  /** Initial memory pages (and the instance's memory limit: 32 MiB, wasmd ContractMemoryLimit). */
  memoryPages: 512,
  tableSize: 2_500,
  maxImports: 100,
  maxFunctions: 20_000,
  maxFunctionParams: 100,
  maxTotalFunctionParams: 10_000,
  maxFunctionResults: 1,
  /** Uploaded code bytes (wasmd MaxWasmSize, 800 KiB). */
  maxCodeBytes: 800 * KI
} as const

/** Open iterators per call (db_scan): beyond it db_scan fails the call (bounds host memory). */
export const MAX_ITERATORS_PER_CALL = 1_024
