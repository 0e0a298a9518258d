// CyberKernel light-guest SDK for AssemblyScript: the process-lite world (wit/process-lite.wit)
// with its canonical ABI lifted and lowered by hand. A process:
//
//   import { Message, onMessage, sendResponse, stringToBytes } from "../assembly"
//   export { cabi_realloc, init, handle } from "../assembly"
//   onMessage((m: Message): void => { sendResponse(stringToBytes("pong")) })
//
// Built by build.ts (asc, then jco componentEmbed + componentNew) into a component. The host
// calls `handle` once per message; nothing blocks, so many instances share one worker.
// Canonical ABI (component-model CanonicalABI.md): a string or list is (ptr, len) in linear memory;
// lists the host passes in are allocated through `cabi_realloc` (heap.alloc, outside the GC) and
// freed here once copied; results of more than one flat value come back through a return area.

// ---- imports (flattened signatures) ----

// @ts-ignore: decorator
@external("cyberkernel:process-lite/host@0.1.0", "print-to-terminal")
declare function _print(verbosity: i32, ptr: usize, len: usize): void
// @ts-ignore: decorator
@external("cyberkernel:process-lite/host@0.1.0", "our")
declare function _our(ret: usize): void
// @ts-ignore: decorator
@external("cyberkernel:process-lite/host@0.1.0", "get-state")
declare function _getState(ret: usize): void
// @ts-ignore: decorator
@external("cyberkernel:process-lite/host@0.1.0", "set-state")
declare function _setState(ptr: usize, len: usize): void
// @ts-ignore: decorator
@external("cyberkernel:process-lite/host@0.1.0", "clear-state")
declare function _clearState(): void
// @ts-ignore: decorator
@external("cyberkernel:process-lite/host@0.1.0", "save-capabilities")
declare function _saveCapabilities(ptr: usize, len: usize): void
// @ts-ignore: decorator
@external("cyberkernel:process-lite/host@0.1.0", "drop-capabilities")
declare function _dropCapabilities(ptr: usize, len: usize): void
// @ts-ignore: decorator
@external("cyberkernel:process-lite/host@0.1.0", "send-request")
declare function _sendRequest(tptr: usize, tlen: usize, bptr: usize, blen: usize, hasTimeout: i32, timeout: u32, cptr: usize, clen: usize, kptr: usize, klen: usize): void
// @ts-ignore: decorator
@external("cyberkernel:process-lite/host@0.1.0", "send-response")
declare function _sendResponse(bptr: usize, blen: usize, kptr: usize, klen: usize): void

// ---- memory ----

const RET: usize = memory.data(16)

/** Allocator export the host uses to pass strings and lists in (canonical ABI `cabi_realloc`). */
export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (old == 0) return heap.alloc(newSize == 0 ? 1 : newSize)
  return heap.realloc(old, newSize == 0 ? 1 : newSize)
}

function release(ptr: usize): void {
  if (ptr != 0) heap.free(ptr)
}

/** Copy a host-allocated list<u8> into a managed array and free it. */
function takeBytes(ptr: usize, len: usize): Uint8Array {
  const out = new Uint8Array(<i32>len)
  if (len > 0) memory.copy(out.dataStart, ptr, len)
  release(ptr)
  return out
}

/** Copy a host-allocated string into a managed string and free it. */
function takeString(ptr: usize, len: usize): string {
  const s = len > 0 ? String.UTF8.decodeUnsafe(ptr, len) : ""
  release(ptr)
  return s
}

/** UTF-8 bytes of a string. */
export function stringToBytes(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s))
}

/** The string of UTF-8 bytes. */
export function bytesToString(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, b.length)
}

// ---- types ----

/** An unforgeable right: issuer address (`node@process:package:publisher`) and canonical JSON params. */
export class Capability {
  constructor(public issuer: string, public params: string) {}
}

/** message-kind: a request, a response, or the failure of a request sent with sendRequest. */
export const REQUEST: i32 = 0
export const RESPONSE: i32 = 1
export const OFFLINE: i32 = 2
export const TIMEOUT: i32 = 3

/** What `handle` is given. */
export class Message {
  constructor(
    public source: string,
    public kind: i32,
    public body: Uint8Array,
    public context: Uint8Array,
    public capabilities: Capability[]
  ) {}

  /** The body as UTF-8 text. */
  text(): string {
    return bytesToString(this.body)
  }
}

/** Lowered list<capability>: 16-byte elements {issuer ptr, len, params ptr, len}; `keep` holds the strings alive. */
class CapList {
  ptr: usize = 0
  len: usize = 0
  keep: ArrayBuffer[] = []
  buf: ArrayBuffer | null = null
  constructor(caps: Capability[]) {
    const n = caps.length
    this.len = n
    if (n > 0) this.fill(caps)
  }

  private fill(caps: Capability[]): void {
    const n = caps.length
    const buf = new ArrayBuffer(n * 16)
    this.buf = buf
    const base = changetype<usize>(buf)
    for (let i = 0; i < n; i++) {
      const issuer = String.UTF8.encode(caps[i].issuer)
      const params = String.UTF8.encode(caps[i].params)
      this.keep.push(issuer)
      this.keep.push(params)
      store<u32>(base + i * 16, <u32>changetype<usize>(issuer))
      store<u32>(base + i * 16, <u32>issuer.byteLength, 4)
      store<u32>(base + i * 16, <u32>changetype<usize>(params), 8)
      store<u32>(base + i * 16, <u32>params.byteLength, 12)
    }
    this.ptr = base
  }
}

function liftCaps(ptr: usize, len: usize): Capability[] {
  const out = new Array<Capability>(0)
  for (let i: usize = 0; i < len; i++) {
    const at = ptr + i * 16
    out.push(new Capability(takeString(load<u32>(at), load<u32>(at, 4)), takeString(load<u32>(at, 8), load<u32>(at, 12))))
  }
  release(ptr)
  return out
}

// ---- syscalls ----

/** print-to-terminal. */
export function print(verbosity: i32, message: string): void {
  const b = String.UTF8.encode(message)
  _print(verbosity, changetype<usize>(b), b.byteLength)
}

/** The caller's address. */
export function our(): string {
  _our(RET)
  return takeString(load<u32>(RET), load<u32>(RET, 4))
}

/** The process's state bytes, or null. */
export function getState(): Uint8Array | null {
  _getState(RET)
  if (load<u8>(RET) == 0) return null
  return takeBytes(load<u32>(RET, 4), load<u32>(RET, 8))
}

export function setState(bytes: Uint8Array): void {
  _setState(bytes.dataStart, bytes.length)
}

export function clearState(): void {
  _clearState()
}

/** Keep capabilities received in a message. */
export function saveCapabilities(caps: Capability[]): void {
  const l = new CapList(caps)
  _saveCapabilities(l.ptr, l.len)
}

export function dropCapabilities(caps: Capability[]): void {
  const l = new CapList(caps)
  _dropCapabilities(l.ptr, l.len)
}

/**
 * Send a request to `target` (an address in text form). `timeoutMs` < 0: no response expected;
 * otherwise the response or failure comes back through the message handler with `context`.
 */
export function sendRequest(target: string, body: Uint8Array, timeoutMs: i32 = -1, context: Uint8Array = new Uint8Array(0), caps: Capability[] = []): void {
  const t = String.UTF8.encode(target)
  const l = new CapList(caps)
  _sendRequest(changetype<usize>(t), t.byteLength, body.dataStart, body.length, timeoutMs < 0 ? 0 : 1, timeoutMs < 0 ? 0 : <u32>timeoutMs, context.dataStart, context.length, l.ptr, l.len)
}

/** Answer the request being handled. */
export function sendResponse(body: Uint8Array, caps: Capability[] = []): void {
  const l = new CapList(caps)
  _sendResponse(body.dataStart, body.length, l.ptr, l.len)
}

// ---- entry points ----

let messageHandler: ((m: Message) => void) | null = null
let initHandler: ((our: string) => void) | null = null

/** Register the message handler (call at top level). */
export function onMessage(f: (m: Message) => void): void {
  messageHandler = f
}

/** Register the init handler (call at top level); optional. */
export function onInit(f: (our: string) => void): void {
  initHandler = f
}

/** Export `init` (re-export from the program). */
export function init(ptr: usize, len: usize): void {
  const s = takeString(ptr, len)
  const f = initHandler
  if (f != null) f(s)
}

/** Export `handle` (re-export from the program). */
export function handle(sptr: usize, slen: usize, kind: i32, bptr: usize, blen: usize, cptr: usize, clen: usize, kptr: usize, klen: usize): void {
  const m = new Message(takeString(sptr, slen), kind, takeBytes(bptr, blen), takeBytes(cptr, clen), liftCaps(kptr, klen))
  const f = messageHandler
  if (f != null) f(m)
}

/** abort routed here (asc `--use abort=`): a trap that ends only this process. */
// Nothing is allocated here: the abort may come from an allocation that failed.
export function processAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  unreachable()
}
