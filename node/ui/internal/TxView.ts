/**
 * A transaction's bytes as the dashboard shows them: a Cosmos TxRaw decoded (cosmjs-types) into
 * memo, fee, gas limit, signer sequences and messages as SDK JSON (`{"@type", fields}`:
 * modules/gov/MsgJson.ts for the Cosmos, gov, staking, distribution and authority messages; the
 * graph and CyberWasm codecs for theirs). Bytes fields longer than 64 bytes are summarised (size
 * and sha256) so a code upload does not travel back whole. Other encodings (an Ethereum tx served
 * by a plugin's tx format) are shown as their size and first byte.
 *
 * Source: cosmos-sdk proto/cosmos/tx/v1beta1/tx.proto (TxRaw, TxBody, AuthInfo).
 */
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { createHash } from "node:crypto"
import { msgToJSON } from "../../../modules/gov/MsgJson.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink } from "../../../modules/graph/Messages.ts"
import * as W from "../../../modules/cyberwasm/Messages.ts"

/** JSON-safe value. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }

/** What {@link txView} returns. */
export interface TxView {
  /** "cosmos" (TxRaw) or "other" (an encoding of a machine's own tx format). */
  readonly format: "cosmos" | "other"
  readonly bytes: number
  readonly memo?: string
  readonly fee?: { readonly amount: ReadonlyArray<{ denom: string; amount: string }>; readonly gasLimit: string; readonly payer: string; readonly granter: string }
  readonly signerSequences?: ReadonlyArray<string>
  readonly messages: ReadonlyArray<Json>
}

const MAX_BYTES_SHOWN = 64

/** bigint → decimal text, bytes → hex (or a summary past 64 bytes), recursively. */
export const jsonSafe = (v: unknown): Json => {
  if (v === null || v === undefined) return null
  if (typeof v === "bigint") return v.toString()
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v
  if (v instanceof Uint8Array) {
    return v.length <= MAX_BYTES_SHOWN
      ? Buffer.from(v).toString("hex")
      : `<${v.length} bytes, sha256 ${createHash("sha256").update(v).digest("hex")}>`
  }
  if (Array.isArray(v)) return v.map(jsonSafe)
  if (typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]))
  return String(v)
}

const OWN: ReadonlyMap<string, { decode(b: Uint8Array): unknown }> = new Map<string, { decode(b: Uint8Array): unknown }>([
  [MSG_CYBERLINK_URL, MsgCyberlink],
  [W.TypeUrl.storeCode, W.MsgStoreCode],
  [W.TypeUrl.instantiate, W.MsgInstantiate],
  [W.TypeUrl.execute, W.MsgExecute],
  [W.TypeUrl.deposit, W.MsgDeposit],
  [W.TypeUrl.upgrade, W.MsgUpgrade]
])

/** One message as SDK-style JSON; undecodable or unknown types keep `@type` and a bytes summary. */
export const messageView = (msg: Any): Json => {
  const own = OWN.get(msg.typeUrl)
  if (own) {
    try {
      return { "@type": msg.typeUrl, ...(jsonSafe(own.decode(msg.value)) as Record<string, Json>) }
    } catch {
      // fall through to the opaque form
    }
  }
  const j = msgToJSON(msg)
  if (typeof j["@value"] === "string") return { "@type": msg.typeUrl, "@value": jsonSafe(msg.value) }
  return jsonSafe(j)
}

/** Decode `bytes` for display; never throws (undecodable bytes give format "other"). */
export const txView = (bytes: Uint8Array): TxView => {
  if (bytes[0] === 0x0a) {
    try {
      const raw = TxRaw.decode(bytes)
      const body = TxBody.decode(raw.bodyBytes)
      const auth = AuthInfo.decode(raw.authInfoBytes)
      return {
        format: "cosmos",
        bytes: bytes.length,
        memo: body.memo,
        fee: {
          amount: (auth.fee?.amount ?? []).map((c) => ({ denom: c.denom, amount: c.amount })),
          gasLimit: String(auth.fee?.gasLimit ?? 0n),
          payer: auth.fee?.payer ?? "",
          granter: auth.fee?.granter ?? ""
        },
        signerSequences: auth.signerInfos.map((s) => String(s.sequence)),
        messages: body.messages.map(messageView)
      }
    } catch {
      // not a TxRaw after all
    }
  }
  return { format: "other", bytes: bytes.length, messages: [] }
}
