/**
 * Turning a thrown error into an ABCI tx result: chain errors keep their codespace/code/log;
 * anything else is an internal error (code 1), logged with its message.
 * Source: cosmos-sdk types/errors/abci.go (ResponseCheckTxWithEvents, ABCIInfo).
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Event, ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { isChainError } from "../ChainError.ts"
import type { GasMeter } from "../Gas.ts"
import type { QueuedSend } from "./Executor.ts"

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

/** An ExecTxResult for a failed tx; ante events are kept as the SDK keeps them. */
export const errorResult = (e: unknown, gas: GasMeter, anteEvents: ReadonlyArray<Event>): ExecTxResult => {
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
