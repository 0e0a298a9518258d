/**
 * CometBFT v0.38 JSON of websocket events: a subscription's message is
 * `{"jsonrpc":"2.0","id":<the subscribe request's id>,"result":{"query":..,"data":{"type":
 * "tendermint/event/<Name>","value":..},"events":{"tm.event":["<Name>"],...}}}`, with `data`
 * under cmtjson as the other results (int64 as strings; ExecTxResult and event attributes as
 * jsonpb with defaults; the Tx event's value is `{"TxResult": {height, index, tx, result}}`).
 * The data and events of one event are encoded once and their bytes shared by every subscription
 * (and connection) they go to.
 *
 * Source: cometbft v0.38 types/events.go (EventDataNewBlock, EventDataNewBlockHeader,
 * EventDataNewBlockEvents, EventDataTx, EventDataValidatorSetUpdates and their registered names),
 * rpc/core/types/responses.go (ResultEvent), rpc/core/events.go.
 */
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import { sha256 } from "../../../lib/Bytes.ts"
import type { CometEvent } from "../../../modules/consensus/Events.ts"
import * as J from "./Json.ts"
import { blockJson } from "./Methods.ts"

const TYPE_PREFIX = "tendermint/event/"

/** abci.ResponseFinalizeBlock under cmtjson (omitempty fields left out; results as jsonpb). */
const finalizeJson = (f: ResponseFinalizeBlock): J.Json => {
  const out: { [k: string]: J.Json } = {}
  if (f.events.length > 0) out.events = f.events.map(J.event)
  if (f.txResults.length > 0) out.tx_results = f.txResults.map(J.execTxResult)
  if (f.validatorUpdates.length > 0) out.validator_updates = f.validatorUpdates.map(J.validatorUpdate)
  if (f.appHash.length > 0) out.app_hash = J.b64(f.appHash)
  return out
}

/** The `value` of an event's data. */
const valueOf = (e: CometEvent): J.Json => {
  switch (e.type) {
    case "NewBlock":
      return { block: blockJson(e.block.block), block_id: J.blockId(e.block.blockId), result_finalize_block: finalizeJson(e.block.finalize) }
    case "NewBlockHeader":
      return { header: J.header(e.header) }
    case "NewBlockEvents":
      return { height: String(e.height), events: e.events.length === 0 ? null : e.events.map(J.event), num_txs: String(e.numTxs) }
    case "Tx":
      return { TxResult: { height: String(e.height), index: e.index, tx: J.b64(e.tx), result: J.execTxResult(e.result) } }
    case "ValidatorSetUpdates":
      return {
        validator_updates: e.updates.map((u) => {
          const key = u.pubKey.ed25519 ?? u.pubKey.secp256k1 ?? new Uint8Array()
          return {
            address: J.hexU(sha256(key).subarray(0, 20)),
            pub_key: u.pubKey.ed25519 !== undefined ? J.pubKeyEd25519(key) : { type: "tendermint/PubKeySecp256k1", value: J.b64(key) },
            voting_power: String(u.power),
            proposer_priority: "0"
          }
        })
      }
  }
}

/** `{"type":"tendermint/event/<Name>","value":...}` as JSON text. */
export const eventDataText = (e: CometEvent): string => JSON.stringify({ type: TYPE_PREFIX + e.type, value: valueOf(e) })

/** The `events` map as JSON text, keys sorted (Go's map encoding). */
export const eventAttributesText = (e: CometEvent): string => {
  const out: Record<string, ReadonlyArray<string>> = {}
  for (const k of [...e.attributes.keys()].sort()) out[k] = e.attributes.get(k)!
  return JSON.stringify(out)
}

/**
 * A subscription's message in two parts: the head names the subscription (`{"jsonrpc":"2.0",
 * "id":..,"result":{"query":..`), the tail (`,"data":..,"events":..}}`) is the event's and is the
 * same for every subscription it matches, so it is encoded once and its bytes shared.
 */
export const eventHead = (id: string | number | null, query: string): string =>
  `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"query":${JSON.stringify(query)}`

/** The shared tail of an event's messages (see {@link eventHead}). */
export const eventTail = (dataText: string, eventsText: string): Buffer => Buffer.from(`,"data":${dataText},"events":${eventsText}}}`)
