/**
 * ICS-20 packet data and acknowledgements on the wire, byte for byte as ibc-go v8 writes and
 * reads them:
 * - `FungibleTokenPacketData.GetBytes()`: proto JSON with original field names, empty fields
 *   omitted, then `sdk.MustSortJSON` (sorted keys, compact, Go's HTML-safe escaping), e.g.
 *   `{"amount":"100","denom":"stake","receiver":"cosmos1...","sender":"cyber1..."}`.
 * - decoding as `ModuleCdc.UnmarshalJSON` (gogoproto jsonpb): a JSON object whose fields are the
 *   five string fields (snake or camel name, null = empty); anything else is refused.
 * - `channeltypes.Acknowledgement` JSON: `{"result":"<base64>"}` or `{"error":"..."}`; the error
 *   text of NewErrorAcknowledgement is `ABCI code: <code>: error handling packet: see events for details`.
 *
 * Source: ibc-go v8 modules/apps/transfer/types/packet.go (GetBytes, ValidateBasic),
 * types/codec.go (mustProtoMarshalJSON), core/04-channel/types/acknowledgement.go, and
 * acknowledgement_test.go (`{"result":"c3VjY2Vzcw=="}`, `{"error":"ABCI code: 1: ..."}`).
 */
import type { FungibleTokenPacketData } from "cosmjs-types/ibc/applications/transfer/v1/packet"
import { goSortedJson } from "./internal/GoJson.ts"
import { parseGoInt, validatePrefixedDenom } from "./Denom.ts"
import { IbcInvalidAddress } from "../../core/IbcError.ts"
import { ErrInvalidAmount } from "./TransferError.ts"

/** ibc.applications.transfer.v1.FungibleTokenPacketData (cosmjs-types): denom, amount, sender, receiver, memo. */
export type { FungibleTokenPacketData }

/** Largest packet data or acknowledgement this module parses (bytes); larger is refused unread. */
export const MAX_JSON_BYTES = 1 << 20

const FIELDS: ReadonlyArray<keyof FungibleTokenPacketData> = ["denom", "amount", "sender", "receiver", "memo"]

/** GetBytes: the packet data bytes ibc-go commits (sorted-key JSON, empty fields omitted). */
export const packetDataBytes = (d: FungibleTokenPacketData): Uint8Array => {
  const fields: Record<string, string> = {}
  for (const k of FIELDS) if (d[k] !== "") fields[k] = d[k]
  return new TextEncoder().encode(goSortedJson(fields))
}

/** Why bytes are not ICS-20 packet data (a message for the caller to wrap). */
export class PacketDataDecodeError extends Error {}

const parseJsonObject = (bytes: Uint8Array, what: string): Record<string, unknown> => {
  if (bytes.length > MAX_JSON_BYTES) throw new PacketDataDecodeError(`${what} of ${bytes.length} bytes exceeds ${MAX_JSON_BYTES}`)
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes))
  } catch (e) {
    throw new PacketDataDecodeError((e as Error).message)
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new PacketDataDecodeError(`${what} is not a JSON object`)
  return v as Record<string, unknown>
}

/**
 * Decode packet data as ibc-go's `ModuleCdc.UnmarshalJSON`: throws PacketDataDecodeError for
 * non-JSON, a non-object, an unknown field or a non-string value.
 */
export const decodePacketData = (bytes: Uint8Array): FungibleTokenPacketData => {
  const o = parseJsonObject(bytes, "packet data")
  const out = { denom: "", amount: "", sender: "", receiver: "", memo: "" }
  for (const [k, v] of Object.entries(o)) { // determinism-ok: every key is checked; the result does not depend on the order
    if (!(FIELDS as ReadonlyArray<string>).includes(k)) throw new PacketDataDecodeError(`unknown field "${k.slice(0, 64)}" in types.FungibleTokenPacketData`)
    if (v === null) continue
    if (typeof v !== "string") throw new PacketDataDecodeError(`field ${k}: not a string`)
    out[k as keyof typeof out] = v
  }
  return out
}

/**
 * FungibleTokenPacketData.ValidateBasic: amount parses as math.Int and is positive, sender and
 * receiver not blank, denom a valid prefixed denom. Returns the amount. Throws ErrInvalidAmount,
 * IbcInvalidAddress, ErrInvalidDenomForTransfer / InvalidIdentifier / UnregisteredError with ibc-go's text.
 */
export const validatePacketData = (d: FungibleTokenPacketData): bigint => {
  const amount = parseGoInt(d.amount)
  if (amount === undefined) throw new ErrInvalidAmount({ log: `unable to parse transfer amount (${d.amount.slice(0, 100)}) into math.Int: invalid token amount` })
  if (amount <= 0n) throw new ErrInvalidAmount({ log: `amount must be strictly positive: got ${amount}: invalid token amount` })
  if (d.sender.trim() === "") throw new IbcInvalidAddress({ log: "sender address cannot be blank: invalid address" })
  if (d.receiver.trim() === "") throw new IbcInvalidAddress({ log: "receiver address cannot be blank: invalid address" })
  validatePrefixedDenom(d.denom)
  return amount
}

/** channeltypes.Acknowledgement: a result (bytes) or an error text. */
export type TransferAck = { readonly result: Uint8Array } | { readonly error: string }

/** The success result ICS-20 writes: one byte 0x01 (`{"result":"AQ=="}`). */
export const SUCCESS_RESULT = Uint8Array.of(1)

/** Acknowledgement() bytes: sorted JSON of the set field (base64 result, or error text). */
export const ackBytes = (ack: TransferAck): Uint8Array =>
  new TextEncoder().encode("result" in ack ? goSortedJson({ result: Buffer.from(ack.result).toString("base64") }) : goSortedJson({ error: ack.error }))

/** NewErrorAcknowledgement: only the ABCI code reaches the counterparty (deterministic). */
export const errorAck = (code: number): TransferAck => ({ error: `ABCI code: ${code}: error handling packet: see events for details` })

/**
 * Decode an acknowledgement as `ModuleCdc.UnmarshalJSON(&ack)`: an object with exactly one of
 * `result` (standard base64) or `error` (string). Throws PacketDataDecodeError otherwise.
 */
export const decodeAck = (bytes: Uint8Array): TransferAck => {
  const o = parseJsonObject(bytes, "acknowledgement")
  let ack: TransferAck | undefined
  for (const [k, v] of Object.entries(o)) { // determinism-ok: every key is checked; two set fields fail in any order
    if (k !== "result" && k !== "error") throw new PacketDataDecodeError(`unknown field "${k.slice(0, 64)}" in types.Acknowledgement`)
    if (v === null) continue
    if (typeof v !== "string") throw new PacketDataDecodeError(`field ${k}: not a string`)
    if (ack) throw new PacketDataDecodeError("oneof field already set")
    if (k === "error") ack = { error: v }
    else {
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v)) throw new PacketDataDecodeError("illegal base64 data in result")
      ack = { result: Uint8Array.from(Buffer.from(v, "base64")) }
    }
  }
  if (!ack) throw new PacketDataDecodeError("acknowledgement has no response")
  return ack
}
