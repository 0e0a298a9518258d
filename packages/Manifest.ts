/**
 * The package format: a zip holding `pkg/manifest.json` (Hyperware's format), `pkg/metadata.json`
 * (the package id) and the `.wasm` components the manifest names.
 *
 * manifest.json is an array of process entries (hyperware-ai/hyperware, e.g.
 * hyperware/packages/app-store/pkg/manifest.json):
 * ```json
 * [{ "process_name": "svc", "process_wasm_path": "/svc.wasm", "on_exit": "Restart",
 *    "request_networking": false,
 *    "request_capabilities": ["kv:distro:sys", {"process": "vfs:distro:sys", "params": {"root": true}}],
 *    "grant_capabilities": ["other:pkg:pub"], "public": true }]
 * ```
 * - `on_exit`: `"None"`, `"Restart"` (backoff 1 s doubling to 60 s), `{"Restart": {"initial_ms", "max_ms"}}`
 *   (our extension), or `{"Requests": [{"target": "node@p:k:u" | "p:k:u", "body": <json>}]}` (our
 *   spelling of Hyperware's request list);
 * - a capability is a process id string (its messaging capability) or `{process, params}`
 *   (params: any JSON, kept as canonical JSON text);
 * - `request_capabilities` are issued to the process; `grant_capabilities` give the listed
 *   processes a capability issued by this process.
 * - `pipeline` (optional, our extension, light guests only): messages handed to the guest ahead of
 *   the one it handles, 1 to 256 (kernel/userspace/LitePool.ts LiteOptions.pipeline); absent: 1.
 * metadata.json: `{"properties": {"package_name", "publisher"}}` as Hyperware's.
 *
 * Every decode error is a `ManifestError` whose `field` names the bad field (e.g.
 * `manifest.json[0].process_wasm_path`).
 */
import { Data, Schema } from "effect"

/** A malformed package: `field` names what is wrong (a zip entry or a JSON path). */
export class ManifestError extends Data.TaggedError("ManifestError")<{ readonly field: string; readonly reason: string }> {
  override get message(): string {
    return `${this.field}: ${this.reason}`
  }
}

const ProcessIdText = Schema.String.check(Schema.isPattern(/^[a-z0-9-]+:[a-z0-9-]+:[a-z0-9.-]+$/))
const CapabilitySpec = Schema.Union([
  ProcessIdText,
  Schema.Struct({ process: ProcessIdText, params: Schema.Unknown })
])
const OnExitSpec = Schema.Union([
  Schema.Literals(["None", "Restart"]),
  Schema.Struct({
    Restart: Schema.Struct({ initial_ms: Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 0xffff_ffff })), max_ms: Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 0xffff_ffff })) })
  }),
  Schema.Struct({
    Requests: Schema.Array(Schema.Struct({ target: Schema.String, body: Schema.Unknown }))
  })
])

/** One process of a manifest. */
export const ManifestEntry = Schema.Struct({
  process_name: Schema.String.check(Schema.isPattern(/^[a-z0-9-]+$/)),
  process_wasm_path: Schema.String.check(Schema.isPattern(/^\/?[A-Za-z0-9._/-]+\.wasm$/)),
  on_exit: OnExitSpec,
  request_networking: Schema.Boolean,
  request_capabilities: Schema.Array(CapabilitySpec),
  grant_capabilities: Schema.Array(CapabilitySpec),
  public: Schema.Boolean,
  /** Light guests only: messages handed to the guest ahead of the one it handles (LiteOptions.pipeline), 1 to 256; absent: 1. */
  pipeline: Schema.optional(Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 256 })))
})
export type ManifestEntry = typeof ManifestEntry.Type

/** manifest.json: a non-empty array of process entries. */
export const Manifest = Schema.NonEmptyArray(ManifestEntry)
export type Manifest = typeof Manifest.Type

/** metadata.json (the part we read). */
export const Metadata = Schema.Struct({
  properties: Schema.Struct({
    package_name: Schema.String.check(Schema.isPattern(/^[a-z0-9-]+$/)),
    publisher: Schema.String.check(Schema.isPattern(/^[a-z0-9.-]+$/))
  })
})
export type Metadata = typeof Metadata.Type

/** Decode `text` (a JSON file named `file`) with `schema`, or ManifestError naming the field. */
export const decodeJsonFile = <S extends Schema.Top>(file: string, schema: S, text: string): S["Type"] => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new ManifestError({ field: file, reason: `not JSON: ${e instanceof Error ? e.message : String(e)}` })
  }
  try {
    return Schema.decodeUnknownSync(schema as never)(json) as S["Type"]
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    // "Expected string\n  at [0]["process_wasm_path"]" → manifest.json[0].process_wasm_path
    const at = /at (\[.*\])\s*$/m.exec(message)?.[1] ?? ""
    const path = [...at.matchAll(/\[("?)([^"\]]*)\1\]/g)].map((m) => (m[1] === '"' ? `.${m[2]}` : `[${m[2]}]`)).join("")
    throw new ManifestError({ field: `${file}${path}`, reason: message.split("\n")[0]! })
  }
}
