/**
 * The consensus engine contract the node plane (RPC, CLI) talks to, whichever engine runs:
 * the embedded single-node block producer (default) or an external CometBFT driving the ABCI
 * socket server (then RPC is CometBFT's own, and this contract is served only partly).
 *
 * Source: cometbft v0.38 rpc/core (broadcast_tx_*, status, validators) semantics.
 */
import { Context } from "effect"
import type { ExecTxResult, ResponseCheckTx } from "cosmjs-types/tendermint/abci/types"
import type { BlockEventSource } from "./EventBus.ts"

/** Latest committed block facts (status RPC). */
export interface ChainTip {
  readonly height: number
  readonly blockHash: Uint8Array
  readonly appHash: Uint8Array
  /** Block time, nanoseconds since the Unix epoch. */
  readonly timeNs: bigint
}

/** A validator as the validators RPC lists it. */
export interface ValidatorInfo {
  /** Consensus address: first 20 bytes of sha256(ed25519 pubkey). */
  readonly address: Uint8Array
  readonly pubKeyEd25519: Uint8Array
  readonly power: bigint
}

/** Where a committed tx landed. */
export interface TxCommit {
  readonly height: number
  readonly index: number
  readonly hash: Uint8Array
  readonly result: ExecTxResult
}

/** A running consensus engine. */
export interface ConsensusEngine {
  readonly chainId: string
  /** CheckTx then mempool admission; the response carries the code/log of a rejection. */
  broadcastTx(tx: Uint8Array): Promise<ResponseCheckTx>
  /** Resolves when a tx with this hash (sha256 of tx bytes) is committed; rejects after timeoutMs. */
  awaitCommit(hash: Uint8Array, timeoutMs: number): Promise<TxCommit>
  tip(): ChainTip
  validators(): ReadonlyArray<ValidatorInfo>
  mempoolSize(): number
  /**
   * Committed blocks as they happen (EventBus.ts), for the RPC's websocket subscriptions; absent
   * on an engine that publishes none (then `subscribe` answers NotSupported).
   */
  readonly events?: BlockEventSource
  /**
   * Whether the node is still fetching blocks it knows exist (RPC `status.sync_info.catching_up`);
   * absent on an engine that produces its own blocks (never catching up).
   */
  catchingUp?(): boolean
  /**
   * Verify the signatures of `txs` that are about to be broadcast one by one (a JSON-RPC batch of
   * broadcast_tx_* requests), all at once across the node's verifier threads, into the auth
   * verification cache, so the in-order CheckTx calls that follow find them verified. Node plane:
   * it can only change how fast a result comes, never the result (the ante step still decides).
   * Never rejects. Absent on an engine that does not run CheckTx itself (ABCI mode: CometBFT does).
   */
  preverify?(txs: ReadonlyArray<Uint8Array>): Promise<void>
}

/** The running consensus engine as an Effect service (the producer's layer provides it). */
export class Consensus extends Context.Service<Consensus, ConsensusEngine>()("cyberkernel/Consensus") {}
