/**
 * The CosmWasm VM contract: what the wasmd layer (modules/cyberwasm/cosmwasm/Wasmd*.ts) asks of the
 * VM (modules/cyberwasm/cosmwasm/vm/) and what the VM asks of the chain. Types only; the VM
 * implements {@link CosmWasmVm}, the wasmd layer supplies a {@link VmBackend} per call.
 *
 * Shapes follow cosmwasm-vm 2.x (`packages/vm/src/{calls,imports,backend,environment}.rs`) and
 * wasmvm's `types/` JSON: `env`, `info` and `msg` are the JSON bytes a contract receives, the
 * result is the contract's `ContractResult` JSON (`{"ok": …}` or `{"error": "…"}`) as bytes, which
 * the wasmd layer parses (it owns Response/SubMsg semantics).
 *
 * Gas: `gasLimit`/`gasUsed` are chain (SDK) gas. The VM meters Wasm execution in its own points and
 * converts with wasmd's multiplier (documented in docs/cosmwasm.md); host functions are charged as
 * wasmd/wasmvm charge them. Running out is {@link OutOfGas} from chain/ChainError.ts, never a host
 * fault.
 *
 * Source: cosmwasm-vm 2.x, wasmvm 2.x, wasmd x/wasm/keeper (gas_register.go for costs).
 */
import type { KVStore } from "../../../store/KVStore.ts"

/**
 * Entry points a contract may export (cosmwasm-vm `calls.rs`); the `ibc_*` ones (env, msg) are
 * called by the ibc machine for a contract's port `wasm.<address>` (modules/ibc/apps/contracts).
 */
export type EntryPoint =
  | "instantiate" | "execute" | "migrate" | "sudo" | "reply" | "query"
  | "ibc_channel_open" | "ibc_channel_connect" | "ibc_channel_close" | "ibc_packet_receive" | "ibc_packet_ack" | "ibc_packet_timeout"

/** Result of a successful upload check: what wasmd stores in CodeInfo and needs later. */
export interface AnalyzedCode {
  /** sha256 of the original (uninstrumented) Wasm bytes: wasmd's code checksum. */
  readonly checksum: Uint8Array
  /** Capabilities the contract declares through `requires_<cap>` exports, sorted. */
  readonly requiredCapabilities: ReadonlyArray<string>
  /** Entry points the module exports (for `migrate`/`sudo`/`reply` presence checks). */
  readonly entryPoints: ReadonlyArray<EntryPoint>
}

/**
 * What a call may reach. `storage` is the contract's own prefixed store (wasmd key
 * `0x03 || contract address`), already a branch the wasmd layer discards on failure; its
 * iteration order is byte order. `query` answers a contract's `query_chain`: the request is the
 * `QueryRequest` JSON bytes, the answer the `SystemResult<ContractResult<Binary>>` JSON bytes, and
 * the VM adds the `gasUsed` it reports (at most `gasLimit`, the gas the call has left) to the call's gas.
 */
export interface VmBackend {
  readonly storage: KVStore
  /**
   * Bytes the chain prefixes to every key of `storage` (wasmd: 0x03 || contract address, 33 for
   * 32-byte addresses). The VM charges the SDK's KV gas per byte of the full key, as wasmd's
   * gas-metered store under its prefix store sees it. Default 0.
   */
  readonly storageKeyPrefixLength?: number
  /** Bech32 prefix of account addresses (addr_validate / canonicalize / humanize). */
  readonly bech32Prefix: string
  query(request: Uint8Array, gasLimit: bigint): { readonly result: Uint8Array; readonly gasUsed: bigint }
  /** Debug output of `debug` (node-plane log; may be a no-op). */
  debug?(message: string): void
}

/** One call of an entry point. */
export interface VmCall {
  readonly checksum: Uint8Array
  readonly entry: EntryPoint
  /**
   * JSON bytes in the entry point's argument order: instantiate/execute: env, info, msg;
   * migrate/sudo/reply/query: env, msg (migrate with info is cosmwasm 2.2's `migrate_with_info`).
   */
  readonly args: ReadonlyArray<Uint8Array>
  /** Chain gas the call may use. */
  readonly gasLimit: bigint
  /** Read-only: db_write/db_remove fail as in cosmwasm-vm's query mode. */
  readonly readOnly: boolean
}

/** Outcome of a call that ran to its end (the contract may still have returned `{"error": …}`). */
export interface VmOutcome {
  /** The contract's ContractResult JSON bytes. */
  readonly result: Uint8Array
  /** Chain gas used, including host functions; at most the call's gasLimit. */
  readonly gasUsed: bigint
}

/**
 * The VM. All methods are synchronous (the block's hot path) and deterministic.
 *
 * Errors (typed, from chain/ChainError.ts or modules/cyberwasm/CyberWasmError.ts):
 * - `analyze`: refuses invalid Wasm, a module without `interface_version_8`, missing
 *   allocate/deallocate, non-deterministic features (floats are allowed with NaN canonicalised,
 *   as cosmwasm-vm ≥ 1.5), unknown imports, and capabilities the chain does not support with
 *   wasmd's text `Error calling the VM: Error during static Wasm validation: Wasm contract
 *   requires unavailable capabilities: {…}`.
 * - `call`: OutOfGas when the limit is reached; a trap, `abort` or a malformed region is a
 *   contract failure (the wasmd layer turns it into a failed message), never a node fault.
 */
export interface CosmWasmVm {
  /** Capabilities this chain offers (cosmwasm-vm `capabilities_from_csv`), e.g. iterator, staking. */
  readonly capabilities: ReadonlyArray<string>
  /** Check uploaded bytes (and cache the compiled module under the checksum). */
  analyze(wasm: Uint8Array): AnalyzedCode
  /**
   * Make the code with `checksum` runnable, compiling `wasm` if the cache lost it (wasm is read
   * from state by the caller only when `has` is false).
   */
  has(checksum: Uint8Array): boolean
  load(checksum: Uint8Array, wasm: Uint8Array): void
  call(call: VmCall, backend: VmBackend): VmOutcome
}
