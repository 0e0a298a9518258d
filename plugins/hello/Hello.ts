/**
 * The hello plugin machine: the smallest useful plugin. Every account may keep one greeting.
 *
 * - Message `/cyberkernel.hello.v1.MsgHello` {sender (bech32, the signer), text (1..280 bytes
 *   UTF-8)} stores `text` as the sender's greeting (replacing an earlier one) and emits a `hello`
 *   event {sender}. Response `/cyberkernel.hello.v1.MsgHelloResponse` {}.
 * - Query `/cyberkernel.hello.v1.Query/Greeting` {address} -> {found, text}.
 * - Interface `hello` (wit/hello.wit): `greeting` (read-only), same wire as the query.
 * - Genesis `{ "greetings": [ { "address": "cyber1...", "text": "..." } ] }`; export lists them in
 *   address-byte order (store key order). An address listed twice, a bad address or text is
 *   refused with a typed error naming the entry.
 * - State: `g/<address bytes>` -> text (UTF-8). No cross-machine calls, so no grants.
 *
 * Errors: InvalidAddress (7) for a bad sender or address, InvalidRequest (18) for text outside
 * 1..280 bytes or a malformed body, TxDecodeError (2) for an undecodable message in a tx,
 * UnknownRequest (6) for an unknown query path or method.
 *
 * The entry point of the plugin package (package.json "cyberkernel".entry): the default export
 * is the factory the node calls with its options and host API (plugins/Host.ts).
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import type { KVStore } from "../../store/KVStore.ts"
import type { PluginFactory, PluginHost, PluginOptions } from "../Host.ts"
import { helloCodecs, type HelloCodecs, type MsgHello } from "./Codecs.ts"

/** Type URL of the one message. */
export const MSG_HELLO = "/cyberkernel.hello.v1.MsgHello"
/** Type URL of its response. */
export const MSG_HELLO_RESPONSE = "/cyberkernel.hello.v1.MsgHelloResponse"
/** Query path prefix (method Greeting). */
export const HELLO_QUERY = "/cyberkernel.hello.v1.Query/"
/** Longest greeting, in UTF-8 bytes. */
export const MAX_GREETING_BYTES = 280
/** Plugin version (must equal package.json "version"). */
export const HELLO_VERSION = "0.1.0"

const PREFIX = Uint8Array.of(0x67, 0x2f) // "g/"
const PREFIX_END = Uint8Array.of(0x67, 0x30) // "g0"
const enc = new TextEncoder()
const dec = new TextDecoder()

const keyOf = (addr: Uint8Array): Uint8Array => {
  const k = new Uint8Array(PREFIX.length + addr.length)
  k.set(PREFIX)
  k.set(addr, PREFIX.length)
  return k
}

/** The hello machine (see module doc). */
export class HelloMachine implements Machine {
  readonly name = "hello"
  readonly version = HELLO_VERSION
  readonly msgTypeUrls = [MSG_HELLO]
  readonly queryPrefixes = [HELLO_QUERY]
  readonly grants = []
  readonly interface: InterfaceSpec
  private readonly host: PluginHost
  private readonly prefix: string
  private readonly codecs: HelloCodecs

  constructor(opts: PluginOptions) {
    this.host = opts.host
    this.prefix = opts.bech32Prefix
    this.codecs = helloCodecs(opts.host)
    this.interface = {
      name: "hello",
      methods: {
        greeting: { name: "greeting", readOnly: true, request: this.codecs.greetingRequest, response: this.codecs.greetingResponse }
      }
    }
  }

  /** A valid text: 1..{@link MAX_GREETING_BYTES} bytes (InvalidRequest naming `where`). */
  private text(text: string, where: string): Uint8Array {
    const bytes = enc.encode(text)
    if (bytes.length < 1 || bytes.length > MAX_GREETING_BYTES) {
      throw new this.host.errors.InvalidRequest({ log: `${where}: greeting text must be 1..${MAX_GREETING_BYTES} bytes, got ${bytes.length}` })
    }
    return bytes
  }

  private decodeMsg(msg: Any): MsgHello {
    try {
      return this.codecs.msgHello.decode(msg.value)
    } catch (e) {
      throw new this.host.errors.TxDecodeError({ log: `${(e as { log?: string }).log ?? String(e)}: tx parse error` })
    }
  }

  signers(msg: Any): ReadonlyArray<string> {
    const m = this.decodeMsg(msg)
    return [this.host.address.canonical(m.sender, this.prefix, "invalid sender")]
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    const m = this.decodeMsg(msg)
    const sender = this.host.address.parse(m.sender, this.prefix, "invalid sender")
    ctx.store.set(keyOf(sender), this.text(m.text, "MsgHello"))
    ctx.emit({ type: "hello", attributes: [{ key: "sender", value: this.host.address.format(sender, this.prefix), index: true }] })
    return { typeUrl: MSG_HELLO_RESPONSE, value: this.codecs.empty.encode({}) }
  }

  private greeting(store: KVStore, address: string): Uint8Array {
    const addr = this.host.address.parse(address, this.prefix, "invalid address")
    const v = store.get(keyOf(addr))
    return this.codecs.greetingResponse.encode(v === undefined ? { found: false, text: "" } : { found: true, text: dec.decode(v) })
  }

  onCall(ctx: ExecContext, _caller: string, method: string, body: Uint8Array): Uint8Array {
    if (method === "greeting") return this.greeting(ctx.store, this.codecs.greetingRequest.decode(body).address)
    throw new this.host.errors.UnknownRequest({ log: `hello has no method "${method}"` })
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    if (path === HELLO_QUERY + "Greeting") return this.greeting(ctx.store, this.codecs.greetingRequest.decode(data).address)
    throw new this.host.errors.UnknownRequest({ log: `unknown query path ${path}` })
  }

  initGenesis(ctx: ExecContext, genesis: unknown): void {
    if (genesis === undefined || genesis === null) return
    const list = (genesis as { greetings?: unknown }).greetings ?? []
    if (typeof genesis !== "object" || !Array.isArray(list)) throw new this.host.errors.InvalidRequest({ log: "hello genesis: expected {\"greetings\": [...]}" })
    list.forEach((g: unknown, i: number) => {
      const where = `hello genesis greetings[${i}]`
      const e = g as { address?: unknown; text?: unknown } | null
      if (typeof e?.address !== "string" || typeof e.text !== "string") throw new this.host.errors.InvalidRequest({ log: `${where}: needs address and text strings` })
      const key = keyOf(this.host.address.parse(e.address, this.prefix, where))
      if (ctx.store.has(key)) throw new this.host.errors.InvalidRequest({ log: `${where}: address ${e.address} listed twice` })
      ctx.store.set(key, this.text(e.text, where))
    })
  }

  exportGenesis(ctx: QueryContext): unknown {
    const greetings: Array<{ address: string; text: string }> = []
    for (const [k, v] of ctx.store.iterate(PREFIX, PREFIX_END)) {
      greetings.push({ address: this.host.address.format(k.subarray(PREFIX.length), this.prefix), text: dec.decode(v) })
    }
    return { greetings }
  }
}

/** The plugin's factory (package.json "cyberkernel".entry, default export). */
const createMachine: PluginFactory = (opts) => new HelloMachine(opts)
export default createMachine
