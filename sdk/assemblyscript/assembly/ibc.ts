// IBC for CyberWasm programs (docs/ibc.md "Programs on IBC"): a program owns the port
// `cyberwasm.<its address>`, receives channel and packet callbacks in cyberwasm_dispatch as the
// envelope `0xff 'I' kind ...` (modules/ibc/apps/programs/Envelope.ts) with caller "machine:ibc",
// and sends packets through the ibc machine's call API (wit/chain/ibc.wit send-packet).
import { caller, callMachine, selfAddress, HostResult, stringToBytes } from "./index"

export const IBC_OPEN_INIT: u8 = 1
export const IBC_OPEN_TRY: u8 = 2
export const IBC_OPEN_ACK: u8 = 3
export const IBC_OPEN_CONFIRM: u8 = 4
export const IBC_CLOSE_INIT: u8 = 5
export const IBC_CLOSE_CONFIRM: u8 = 6
export const IBC_RECV: u8 = 7
export const IBC_ACK: u8 = 8
export const IBC_TIMEOUT: u8 = 9
/** Channel order as ibc.core.channel.v1.Order. */
export const ORDER_UNORDERED: u8 = 1
export const ORDER_ORDERED: u8 = 2

/** The caller of every IBC callback; no account or program can be it. */
export const IBC_CALLER = "machine:ibc"

/** True when `input` is an IBC callback: the envelope magic AND the caller is the ibc machine. */
export function isIbcCallback(input: Uint8Array): bool {
  return input.length >= 3 && input[0] == 0xff && input[1] == 0x49 && caller() == IBC_CALLER
}

class Reader {
  at: i32 = 3
  constructor(public b: Uint8Array) {}
  u8(): u8 { return this.b[this.at++] }
  u64(): u64 {
    let v: u64 = 0
    for (let i = 0; i < 8; i++) v = (v << 8) | <u64>this.b[this.at++]
    return v
  }
  len(n: i32): i32 {
    let v: i32 = 0
    for (let i = 0; i < n; i++) v = (v << 8) | <i32>this.b[this.at++]
    return v
  }
  str(): string {
    const n = this.len(2)
    const s = String.UTF8.decodeUnsafe(this.b.dataStart + <usize>this.at, <usize>n)
    this.at += n
    return s
  }
  bytes(): Uint8Array {
    const n = this.len(4)
    const out = this.b.slice(this.at, this.at + n)
    this.at += n
    return out
  }
}

/** A decoded callback envelope. Channel fields are set for kinds 1-6, packet fields for 7-9. */
export class IbcCallback {
  kind: u8 = 0
  order: u8 = 0
  connectionId: string = ""
  portId: string = ""
  channelId: string = ""
  counterpartyPortId: string = ""
  counterpartyChannelId: string = ""
  version: string = ""
  counterpartyVersion: string = ""
  sequence: u64 = 0
  sourcePort: string = ""
  sourceChannel: string = ""
  destinationPort: string = ""
  destinationChannel: string = ""
  relayer: string = ""
  timeoutRevisionNumber: u64 = 0
  timeoutRevisionHeight: u64 = 0
  timeoutTimestamp: u64 = 0
  data: Uint8Array = new Uint8Array(0)
  acknowledgement: Uint8Array = new Uint8Array(0)

  static decode(input: Uint8Array): IbcCallback {
    const c = new IbcCallback()
    const r = new Reader(input)
    c.kind = input[2]
    if (c.kind <= IBC_CLOSE_CONFIRM) {
      c.order = r.u8()
      c.connectionId = r.str()
      c.portId = r.str()
      c.channelId = r.str()
      c.counterpartyPortId = r.str()
      c.counterpartyChannelId = r.str()
      c.version = r.str()
      c.counterpartyVersion = r.str()
    } else {
      c.sequence = r.u64()
      c.sourcePort = r.str()
      c.sourceChannel = r.str()
      c.destinationPort = r.str()
      c.destinationChannel = r.str()
      c.relayer = r.str()
      c.timeoutRevisionNumber = r.u64()
      c.timeoutRevisionHeight = r.u64()
      c.timeoutTimestamp = r.u64()
      c.data = r.bytes()
      if (c.kind == IBC_ACK) c.acknowledgement = r.bytes()
    }
    return c
  }
}

// ---- minimal protobuf writer for the ibc call API records ----

class Proto {
  out: u8[] = []
  varint(v: u64): Proto {
    while (v >= 0x80) {
      this.out.push(<u8>((v & 0x7f) | 0x80))
      v >>= 7
    }
    this.out.push(<u8>v)
    return this
  }
  bytes(field: u32, b: Uint8Array): Proto {
    if (b.length == 0) return this
    this.varint(<u64>((field << 3) | 2)).varint(<u64>b.length)
    for (let i = 0; i < b.length; i++) this.out.push(b[i])
    return this
  }
  u64(field: u32, v: u64): Proto {
    if (v == 0) return this
    return this.varint(<u64>(field << 3)).varint(v)
  }
  finish(): Uint8Array {
    const b = new Uint8Array(this.out.length)
    for (let i = 0; i < this.out.length; i++) b[i] = this.out[i]
    return b
  }
}

/** This program's port id: `cyberwasm.<address>`. */
export function ibcPort(): string { return "cyberwasm." + selfAddress() }

/**
 * Send `data` on `channel` of this program's port (ibc send-packet); timeout by height of the
 * counterparty (revision number/height, 0/0 = none) and/or unix ns timestamp (0 = none).
 * ok: data holds the send-packet-response (use {@link sentSequence}); err: the ibc error text.
 */
export function ibcSendPacket(channel: string, timeoutRevisionNumber: u64, timeoutRevisionHeight: u64, timeoutTimestamp: u64, data: Uint8Array): HostResult {
  return ibcSendPacketOn(ibcPort(), channel, timeoutRevisionNumber, timeoutRevisionHeight, timeoutTimestamp, data)
}

/** send-packet naming the source port explicitly (the ibc machine refuses any port but this program's own). */
export function ibcSendPacketOn(port: string, channel: string, timeoutRevisionNumber: u64, timeoutRevisionHeight: u64, timeoutTimestamp: u64, data: Uint8Array): HostResult {
  const height = new Proto().u64(1, timeoutRevisionNumber).u64(2, timeoutRevisionHeight).finish()
  const req = new Proto().bytes(1, stringToBytes(port)).bytes(2, stringToBytes(channel))
  // the height record is written even when zero (an empty nested message)
  req.varint(<u64>((3 << 3) | 2)).varint(<u64>height.length)
  for (let i = 0; i < height.length; i++) req.out.push(height[i])
  req.u64(4, timeoutTimestamp).bytes(5, data)
  return callMachine("ibc", "send-packet", req.finish())
}

/** The sequence in a send-packet-response (field 1, varint). */
export function sentSequence(response: Uint8Array): u64 {
  if (response.length < 2 || response[0] != 0x08) return 0
  let v: u64 = 0
  let shift: u64 = 0
  for (let i = 1; i < response.length; i++) {
    v |= (<u64>(response[i] & 0x7f)) << shift
    if ((response[i] & 0x80) == 0) break
    shift += 7
  }
  return v
}
