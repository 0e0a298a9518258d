/**
 * The process-lite world's canonical ABI (wit/process-lite.wit), lifted and lowered directly on
 * a light guest's main core module, without jco's generated glue. jco's glue is general (it
 * runs component-model async tasks and resource-borrow checks around every call), and on the
 * in-worker message path it cost more than the guest itself; this world has nine flat imports
 * and two exports, so its binding is small. The loader (LiteProgram.ts) has already checked,
 * with the instrumenter's ABI check, that the main module imports nothing else and exports
 * `init`, `handle` and `cabi_realloc` with these signatures.
 *
 * Canonical ABI rules used (component-model CanonicalABI.md): strings are UTF-8 (ptr, len); a
 * list<u8> is (ptr, len); a list<capability> is (ptr, n) of 16-byte records {issuer ptr, len,
 * params ptr, len}; values passed in are allocated through the guest's `cabi_realloc` (also for
 * length 0, as jco does); `our` and `get-state` return through a return area (string: ptr, len;
 * option<list<u8>>: discriminant byte, then ptr, len at offsets 4 and 8). An access outside
 * linear memory, an option discriminant above 1 or a bad message kind throws, which ends only
 * the calling instance (a trap).
 */

/** The host functions of one instance, with lifted values (LiteWorker.ts hostFor). */
export interface LiteHost {
  printToTerminal(verbosity: number, message: string): void
  our(): string
  getState(): Uint8Array | undefined
  setState(bytes: Uint8Array): void
  clearState(): void
  saveCapabilities(list: Array<{ issuer: string; params: string }>): void
  dropCapabilities(list: Array<{ issuer: string; params: string }>): void
  sendRequest(target: string, body: Uint8Array, timeoutMs: number | undefined, context: Uint8Array, list: Array<{ issuer: string; params: string }>): void
  sendResponse(body: Uint8Array, list: Array<{ issuer: string; params: string }>): void
}

/** The exports of one instance, with values lowered by the binding. `kind`: message-kind index. */
export interface LiteRoot {
  init(our: string): void
  handle(source: string, kind: number, body: Uint8Array, context: Uint8Array, caps: ReadonlyArray<readonly [string, string]>): void
}

/** The import module of the process-lite host interface. */
export const LITE_HOST_MODULE = "cyberkernel:process-lite/host@0.1.0"

const decoder = new TextDecoder()
const encoder = new TextEncoder()

/**
 * Instantiate `main` (the metered core module) with the process-lite imports bound to `host`;
 * runs nothing (the caller sets fuel, then calls `_initialize` if exported, then `init`).
 */
export const instantiateLite = (main: WebAssembly.Module, host: LiteHost): { readonly instance: WebAssembly.Instance; readonly root: LiteRoot } => {
  let memory: WebAssembly.Memory | undefined
  let realloc: ((old: number, oldSize: number, align: number, size: number) => number) | undefined

  const view = (ptr: number, len: number): Uint8Array => {
    const buf = memory!.buffer
    ptr >>>= 0
    len >>>= 0
    if (ptr + len > buf.byteLength) throw new RangeError(`canonical ABI: [${ptr}, ${ptr + len}) is outside linear memory (${buf.byteLength} bytes)`)
    return new Uint8Array(buf, ptr, len)
  }
  const str = (ptr: number, len: number): string => decoder.decode(view(ptr, len))
  const u32 = (at: number): number => {
    const v = view(at, 4)
    return (v[0]! | (v[1]! << 8) | (v[2]! << 16) | (v[3]! << 24)) >>> 0
  }
  const setU32 = (at: number, value: number): void => {
    const v = view(at, 4)
    v[0] = value & 0xff
    v[1] = (value >>> 8) & 0xff
    v[2] = (value >>> 16) & 0xff
    v[3] = (value >>> 24) & 0xff
  }
  const caps = (ptr: number, n: number): Array<{ issuer: string; params: string }> => {
    const out: Array<{ issuer: string; params: string }> = []
    if (n === 0) return out
    view(ptr, n * 16)
    for (let i = 0; i < n; i++) {
      const at = ptr + i * 16
      out.push({ issuer: str(u32(at), u32(at + 4)), params: str(u32(at + 8), u32(at + 12)) })
    }
    return out
  }
  /** Copy `bytes` into guest memory (allocated by the guest); [ptr, len]. */
  const put = (bytes: Uint8Array, align = 1): number => {
    const ptr = realloc!(0, 0, align, bytes.length) >>> 0
    if (bytes.length > 0) view(ptr, bytes.length).set(bytes)
    return ptr
  }

  const imports = {
    "print-to-terminal": (verbosity: number, ptr: number, len: number) => host.printToTerminal(verbosity & 0xff, str(ptr, len)),
    "our": (ret: number) => {
      const b = encoder.encode(host.our())
      const p = put(b)
      setU32(ret, p)
      setU32(ret + 4, b.length)
    },
    "get-state": (ret: number) => {
      const s = host.getState()
      if (s === undefined) return void (view(ret, 1)[0] = 0)
      const p = put(s)
      view(ret, 1)[0] = 1
      setU32(ret + 4, p)
      setU32(ret + 8, s.length)
    },
    "set-state": (ptr: number, len: number) => host.setState(view(ptr, len)),
    "clear-state": () => host.clearState(),
    "save-capabilities": (ptr: number, n: number) => host.saveCapabilities(caps(ptr, n)),
    "drop-capabilities": (ptr: number, n: number) => host.dropCapabilities(caps(ptr, n)),
    "send-request": (tp: number, tl: number, bp: number, bl: number, has: number, timeout: number, cp: number, cl: number, kp: number, kl: number) => {
      if (has !== 0 && has !== 1) throw new RangeError(`canonical ABI: option discriminant ${has}`)
      host.sendRequest(str(tp, tl), view(bp, bl), has === 1 ? timeout >>> 0 : undefined, view(cp, cl), caps(kp, kl))
    },
    "send-response": (bp: number, bl: number, kp: number, kl: number) => host.sendResponse(view(bp, bl), caps(kp, kl))
  }
  const instance = new WebAssembly.Instance(main, { [LITE_HOST_MODULE]: imports })
  const e = instance.exports as Record<string, unknown>
  memory = e.memory as WebAssembly.Memory
  realloc = e.cabi_realloc as typeof realloc
  const init = e.init as (p: number, l: number) => void
  const handle = e.handle as (...a: number[]) => void

  const root: LiteRoot = {
    init(our) {
      const b = encoder.encode(our)
      init(put(b), b.length)
    },
    handle(source, kind, body, context, list) {
      if (!(kind >= 0 && kind <= 3)) throw new RangeError(`message kind ${kind}`)
      const s = encoder.encode(source)
      const sp = put(s)
      const bp = put(body)
      const cp = put(context)
      // the record array first (the guest frees it), then each string
      const kp = realloc!(0, 0, 4, list.length * 16) >>> 0
      for (let i = 0; i < list.length; i++) {
        const issuer = encoder.encode(list[i]![0])
        const params = encoder.encode(list[i]![1])
        const ip = put(issuer)
        const pp = put(params)
        const at = kp + i * 16
        setU32(at, ip)
        setU32(at + 4, issuer.length)
        setU32(at + 8, pp)
        setU32(at + 12, params.length)
      }
      handle(sp, s.length, kind, bp, body.length, cp, context.length, kp, list.length)
    }
  }
  return { instance, root }
}
