/**
 * Protobuf codecs of the hello plugin, hand-written over the host's cosmjs-types reader and writer
 * (a plugin imports no runtime modules: plugins/Host.ts). Decoders are strict: a known field with
 * the wrong wire type, an unknown field, invalid UTF-8 or a truncated body is refused with
 * InvalidRequest (code 18) naming the message.
 *
 * Messages (package cyberkernel.hello.v1):
 *   MsgHello {1 sender string (bech32, signer), 2 text string}      MsgHelloResponse {}
 *   QueryGreetingRequest {1 address string}                           QueryGreetingResponse {1 found bool, 2 text string}
 * The WIT records `greeting-request` / `greeting-response` (wit/hello.wit) have the same fields in
 * the same positions, so the query and the interface method share one wire format.
 */
import type { BinaryReader } from "cosmjs-types/binary"
import type { Codec } from "../../chain/Interface.ts"
import type { PluginHost } from "../Host.ts"

/** MsgHello: the signer's greeting. */
export interface MsgHello {
  readonly sender: string
  readonly text: string
}

/** Request of Query/Greeting and of the `greeting` interface method. */
export interface GreetingRequest {
  readonly address: string
}

/** Response of Query/Greeting and of `greeting`: `found` false (and empty text) when the address has none. */
export interface GreetingResponse {
  readonly found: boolean
  readonly text: string
}

/** The codecs, built over the host's protobuf classes. */
export interface HelloCodecs {
  readonly msgHello: Codec<MsgHello>
  readonly empty: Codec<Record<string, never>>
  readonly greetingRequest: Codec<GreetingRequest>
  readonly greetingResponse: Codec<GreetingResponse>
}

const WIRE_VARINT = 0
const WIRE_LEN = 2

/** Build the codecs with `host.protobuf` and `host.errors`. */
export const helloCodecs = (host: PluginHost): HelloCodecs => {
  const { BinaryReader, BinaryWriter } = host.protobuf
  const utf8 = new TextDecoder("utf-8", { fatal: true })

  /** Read `bytes` as message `what`; `field(num, wire, r)` reads one known field or returns false. */
  const read = (what: string, bytes: Uint8Array, field: (num: number, wire: number, r: BinaryReader) => boolean): void => {
    try {
      const r = new BinaryReader(bytes)
      while (r.pos < r.len) {
        const tag = r.uint32()
        if (!field(tag >>> 3, tag & 7, r)) throw new Error(`unexpected field ${tag >>> 3} (wire type ${tag & 7})`)
      }
      if (r.pos !== r.len) throw new Error("truncated body")
    } catch (e) {
      throw new host.errors.InvalidRequest({ log: `malformed ${what}: ${(e as Error).message}` })
    }
  }
  const str = (r: BinaryReader): string => utf8.decode(r.bytes())

  const msgHello: Codec<MsgHello> = {
    encode: (m) => {
      const w = BinaryWriter.create()
      if (m.sender !== "") w.uint32(10).string(m.sender)
      if (m.text !== "") w.uint32(18).string(m.text)
      return w.finish()
    },
    decode: (bytes) => {
      let sender = ""
      let text = ""
      read("MsgHello", bytes, (num, wire, r) => {
        if (wire !== WIRE_LEN) return false
        if (num === 1) sender = str(r)
        else if (num === 2) text = str(r)
        else return false
        return true
      })
      return { sender, text }
    }
  }

  const empty: Codec<Record<string, never>> = {
    encode: () => new Uint8Array(0),
    decode: (bytes) => {
      read("empty message", bytes, () => false)
      return {}
    }
  }

  const greetingRequest: Codec<GreetingRequest> = {
    encode: (m) => (m.address === "" ? new Uint8Array(0) : BinaryWriter.create().uint32(10).string(m.address).finish()),
    decode: (bytes) => {
      let address = ""
      read("GreetingRequest", bytes, (num, wire, r) => {
        if (num !== 1 || wire !== WIRE_LEN) return false
        address = str(r)
        return true
      })
      return { address }
    }
  }

  const greetingResponse: Codec<GreetingResponse> = {
    encode: (m) => {
      const w = BinaryWriter.create()
      if (m.found) w.uint32(8).bool(true)
      if (m.text !== "") w.uint32(18).string(m.text)
      return w.finish()
    },
    decode: (bytes) => {
      let found = false
      let text = ""
      read("GreetingResponse", bytes, (num, wire, r) => {
        if (num === 1 && wire === WIRE_VARINT) found = r.bool()
        else if (num === 2 && wire === WIRE_LEN) text = str(r)
        else return false
        return true
      })
      return { found, text }
    }
  }

  return { msgHello, empty, greetingRequest, greetingResponse }
}
