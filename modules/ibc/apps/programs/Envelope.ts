/**
 * The IBC callback envelope a CyberWasm program's `cyberwasm_dispatch` receives for its port
 * `cyberwasm.<address>` (docs/ibc.md "Programs on IBC"). Canonical binary, big-endian, so a
 * program decodes it without a protobuf or JSON library (sdk/assemblyscript/assembly/ibc.ts):
 *
 * ```
 * 0xff 'I' kind:u8 body
 * channel kinds (1 open-init, 2 open-try, 3 open-ack, 4 open-confirm, 5 close-init, 6 close-confirm):
 *   order:u8 (1 unordered, 2 ordered: ibc.core.channel.v1.Order)
 *   str connection-id, str port-id, str channel-id, str counterparty-port-id,
 *   str counterparty-channel-id, str version, str counterparty-version
 * packet kinds (7 recv, 8 ack, 9 timeout):
 *   sequence:u64, str source-port, str source-channel, str destination-port,
 *   str destination-channel, str relayer, timeout-revision-number:u64,
 *   timeout-revision-height:u64, timeout-timestamp:u64 (unix ns), bytes data
 *   [kind 8 only: bytes acknowledgement]
 * str = u16 length + UTF-8; bytes = u32 length + bytes
 * ```
 *
 * The program sees caller `machine:ibc` (no account or program can be that caller), so it can tell
 * a callback from a user's execute carrying the same bytes. What the program returns: open-init /
 * open-try its channel version (UTF-8; empty = the proposed / counterparty version), recv the
 * acknowledgement bytes; an error (or trap) refuses a handshake step, turns a receive into an
 * error acknowledgement (its writes rolled back) and fails an ack or timeout transaction.
 *
 * Source: the design of issue 12 part 5; the reply envelope `0xff 'R'` of docs/cyberwasm.md;
 * ibc-go modules/core/05-port/types/module.go (the callbacks), wasmd x/wasm/ibc.go (contracts' IBC
 * entry points: the same callbacks and results).
 */
import { ibcLog, IbcInvalidRequest } from "../../core/IbcError.ts"
import type { ChannelInfo, Packet } from "../../PortModule.ts"

/** Callback kinds (byte 2 of the envelope). */
export const CallbackKind = {
  openInit: 1, openTry: 2, openAck: 3, openConfirm: 4, closeInit: 5, closeConfirm: 6, recv: 7, ack: 8, timeout: 9
} as const
/** A callback kind name. */
export type CallbackKind = keyof typeof CallbackKind

/** Envelope magic: 0xff 'I'. */
export const ENVELOPE_MAGIC: readonly [number, number] = [0xff, 0x49]

class Writer {
  private readonly parts: Uint8Array[] = []
  private size = 0
  push(b: Uint8Array): this {
    this.parts.push(b)
    this.size += b.length
    return this
  }
  u8(v: number): this {
    return this.push(Uint8Array.of(v))
  }
  u64(v: bigint): this {
    const b = new Uint8Array(8)
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v))
    return this.push(b)
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s)
    const l = new Uint8Array(2)
    // identifiers are short (ICS-24); only a relayer's channel version could be longer
    if (b.length > 0xffff) throw new IbcInvalidRequest({ log: ibcLog(`a string of ${b.length} bytes does not fit a program's IBC callback (at most 65535)`, "invalid request") })
    new DataView(l.buffer).setUint16(0, b.length)
    return this.push(l).push(b)
  }
  bytes(b: Uint8Array): this {
    const l = new Uint8Array(4)
    new DataView(l.buffer).setUint32(0, b.length)
    return this.push(l).push(b)
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size)
    let at = 0
    for (const p of this.parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }
}

const head = (kind: CallbackKind): Writer => new Writer().u8(ENVELOPE_MAGIC[0]).u8(ENVELOPE_MAGIC[1]).u8(CallbackKind[kind])

/** Envelope of a channel callback (`counterpartyVersion` "" where the step has none). IbcInvalidRequest (ibc 8) for a string over 65535 bytes. */
export const channelEnvelope = (kind: Exclude<CallbackKind, "recv" | "ack" | "timeout">, ch: ChannelInfo, counterpartyVersion = ""): Uint8Array =>
  head(kind).u8(ch.order === "ORDER_ORDERED" ? 2 : 1).str(ch.connectionHops[0] ?? "").str(ch.portId).str(ch.channelId)
    .str(ch.counterpartyPortId).str(ch.counterpartyChannelId).str(ch.version).str(counterpartyVersion).finish()

/** Envelope of a packet callback; `acknowledgement` only for kind "ack". */
export const packetEnvelope = (kind: "recv" | "ack" | "timeout", p: Packet, relayer: string, acknowledgement?: Uint8Array): Uint8Array => {
  const w = head(kind).u64(p.sequence).str(p.sourcePort).str(p.sourceChannel).str(p.destinationPort).str(p.destinationChannel).str(relayer)
    .u64(p.timeoutHeight.revisionNumber).u64(p.timeoutHeight.revisionHeight).u64(p.timeoutTimestamp).bytes(p.data)
  return (kind === "ack" ? w.bytes(acknowledgement ?? new Uint8Array()) : w).finish()
}
