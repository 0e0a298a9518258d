/**
 * The CometBFT events one committed block yields, in CometBFT's order: `NewBlock`,
 * `NewBlockHeader`, `NewBlockEvents`, one `Tx` per tx (failed ones too), then
 * `ValidatorSetUpdates` when FinalizeBlock changed the set. Each carries the `events` map its
 * subscribers' queries are matched against: `tm.event`, plus every `type.key` attribute of the
 * events it carries (all attributes, indexed or not), plus `tx.hash` (uppercase hex) and
 * `tx.height` for a Tx.
 *
 * Source: cometbft v0.38 state/execution.go (fireEvents), types/event_bus.go
 * (PublishEventNewBlock, PublishEventTx, validateAndStringifyEvents), types/events.go.
 */
import type { Event, ExecTxResult, ValidatorUpdate } from "cosmjs-types/tendermint/abci/types"
import type { Header } from "cosmjs-types/tendermint/types/types"
import { sha256, toHex } from "../../lib/Bytes.ts"
import type { CommittedBlock } from "./EventBus.ts"

/** Composite key `type.key` to its values, in order (CometBFT's `map[string][]string`). */
export type EventAttributes = ReadonlyMap<string, ReadonlyArray<string>>

/** One CometBFT event and the attributes queries match it by. */
export type CometEvent =
  | { readonly type: "NewBlock"; readonly block: CommittedBlock; readonly attributes: EventAttributes }
  | { readonly type: "NewBlockHeader"; readonly header: Header; readonly attributes: EventAttributes }
  | { readonly type: "NewBlockEvents"; readonly height: bigint; readonly events: ReadonlyArray<Event>; readonly numTxs: number; readonly attributes: EventAttributes }
  | { readonly type: "Tx"; readonly height: bigint; readonly index: number; readonly tx: Uint8Array; readonly result: ExecTxResult; readonly attributes: EventAttributes }
  | { readonly type: "ValidatorSetUpdates"; readonly updates: ReadonlyArray<ValidatorUpdate>; readonly attributes: EventAttributes }

/** The names of {@link CometEvent} types (`tm.event` values). */
export type CometEventType = CometEvent["type"]

/** validateAndStringifyEvents: skip empty types and keys, keep every other attribute. */
const stringify = (events: ReadonlyArray<Event>, tmEvent: string, extra: ReadonlyArray<readonly [string, string]> = []): EventAttributes => {
  const out = new Map<string, string[]>()
  const add = (k: string, v: string) => {
    const vs = out.get(k)
    if (vs === undefined) out.set(k, [v])
    else vs.push(v)
  }
  for (const ev of events) {
    if (ev.type === "") continue
    for (const a of ev.attributes) if (a.key !== "") add(`${ev.type}.${a.key}`, a.value)
  }
  add("tm.event", tmEvent)
  for (const [k, v] of extra) add(k, v)
  return out
}

/** The events of one committed block, in the order CometBFT fires them. */
export const cometEventsOf = (b: CommittedBlock): CometEvent[] => {
  const fin = b.finalize
  const height = b.block.header.height
  const out: CometEvent[] = [
    { type: "NewBlock", block: b, attributes: stringify(fin.events, "NewBlock") },
    { type: "NewBlockHeader", header: b.block.header, attributes: stringify([], "NewBlockHeader") },
    { type: "NewBlockEvents", height, events: fin.events, numTxs: b.block.txs.length, attributes: stringify(fin.events, "NewBlockEvents") }
  ]
  b.block.txs.forEach((tx, index) => {
    const result = fin.txResults[index]!
    const extra = [["tx.hash", toHex(sha256(tx)).toUpperCase()], ["tx.height", String(height)]] as const
    out.push({ type: "Tx", height, index, tx, result, attributes: stringify(result.events, "Tx", extra) })
  })
  if (fin.validatorUpdates.length > 0) {
    out.push({ type: "ValidatorSetUpdates", updates: fin.validatorUpdates, attributes: stringify([], "ValidatorSetUpdates") })
  }
  return out
}
