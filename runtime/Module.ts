/**
 * Runtime modules: native processes (`<name>:distro:sys`) that userspace processes call with
 * JSON request bodies. Each module publishes the Schema of its requests; a body that does not
 * decode gets `{"error": {"tag": "InvalidRequest", "message": ...}}` naming the bad field, and
 * the module keeps serving. A success is `{"ok": <value>}`.
 *
 * Handlers may return a promise: the module answers when it settles (through `pending()` and
 * `respondTo`), so one slow request does not hold the module's mailbox.
 */
import { Schema } from "effect"
import type { Address, ProcessId } from "../kernel/Address.ts"
import { response } from "../kernel/Message.ts"
import type { Request } from "../kernel/Message.ts"
import type { NativeProcess, ProcessContext } from "../kernel/Process.ts"
import type { LazyLoadBlob } from "../kernel/Message.ts"

/** The id of runtime module `name`: `name:distro:sys`. */
export const runtimeId = (name: string): ProcessId => ({ processName: name, packageName: "distro", publisherNode: "sys" })

/** A refusal a module answers with (`{"error": {tag, message}}`). */
export class ModuleError extends Error {
  readonly tag: string
  constructor(tag: string, message: string) {
    super(message)
    this.tag = tag
  }
}

/** The package a source belongs to: `package:publisher`. */
export const packageOf = (a: Address): string => `${a.process.packageName}:${a.process.publisherNode}`

const enc = new TextEncoder()
const dec = new TextDecoder()

/** Encode a module answer (tests and callers decode with `decodeAnswer`). */
export const answer = (v: { readonly ok: unknown } | { readonly error: { readonly tag: string; readonly message: string } }): Uint8Array =>
  enc.encode(JSON.stringify(v))

/** Decode a module's answer body. */
export const decodeAnswer = (body: Uint8Array): { ok?: unknown; error?: { tag: string; message: string } } => JSON.parse(dec.decode(body))

/** A JSON request body for a module. */
export const body = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v))

/** Returned by a handler that answers later itself (through `ctx.pending()` / `respondTo`). */
export const DEFER: unique symbol = Symbol("runtime/DEFER")

/** What a module's handler gets. */
export interface Call<R> {
  readonly ctx: ProcessContext
  readonly source: Address
  readonly req: R
  readonly request: Request
  readonly blob: LazyLoadBlob | undefined
}

/**
 * A runtime module from a request Schema and a handler. The handler's value (or its promise's)
 * is the `ok` answer; a thrown ModuleError (or rejection) is the `error` answer.
 */
export const jsonModule = <S extends Schema.Top>(
  schema: S,
  handle: (call: Call<S["Type"]>) => unknown,
  hooks: { init?: (ctx: ProcessContext) => void | Promise<void>; terminate?: () => void } = {}
): NativeProcess => {
  const decode = Schema.decodeUnknownSync(schema as never) as (u: unknown) => S["Type"]
  const fail = (e: unknown): Uint8Array =>
    answer({
      error: e instanceof ModuleError ? { tag: e.tag, message: e.message } : { tag: "Failed", message: e instanceof Error ? e.message : String(e) }
    })
  const process: NativeProcess = {
    onRequest(ctx, source, request, blob) {
      let req: S["Type"]
      try {
        req = decode(JSON.parse(dec.decode(request.body)))
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e)
        if (request.expectsResponse !== undefined) ctx.respond(response(answer({ error: { tag: "InvalidRequest", message } })))
        return
      }
      let r: unknown
      try {
        r = handle({ ctx, source, req, request, blob })
      } catch (e) {
        if (request.expectsResponse !== undefined) ctx.respond(response(fail(e)))
        return
      }
      if (r === DEFER) return
      if (r instanceof Promise) {
        const p = ctx.pending()
        r.then(
          (v) => p !== undefined && ctx.respondTo(p, response(answer({ ok: v ?? null }))),
          (e: unknown) => p !== undefined && ctx.respondTo(p, response(fail(e)))
        )
        return
      }
      if (request.expectsResponse !== undefined) ctx.respond(response(answer({ ok: r ?? null })))
    }
  }
  if (hooks.init !== undefined) process.init = hooks.init
  if (hooks.terminate !== undefined) process.terminate = hooks.terminate
  return process
}
