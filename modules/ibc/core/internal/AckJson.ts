/**
 * ibc-go channeltypes.Acknowledgement as JSON: the error acknowledgement core writes when an
 * application's receive throws, and AcknowledgePacket's check that an ack which parses as that
 * JSON is byte-for-byte its canonical marshalling (`{"result":"<base64>"}` or `{"error":"..."}`,
 * keys sorted, Go's HTML-safe string escaping).
 *
 * Source: ibc-go v8.8.0 modules/core/04-channel/types/acknowledgement.go (NewErrorAcknowledgement,
 * Acknowledgement()), 04-channel/keeper/packet.go (AcknowledgePacket marshalling check).
 */

const encoder = new TextEncoder()

/** NewErrorAcknowledgement(err).Acknowledgement(): `{"error":"ABCI code: <code>: error handling packet: see events for details"}`. */
export const errorAcknowledgement = (code: number): Uint8Array =>
  encoder.encode(`{"error":"ABCI code: ${code}: error handling packet: see events for details"}`)

const SHORT: Record<string, string> = { "\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" }

/** Go encoding/json string quoting: `"` `\` and \n \r \t short, other controls, <, >, & and U+2028/9 as \u00XX. */
const goString = (s: string): string =>
  `"${s.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`

/** `{"error":"<text>"}` with Go's string escaping: channeltypes.Acknowledgement_Error marshalled (wasmd's contract error ack). */
export const errorAcknowledgementText = (text: string): string => `{"error":${goString(text)}}`

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * False only when `ack` parses as an Acknowledgement JSON whose canonical form differs from it
 * (ibc-go refuses those with "acknowledgement marshalling error"); any other bytes pass (an
 * application-defined ack).
 */
export const ackMarshalsCanonically = (ack: Uint8Array): boolean => {
  let v: unknown
  // members at any depth: 1 means the root holds exactly one member with a primitive value
  let count = 0
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(ack), (k, val: unknown) => {
      if (k !== "") count++
      return val
    })
  } catch {
    return true
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return true
  const o = v as Record<string, unknown>
  let canonical: string
  if (count === 0) canonical = "{}"
  else if (count === 1 && typeof o.result === "string" && B64.test(o.result)) {
    canonical = `{"result":${goString(Buffer.from(o.result, "base64").toString("base64"))}}`
  } else if (count === 1 && typeof o.error === "string") canonical = `{"error":${goString(o.error)}}`
  else return true
  const bytes = encoder.encode(canonical)
  return bytes.length === ack.length && bytes.every((b, i) => b === ack[i])
}
