/**
 * Turning a thrown error into an ABCI tx result: chain errors keep their codespace/code/log;
 * anything else is an internal error (code 1), logged with its message, except a node fault
 * during block execution, which is rethrown (docs/cyberwasm.md "Host faults").
 * Source: cosmos-sdk types/errors/abci.go (ResponseCheckTxWithEvents, ABCIInfo).
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Event, ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { isChainError } from "../ChainError.ts"
import type { GasMeter } from "../Gas.ts"
import type { QueuedSend } from "./Executor.ts"
import type { TxMode } from "../TxPipeline.ts"

/**
 * A host fault: the node itself failed while executing (its native stack or heap ran out, or an
 * engine invariant broke), so the result would depend on this host, not on the chain's state.
 * It is never a tx result in a block: FinalizeBlock rethrows it and the node stops before Commit
 * (ARCHITECTURE.md "Host faults are node faults"). CheckTx and simulate refuse the tx (code 1).
 * Not a chain error on purpose (no codespace): nothing may turn it into a result.
 */
export class NodeFault extends Error {
  override readonly name = "NodeFault"
  /** Block height being executed when the fault happened (-1 when not known where it was raised). */
  readonly height: number
  /** What failed, without the height prefix. */
  readonly detail: string
  constructor(detail: string, height: number, options?: { cause?: unknown }) {
    super(height >= 0 ? `node fault at height ${height}: ${detail}` : `node fault: ${detail}`, options)
    this.height = height
    this.detail = detail
  }
}

/**
 * Whether `e` is a host fault: a NodeFault, or a RangeError from the host running out of stack
 * or memory (a RangeError with another message is ordinary input validation).
 */
export const isNodeFault = (e: unknown): boolean =>
  e instanceof NodeFault ||
  (e instanceof RangeError && /Maximum call stack size exceeded|allocation failed|Out of memory|out of memory/.test(e.message))

/** Result of one runTx. */
export interface TxOutcome {
  readonly result: ExecTxResult
  /** Async sends the tx queued (empty when it failed). */
  readonly sends: ReadonlyArray<QueuedSend>
  readonly msgResponses: ReadonlyArray<Any>
}

/** The code/codespace/log of any thrown value. */
export const errorInfo = (e: unknown): { code: number; codespace: string; log: string } =>
  isChainError(e)
    ? { code: e.code, codespace: e.codespace, log: e.log }
    : { code: 1, codespace: "sdk", log: `internal error: ${e instanceof Error ? e.message : String(e)}` }

/**
 * An ExecTxResult for a failed tx; ante events are kept as the SDK keeps them. In "finalize" mode
 * a node fault (`isNodeFault`) is rethrown instead: it must stop the block, not become a result.
 */
export const errorResult = (e: unknown, gas: GasMeter, anteEvents: ReadonlyArray<Event>, mode?: TxMode): ExecTxResult => {
  if (mode === "finalize" && isNodeFault(e)) throw e
  const { code, codespace, log } = errorInfo(e)
  return {
    code,
    codespace,
    log,
    data: new Uint8Array(),
    info: "",
    gasWanted: BigInt(gas.limit),
    gasUsed: BigInt(gas.consumed()),
    events: [...anteEvents]
  }
}
