/**
 * The typed call API of a machine: one WIT interface under `wit/chain/`, compiled by
 * `npm run wit:gen-chain` into a generated module (chain/generated/<name>.ts) that exports an
 * {@link InterfaceSpec}, a typed client for callers and a handler type for the callee. Caller and
 * callee use the same generated types, so `npm run typecheck` fails when either side drifts.
 *
 * Wire format of a request or response body: protobuf (cosmjs-types BinaryWriter), field number =
 * the 1-based position of the field in its WIT record, so a WIT record whose fields follow a
 * Cosmos message (bank `send-request` = `cosmos.bank.v1beta1.MsgSend`) has the same bytes.
 *
 * Source: ARCHITECTURE.md "Chain-plane capabilities, interfaces and the registry"; Hyperware's
 * XRequest/XResponse discipline (one request and one response type per method).
 */

/** Binary codec of one WIT record. `decode` throws InvalidRequest (code 18) on malformed bytes. */
export interface Codec<T> {
  encode(value: T): Uint8Array
  decode(bytes: Uint8Array): T
}

/** One method of a machine interface. */
export interface MethodSpec<Req = unknown, Res = unknown> {
  /** WIT function name, kebab-case, e.g. "send", "ensure-account". */
  readonly name: string
  /**
   * True for methods that change no state: callable through `query_machine` and
   * {@link ExecContext.query}; a read-only context refuses every other method.
   */
  readonly readOnly: boolean
  readonly request: Codec<Req>
  readonly response: Codec<Res>
}

/** A machine interface: its WIT name (= the machine's name) and methods by WIT name. */
export interface InterfaceSpec {
  readonly name: string
  readonly methods: Readonly<Record<string, MethodSpec>>
}
