/**
 * Messages between processes: requests, responses, lazy-load blobs, contexts, send errors and
 * on-exit settings. Shapes are the WIT records of wit/process.wit (Hyperware process-v1,
 * hyperware-ai/hyperware-wit hyperware.wit), checked against the jco-generated types in
 * kernel/Wit.ts so that `npm run typecheck` fails when they disagree.
 *
 * Bodies are bytes; each process publishes the Schema of its own request/response API.
 */
import type { Capability } from "../capabilities/Capability.ts"
import type { Address } from "./Address.ts"

/** Opaque bytes a requester keeps with an outstanding request; returned with its response. */
export type Context = Uint8Array

/** A message's optional large payload (WIT `lazy-load-blob`). */
export interface LazyLoadBlob {
  readonly mime?: string
  readonly bytes: Uint8Array
}

/** A request (WIT `request`). */
export interface Request {
  /**
   * Inherit the blob of the request being handled, and when `expectsResponse` is undefined,
   * hand this request the duty of answering it: the eventual response goes to the source of the
   * request being handled (Hyperware's request inheritance).
   */
  readonly inherit: boolean
  /** Timeout in milliseconds when a response is expected; undefined: no response expected. */
  readonly expectsResponse?: number
  readonly body: Uint8Array
  /** Optional JSON metadata. */
  readonly metadata?: string
  /** Capabilities handed to the target; the sender must hold each one. */
  readonly capabilities: Capability[]
}

/** A response (WIT `response`). */
export interface Response {
  /** Inherit the blob of the request being answered. */
  readonly inherit: boolean
  readonly body: Uint8Array
  readonly metadata?: string
  readonly capabilities: Capability[]
}

/** WIT `message`: a request, or a response with the context its request was sent with. */
export type Message =
  | { readonly tag: "request"; readonly val: Request }
  | { readonly tag: "response"; readonly val: [Response, Context | undefined] }

/** Why a message was not delivered or answered. */
export type SendErrorKind = "offline" | "timeout"

/**
 * A message given back to its sender (WIT `send-error`): `offline` when the target process
 * does not exist, was killed or its node is unreachable; `timeout` when no response came in
 * `expectsResponse` milliseconds.
 */
export interface SendError {
  readonly kind: SendErrorKind
  readonly target: Address
  readonly message: Message
  readonly lazyLoadBlob?: LazyLoadBlob
}

/** Exponential restart backoff: delay = min(maxMs, initialMs * 2^attempt). */
export interface RestartBackoff {
  readonly initialMs: number
  readonly maxMs: number
}

/**
 * What happens when a process ends by crashing (WIT `on-exit`): nothing; a restart after a
 * backoff; or these requests are sent on its behalf (never expecting responses). A `kill`
 * command ends a process without running its on-exit (as in Hyperware).
 */
export type OnExit =
  | { readonly tag: "none" }
  | { readonly tag: "restart"; readonly val: RestartBackoff }
  | { readonly tag: "requests"; readonly val: Array<[Address, Request, LazyLoadBlob | undefined]> }

const NO_CAPS: Capability[] = []
const EMPTY = new Uint8Array(0)

/** Options of `request()` / `response()`. */
export interface MessageOptions {
  readonly inherit?: boolean
  readonly metadata?: string
  readonly capabilities?: Capability[]
}

/**
 * A request with `body`, expecting a response within `expectsResponse` ms when given.
 * The capabilities array defaults to a shared empty array (do not mutate it).
 */
export const request = (body: Uint8Array = EMPTY, expectsResponse?: number, options: MessageOptions = {}): Request => {
  const r: { -readonly [K in keyof Request]: Request[K] } = {
    inherit: options.inherit ?? false,
    body,
    capabilities: options.capabilities ?? NO_CAPS
  }
  if (expectsResponse !== undefined) r.expectsResponse = expectsResponse
  if (options.metadata !== undefined) r.metadata = options.metadata
  return r
}

/** A response with `body`. */
export const response = (body: Uint8Array = EMPTY, options: MessageOptions = {}): Response => {
  const r: { -readonly [K in keyof Response]: Response[K] } = {
    inherit: options.inherit ?? false,
    body,
    capabilities: options.capabilities ?? NO_CAPS
  }
  if (options.metadata !== undefined) r.metadata = options.metadata
  return r
}
