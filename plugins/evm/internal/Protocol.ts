/**
 * Messages between the EVM machine (main thread) and its worker (plugins/evm/internal/Worker.ts).
 * @ethereumjs/evm is asynchronous throughout while chain machines are synchronous, so the machine
 * runs the EVM in a worker and blocks on it (plugins/evm/internal/Bridge.ts); the worker asks the
 * machine for state and for precompile effects with {@link WorkerRequest}s while the machine waits.
 * Addresses are 40 lowercase hex characters without 0x; amounts are bigint wei.
 */
import type { StateChanges } from "./WorkerState.ts"

/** Block facts the EVM sees (from the chain's block context). */
export interface EvmBlock {
  readonly number: bigint
  /** Seconds since the Unix epoch. */
  readonly timestamp: bigint
  /** Receives priority fees: the fee collector's 20-byte address (hex). */
  readonly coinbase: string
  readonly baseFee: bigint
  readonly gasLimit: bigint
  /** 32 bytes of block entropy for PREVRANDAO (the block hash). */
  readonly prevRandao: Uint8Array
}

/** A job for the worker. */
export type WorkerJob =
  /** `sender`: recovered by the machine from the same bytes (hex), so the worker does not recover it again. */
  | { readonly t: "tx"; readonly chainId: bigint; readonly raw: Uint8Array; readonly sender: string; readonly block: EvmBlock }
  | { readonly t: "call" | "estimate"; readonly chainId: bigint; readonly block: EvmBlock; readonly from: string; readonly to?: string; readonly data: Uint8Array; readonly value: bigint; readonly gas: bigint }

/** A log as the EVM emitted it. */
export interface EvmLog {
  readonly address: string
  readonly topics: ReadonlyArray<Uint8Array>
  readonly data: Uint8Array
}

/** What a job produced. `invalid`: the tx breaks a validity rule (nonce, funds, intrinsic gas) and changes nothing. */
export type JobResult =
  | { readonly t: "invalid"; readonly reason: string }
  | {
    readonly t: "done"
    /** 1 success, 0 reverted or failed. */
    readonly status: 0 | 1
    /** Gas charged (receipt gasUsed; for `estimate`, the estimate). */
    readonly gasUsed: bigint
    readonly returnValue: Uint8Array
    /** The EVM's exception text (e.g. "revert", "out of gas") when status is 0. */
    readonly error: string
    readonly createdAddress?: string
    readonly logs: ReadonlyArray<EvmLog>
    readonly changes: StateChanges
    /** A frame whose precompile changed another machine's state reverted (the machine refuses the tx). */
    readonly tainted: boolean
  }

/** A precompile operation the worker asks the machine to perform as `caller` (an EVM contract). */
export type PrecompileOp =
  | { readonly op: "bank.balance"; readonly account: string; readonly denom: string }
  | { readonly op: "bank.send"; readonly from: string; readonly to: string; readonly denom: string; readonly amount: bigint }
  | { readonly op: "graph.rank"; readonly particle: string }
  | { readonly op: "graph.link"; readonly from: string; readonly to: string }
  | { readonly op: "zk.verify"; readonly keyHash: string; readonly proof: string; readonly publicInputs: ReadonlyArray<string> }

/** A request from the worker while a job runs. */
export type WorkerRequest =
  | { readonly t: "account"; readonly address: string }
  | { readonly t: "code"; readonly address: string }
  | { readonly t: "storage"; readonly address: string; readonly slot: string }
  | { readonly t: "precompile"; readonly caller: string; readonly call: PrecompileOp }

/** The machine's answer to a precompile request: a value, or a refusal (the precompile reverts with it). */
export type PrecompileAnswer = { readonly ok: true; readonly value: bigint | boolean } | { readonly ok: false; readonly reason: string }
