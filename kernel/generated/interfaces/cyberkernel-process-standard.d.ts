/** @module Interface cyberkernel:process/standard@0.1.0 **/
/**
 * System utils
 */
export function printToTerminal(verbosity: number, message: string): void;
/**
 * The address of the calling process.
 */
export function our(): Address;
/**
 * Process management
 */
export function getOnExit(): OnExit;
export function setOnExit(onExit: OnExit): void;
export function getState(): Uint8Array | undefined;
export function setState(bytes: Uint8Array): void;
export function clearState(): void;
export function spawn(name: string | undefined, wasmPath: string, onExit: OnExit, requestCapabilities: Array<Capability>, grantCapabilities: Array<[ProcessId, Json]>, public_: boolean): ProcessId;
/**
 * Capabilities management
 * Keep the given capabilities (received in messages) in the caller's table.
 */
export function saveCapabilities(caps: Array<Capability>): void;
/**
 * Remove the given capabilities from the caller's table.
 */
export function dropCapabilities(caps: Array<Capability>): void;
/**
 * The capabilities the caller holds.
 */
export function ourCapabilities(): Array<Capability>;
/**
 * Message I/O
 * The next message and its source, or a send error with its request's context.
 */
export function receive(): [Address, Message];
export function hasBlob(): boolean;
export function getBlob(): LazyLoadBlob | undefined;
export function lastBlob(): LazyLoadBlob | undefined;
export function sendRequest(target: Address, request: Request, context: Context | undefined, lazyLoadBlob: LazyLoadBlob | undefined): void;
export function sendRequests(requests: Array<[Address, Request, Context | undefined, LazyLoadBlob | undefined]>): void;
/**
 * Respond to the request currently being handled.
 */
export function sendResponse(response: Response, lazyLoadBlob: LazyLoadBlob | undefined): void;
/**
 * Send one request and block until its response (always a response message) or error.
 */
export function sendAndAwaitResponse(target: Address, request: Request, lazyLoadBlob: LazyLoadBlob | undefined): [Address, Message];
/**
 * JSON passed over the Wasm boundary as a string (canonical JSON in capabilities).
 */
export type Json = string;
/**
 * A node's name, e.g. "alice.os"; letters a-z, digits, `-` and `.`.
 */
export type NodeId = string;
/**
 * Opaque bytes a requester keeps with an outstanding request and gets back with its
 * response (or with the send error), to "contextualize" that response.
 */
export type Context = Uint8Array;
/**
 * `process:package:publisher`.
 */
export interface ProcessId {
  processName: string,
  packageName: string,
  publisherNode: NodeId,
}
/**
 * `package:publisher`.
 */
export interface PackageId {
  packageName: string,
  publisherNode: NodeId,
}
/**
 * `node@process:package:publisher`.
 */
export interface Address {
  node: NodeId,
  process: ProcessId,
}
/**
 * A message's optional large payload, read only when asked for (get-blob).
 */
export interface LazyLoadBlob {
  mime?: string,
  bytes: Uint8Array,
}
/**
 * An unforgeable right, issued (and signed, inside the kernel) by the kernel on behalf
 * of `issuer`; `params` is canonical JSON, e.g. "\"messaging\"" or "{\"mint\":true}".
 */
export interface Capability {
  issuer: Address,
  params: Json,
}
export interface Request {
  /**
   * Inherit the lazy-load-blob of the message being handled, and when
   * expects-response is none, route the eventual response to its source.
   */
  inherit: boolean,
  /**
   * Some: the request expects a response within this many milliseconds.
   */
  expectsResponse?: number,
  body: Uint8Array,
  metadata?: Json,
  capabilities: Array<Capability>,
}
export interface Response {
  inherit: boolean,
  body: Uint8Array,
  metadata?: Json,
  capabilities: Array<Capability>,
}
/**
 * A request, or a response together with the context its request was sent with.
 */
export type Message = MessageRequest | MessageResponse;
export interface MessageRequest {
  tag: 'request',
  val: Request,
}
export interface MessageResponse {
  tag: 'response',
  val: [Response, Context | undefined],
}
/**
 * Exponential backoff for restarts: delay = min(max-ms, initial-ms * 2^attempt).
 */
export interface RestartBackoff {
  initialMs: number,
  maxMs: number,
}
/**
 * What happens when a process ends (crashes or returns).
 */
export type OnExit = OnExitNone | OnExitRestart | OnExitRequests;
export interface OnExitNone {
  tag: 'none',
}
export interface OnExitRestart {
  tag: 'restart',
  val: RestartBackoff,
}
export interface OnExitRequests {
  tag: 'requests',
  val: Array<[Address, Request, LazyLoadBlob | undefined]>,
}
/**
 * # Variants
 * 
 * ## `"offline"`
 * 
 * The target process does not exist, was killed, or its node is unreachable.
 * ## `"timeout"`
 * 
 * No response came within expects-response milliseconds.
 */
export type SendErrorKind = 'offline' | 'timeout';
/**
 * A message that could not be delivered, given back to its sender.
 */
export interface SendError {
  kind: SendErrorKind,
  target: Address,
  message: Message,
  lazyLoadBlob?: LazyLoadBlob,
}
/**
 * # Variants
 * 
 * ## `"name-taken"`
 * 
 * ## `"no-file-at-path"`
 */
export type SpawnError = 'name-taken' | 'no-file-at-path';
