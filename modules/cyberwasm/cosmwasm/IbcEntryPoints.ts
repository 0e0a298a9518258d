/**
 * A contract's IBC entry points, as wasmd runs them (x/wasm/ibc.go, keeper/relay.go): the ibc
 * machine's port module for `wasm.<address>` (modules/ibc/apps/contracts) sends each callback
 * through the cyberwasm call API `ibc-callback` with {@link ContractIbcEnvelope} bytes; the machine
 * runs it here as the contract, on the transaction's gas meter (the relayer pays, as in wasmd).
 *
 * Envelope (ibc -> cyberwasm): `0xff 'W' entry:u8` then the entry point's message JSON exactly as
 * the contract receives it (wasmvm IBCChannelOpenMsg, IBCChannelConnectMsg, IBCChannelCloseMsg,
 * IBCPacketReceiveMsg, IBCPacketAckMsg, IBCPacketTimeoutMsg); entry 1-6 in the order of
 * {@link IBC_ENTRY_POINTS}.
 * Result (cyberwasm -> ibc): `0` + data (the accepted version for ibc_channel_open, the
 * acknowledgement for ibc_packet_receive), `1` (no version / no acknowledgement: async),
 * `2` + the contract's error text (receive: an error acknowledgement with that text, writes
 * rolled back), `3` + `<codespace>/<code>\n<log>` (receive: a message of the Response failed;
 * wasmd's redacted error acknowledgement). A failed receive's `ibc_packet_received` event is the
 * port module's to emit (its events are the ones core keeps, renamed `ibccallbackerror-*`).
 *
 * Errors: a contract error in any other entry point is ExecuteFailed (wasm 5) refusing the step;
 * a VM failure of ibc_packet_receive itself (trap, panic) is thrown with `abortsTransaction`, so
 * the whole MsgRecvPacket fails (wasmd panics there); OutOfGas always fails the transaction.
 *
 * Source: wasmd x/wasm/ibc.go (IBCHandler), x/wasm/keeper/relay.go, x/wasm/types/events.go
 * (EmitAcknowledgementEvent); wasmvm types/ibc.go.
 */
import { isChainError } from "../../../chain/ChainError.ts"
import { isNodeFault } from "../../../chain/internal/TxResult.ts"
import type { ExecContext } from "../../../chain/Machine.ts"
import { concatBytes } from "../../../lib/Bytes.ts"
import { type Contracts, IBC_ENTRY_POINTS, type IbcEntryPoint, type Scope } from "./Contracts.ts"
import { event } from "./Events.ts"
import { binary, object, parseResponse } from "./Json.ts"
import { blockInfo, txIndexOf } from "./Wasmd.ts"
import { ExecuteFailed, InvalidMsg, VmError } from "./WasmdError.ts"

const MAGIC = [0xff, 0x57] as const

/** The envelope of one IBC entry point call (see the module comment). */
export interface ContractIbcEnvelope {
  readonly entry: IbcEntryPoint
  /** The message JSON bytes. */
  readonly msg: Uint8Array
}

/** Encode an envelope. */
export const encodeContractIbc = (e: ContractIbcEnvelope): Uint8Array =>
  concatBytes(new Uint8Array([...MAGIC, IBC_ENTRY_POINTS.indexOf(e.entry) + 1]), e.msg)

/** Whether `b` is a contract IBC envelope (a program envelope starts `0xff 'I'`). */
export const isContractIbc = (b: Uint8Array): boolean => b.length >= 3 && b[0] === MAGIC[0] && b[1] === MAGIC[1]

/** Decode an envelope; InvalidMsg for anything else. */
export const decodeContractIbc = (b: Uint8Array): ContractIbcEnvelope => {
  const entry = isContractIbc(b) ? IBC_ENTRY_POINTS[b[2]! - 1] : undefined
  if (!entry) throw new InvalidMsg({ log: "not a contract IBC callback envelope: invalid CosmosMsg from the contract" })
  return { entry, msg: b.subarray(3) }
}

/** A decoded result (see the module comment). */
export type ContractIbcResult =
  | { readonly kind: "data"; readonly data: Uint8Array }
  | { readonly kind: "none" }
  | { readonly kind: "contract-error"; readonly error: string }
  | { readonly kind: "redacted-error"; readonly codespace: string; readonly code: number; readonly log: string }

const enc = new TextEncoder()
const dec = new TextDecoder()

/** Encode a result. */
export const encodeContractIbcResult = (r: ContractIbcResult): Uint8Array => {
  switch (r.kind) {
    case "data": return concatBytes(new Uint8Array([0]), r.data)
    case "none": return new Uint8Array([1])
    case "contract-error": return concatBytes(new Uint8Array([2]), enc.encode(r.error))
    case "redacted-error": return concatBytes(new Uint8Array([3]), enc.encode(`${r.codespace}/${r.code}\n${r.log}`))
  }
}

/** Decode a result; InvalidMsg for malformed bytes. */
export const decodeContractIbcResult = (b: Uint8Array): ContractIbcResult => {
  const rest = b.subarray(1)
  switch (b[0]) {
    case 0: return { kind: "data", data: rest }
    case 1: return { kind: "none" }
    case 2: return { kind: "contract-error", error: dec.decode(rest) }
    case 3: {
      const t = dec.decode(rest)
      const nl = t.indexOf("\n")
      const head = nl < 0 ? t : t.slice(0, nl)
      const i = head.lastIndexOf("/")
      return { kind: "redacted-error", codespace: head.slice(0, i), code: Number(head.slice(i + 1)), log: nl < 0 ? "" : t.slice(nl + 1) }
    }
    default: throw new InvalidMsg({ log: "malformed contract IBC result" })
  }
}

/** The contract returned `{"error": …}` from ibc_packet_receive: its writes go, the ack carries the text. */
class ContractErrorAck extends Error {
  readonly text: string
  constructor(text: string) {
    super(text)
    this.text = text
  }
}

const scopeOf = (ctx: ExecContext): Scope => {
  const i = (ctx as { txIndex?: unknown }).txIndex
  const hash = (ctx as { txHash?: unknown }).txHash
  return {
    ctx, block: blockInfo(ctx),
    txIndex: txIndexOf({ height: ctx.height, ...(typeof i === "number" ? { txIndex: i } : {}) }, ctx.rawStore ?? ctx.store, hash instanceof Uint8Array ? hash : new Uint8Array(32)),
    depth: 0,
    emit: (e) => ctx.emit(e)
  }
}

/** wasmd EmitAcknowledgementEvent: `ibc_packet_received` {module, _contract_address, success, [error]}. */
export const received = (contract: string, success: boolean, error?: string) =>
  event("ibc_packet_received", [["module", "wasm"], ["_contract_address", contract], ["success", String(success)], ...(error === undefined ? [] : [["error", error] as [string, string]])])

/**
 * Run one IBC callback of `contract` (an envelope from the ibc machine) in `ctx`, the relayer's
 * message branch. Returns the encoded {@link ContractIbcResult}.
 */
export const runContractIbc = (k: Contracts, ctx: ExecContext, contract: string, message: Uint8Array): Uint8Array => {
  const { entry, msg } = decodeContractIbc(message)
  if (entry === "ibc_packet_receive") return encodeContractIbcResult(receive(k, ctx, contract, msg))
  const s = scopeOf(ctx)
  const result = k.ibcCall(s, contract, entry, msg)
  if ("error" in result) throw new ExecuteFailed({ log: `${result.error}: execute wasm contract failed` })
  if (entry === "ibc_channel_open") {
    // Option<Ibc3ChannelOpenResponse>: null accepts the proposed version
    if (result.ok === null || result.ok === undefined) return encodeContractIbcResult({ kind: "none" })
    const v = object(result.ok, "ibc_channel_open response").version
    if (typeof v !== "string") throw new InvalidMsg({ log: "ibc_channel_open response: version must be a string: invalid CosmosMsg from the contract" })
    return encodeContractIbcResult(v === "" ? { kind: "none" } : { kind: "data", data: enc.encode(v) })
  }
  k.ibcResponse(s, contract, parseResponse(result.ok))
  return encodeContractIbcResult({ kind: "none" })
}

/** wasmd OnRecvPacket: see the module comment. */
const receive = (k: Contracts, ctx: ExecContext, contract: string, msg: Uint8Array): ContractIbcResult => {
  if (!ctx.branch) throw new VmError({ log: "IBC receive needs a branching context: wasmvm error" })
  try {
    const ack = ctx.branch((c) => {
      const s = scopeOf(c)
      let result
      try {
        result = k.ibcCall(s, contract, "ibc_packet_receive", msg)
      } catch (e) {
        // wasmd panics on a VM error here: the whole transaction fails, no acknowledgement
        if (e instanceof VmError) Object.defineProperty(e, "abortsTransaction", { value: true })
        throw e
      }
      if ("error" in result) throw new ContractErrorAck(result.error)
      const o = object(result.ok, "ibc_packet_receive response")
      const own = o.acknowledgement === null || o.acknowledgement === undefined ? undefined : binary(o.acknowledgement, "ibc_packet_receive response.acknowledgement")
      // a reply's data replaces the acknowledgement (wasmd handleContractResponse)
      const data = k.ibcResponse(s, contract, parseResponse(result.ok)) ?? own
      s.emit(received(contract, true))
      return data
    })
    return ack === undefined ? { kind: "none" } : { kind: "data", data: ack }
  } catch (e) {
    if (e instanceof ContractErrorAck) return { kind: "contract-error", error: e.text }
    if (isNodeFault(e) || !isChainError(e) || e._tag === "OutOfGas" || (e as { abortsTransaction?: unknown }).abortsTransaction === true) throw e
    const err = e as unknown as { codespace: string; code: number; log: string }
    return { kind: "redacted-error", codespace: err.codespace, code: err.code, log: err.log }
  }
}
