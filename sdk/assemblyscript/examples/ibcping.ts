// IBC ping: a program on its port `cyberwasm.<address>` (docs/ibc.md "Programs on IBC").
// Channel version "ping-1" (ordered or unordered). Executes (text):
//   "send <channel> <count> <prefix>"   sends <count> packets "<prefix><i>" (i = 1..count), no timeout
//                                        but a far timestamp; returns the last sequence
//   "sendt <channel> <unix-ns> <data>"  one packet timing out at <unix-ns>
//   "sendon <port> <channel> <data>"    send-packet naming another port (refused by ibc)
//   "fake <program> <hex-envelope>"     calls cyberwasm ibc-callback itself (refused: no capability)
//   "state"                             "recv=<d,...>;acks=<seq:ack,...>;timeouts=<seq,...>;channels=<id,...>;closed=<id,...>"
// Packets received: "fail" -> error (writes dropped, error ack); "loop" -> runs out of gas;
// "steal:<addr>" -> tries a bank send from <addr> (refused); "echo:<x>" -> also sends <x> back on
// the channel it came from; else recorded, ack "ack:<data>".
import { Program, Outcome, bytesToString, stringToBytes, callMachine, bankBalance } from "../assembly"
import { isIbcCallback, IbcCallback, ibcSendPacket, ibcSendPacketOn, sentSequence, IBC_OPEN_INIT, IBC_OPEN_TRY, IBC_OPEN_ACK, IBC_OPEN_CONFIRM, IBC_CLOSE_INIT, IBC_CLOSE_CONFIRM, IBC_RECV, IBC_ACK, IBC_TIMEOUT } from "../assembly/ibc"
export { cabi_realloc } from "../assembly"

const VERSION = "ping-1"
let received = ""
let acks = ""
let timeouts = ""
let channels = ""
let closed = ""

function add(list: string, item: string): string { return list.length > 0 ? list + "," + item : item }

function hexToBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = <u8>U32.parseInt(h.substr(i * 2, 2), 16)
  return out
}

function protoStr(field: u32, s: string, out: u8[]): void {
  const b = stringToBytes(s)
  out.push(<u8>((field << 3) | 2))
  let n = b.length
  while (n >= 0x80) { out.push(<u8>((n & 0x7f) | 0x80)); n >>= 7 }
  out.push(<u8>n)
  for (let i = 0; i < b.length; i++) out.push(b[i])
}
function protoBytes(field: u32, b: Uint8Array, out: u8[]): void {
  out.push(<u8>((field << 3) | 2))
  let n = b.length
  while (n >= 0x80) { out.push(<u8>((n & 0x7f) | 0x80)); n >>= 7 }
  out.push(<u8>n)
  for (let i = 0; i < b.length; i++) out.push(b[i])
}
function toBytes(a: u8[]): Uint8Array {
  const b = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) b[i] = a[i]
  return b
}

function callback(input: Uint8Array): Outcome {
  const c = IbcCallback.decode(input)
  if (c.kind == IBC_OPEN_INIT) {
    if (c.version.length > 0 && c.version != VERSION) return Outcome.err("version must be " + VERSION + ", got " + c.version)
    return Outcome.ok(stringToBytes(VERSION))
  }
  if (c.kind == IBC_OPEN_TRY) {
    if (c.counterpartyVersion != VERSION) return Outcome.err("counterparty version must be " + VERSION)
    return Outcome.ok(stringToBytes(VERSION))
  }
  if (c.kind == IBC_OPEN_ACK) {
    if (c.counterpartyVersion != VERSION) return Outcome.err("counterparty version must be " + VERSION)
    channels = add(channels, c.channelId)
    return Outcome.ok(new Uint8Array(0))
  }
  if (c.kind == IBC_OPEN_CONFIRM) {
    channels = add(channels, c.channelId)
    return Outcome.ok(new Uint8Array(0))
  }
  if (c.kind == IBC_CLOSE_INIT || c.kind == IBC_CLOSE_CONFIRM) {
    closed = add(closed, c.channelId)
    return Outcome.ok(new Uint8Array(0))
  }
  if (c.kind == IBC_RECV) {
    const d = bytesToString(c.data)
    if (d == "fail") {
      received = add(received, "never-kept")
      return Outcome.err("refused packet " + c.sequence.toString())
    }
    if (d == "loop") {
      let x: u64 = 0
      while (x != 1) x = (x * 3 + 7) % 1000003 + 2
      return Outcome.ok(stringToBytes("unreachable"))
    }
    if (d.startsWith("steal:")) {
      const from = d.substr(6)
      const req: u8[] = []
      protoStr(1, from, req)
      protoStr(2, c.relayer, req)
      const coin: u8[] = []
      protoStr(1, "boot", coin)
      protoStr(2, "1000", coin)
      protoBytes(3, toBytes(coin), req)
      const r = callMachine("bank", "send", toBytes(req))
      if (!r.ok) return Outcome.err("steal refused: " + r.error)
      received = add(received, "stolen")
      return Outcome.ok(stringToBytes("stolen"))
    }
    if (d.startsWith("echo:")) {
      // answer from inside the receive: a packet back on the same channel
      const r = ibcSendPacket(c.destinationChannel, 0, 0, 4102444800000000000, stringToBytes(d.substr(5)))
      if (!r.ok) return Outcome.err("echo send-packet: " + r.error)
    }
    received = add(received, d)
    return Outcome.ok(stringToBytes("ack:" + d))
  }
  if (c.kind == IBC_ACK) {
    acks = add(acks, c.sequence.toString() + ":" + bytesToString(c.acknowledgement))
    return Outcome.ok(new Uint8Array(0))
  }
  if (c.kind == IBC_TIMEOUT) {
    timeouts = add(timeouts, c.sequence.toString())
    return Outcome.ok(new Uint8Array(0))
  }
  return Outcome.ok(new Uint8Array(0))
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatchOutcome(ptr, len, (input: Uint8Array): Outcome => {
    if (isIbcCallback(input)) return callback(input)
    const parts = bytesToString(input).split(" ")
    if (parts[0] == "send" && parts.length == 4) {
      const count = I32.parseInt(parts[2])
      let last: u64 = 0
      for (let i = 1; i <= count; i++) {
        // far timestamp: year 2100 in unix ns
        const r = ibcSendPacket(parts[1], 0, 0, 4102444800000000000, stringToBytes(parts[3] + i.toString()))
        if (!r.ok) return Outcome.err("send-packet: " + r.error)
        last = sentSequence(r.data)
      }
      return Outcome.ok(stringToBytes(last.toString()))
    }
    if (parts[0] == "sendt" && parts.length == 4) {
      const r = ibcSendPacket(parts[1], 0, 0, U64.parseInt(parts[2]), stringToBytes(parts[3]))
      if (!r.ok) return Outcome.err("send-packet: " + r.error)
      return Outcome.ok(stringToBytes(sentSequence(r.data).toString()))
    }
    if (parts[0] == "sendon" && parts.length == 4) {
      const r = ibcSendPacketOn(parts[1], parts[2], 0, 0, 4102444800000000000, stringToBytes(parts[3]))
      if (!r.ok) return Outcome.err("send-packet: " + r.error)
      return Outcome.ok(stringToBytes(sentSequence(r.data).toString()))
    }
    if (parts[0] == "fake" && parts.length == 3) {
      const req: u8[] = []
      protoStr(1, parts[1], req)
      protoBytes(2, hexToBytes(parts[2]), req)
      const r = callMachine("cyberwasm", "ibc-callback", toBytes(req))
      if (!r.ok) return Outcome.err("ibc-callback: " + r.error)
      return Outcome.ok(r.data)
    }
    if (parts[0] == "state") return Outcome.ok(stringToBytes("recv=" + received + ";acks=" + acks + ";timeouts=" + timeouts + ";channels=" + channels + ";closed=" + closed))
    if (parts[0] == "balance" && parts.length == 2) return Outcome.ok(stringToBytes(bankBalance(parts[1], "boot").toString()))
    return Outcome.err("unknown command")
  })
}
