/**
 * Reading a package zip (fflate): `pkg/manifest.json`, `pkg/metadata.json` and the components
 * the manifest names, all checked before anything is written. Errors are ManifestError with the
 * bad field: `zip` (not a zip), `zip:<entry>` (an entry name escaping pkg/), `pkg/manifest.json`
 * (missing), `manifest.json[i].<field>` (bad value, missing component, not a component).
 */
import { unzipSync } from "fflate"
import { canonicalizeJsonText } from "../capabilities/CanonicalJson.ts"
import { parseProcessId, type ProcessId } from "../kernel/Address.ts"
import type { OnExit, Request } from "../kernel/Message.ts"
import { parseAddress } from "../kernel/Address.ts"
import { decodeJsonFile, Manifest, type ManifestEntry, ManifestError, Metadata } from "./Manifest.ts"

/** A capability as the registry stores it: issuer process id text and canonical params. */
export interface CapabilityGrant {
  readonly issuer: string
  readonly params: string
}

/** A decoded, checked package. */
export interface PackageContents {
  /** `package:publisher`. */
  readonly id: string
  readonly packageName: string
  readonly publisher: string
  readonly manifest: Manifest
  /** Files under pkg/ (path relative to pkg/ → bytes). */
  readonly files: ReadonlyMap<string, Uint8Array>
  /** What each process asks for, resolved (for the approval prompt). */
  readonly requested: ReadonlyArray<{ readonly process: string; readonly capabilities: ReadonlyArray<CapabilityGrant>; readonly networking: boolean }>
}

const COMPONENT_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]
const dec = new TextDecoder()

/** A manifest capability as {issuer, params} (a bare process id is its messaging capability). */
export const resolveCapability = (c: ManifestEntry["request_capabilities"][number]): CapabilityGrant =>
  typeof c === "string"
    ? { issuer: c, params: '"messaging"' }
    : { issuer: c.process, params: canonicalizeJsonText(JSON.stringify(c.params ?? null)) }

/** The kernel OnExit of a manifest `on_exit` (Restart: 1 s doubling to 60 s). */
export const resolveOnExit = (o: ManifestEntry["on_exit"], our: string, field: string): OnExit => {
  if (o === "None") return { tag: "none" }
  if (o === "Restart") return { tag: "restart", val: { initialMs: 1000, maxMs: 60_000 } }
  if ("Restart" in o) return { tag: "restart", val: { initialMs: o.Restart.initial_ms, maxMs: o.Restart.max_ms } }
  return {
    tag: "requests",
    val: o.Requests.map((r, i) => {
      let target
      try {
        target = r.target.includes("@") ? parseAddress(r.target, our) : { node: our, process: parseProcessId(r.target) }
      } catch (e) {
        throw new ManifestError({ field: `${field}.on_exit.Requests[${i}].target`, reason: e instanceof Error ? e.message : String(e) })
      }
      const req: Request = { inherit: false, body: new TextEncoder().encode(JSON.stringify(r.body)), capabilities: [] }
      return [target, req, undefined] as [typeof target, Request, undefined]
    })
  }
}

/** `process:package:publisher` of a manifest entry. */
export const entryProcessId = (e: ManifestEntry, packageName: string, publisher: string): ProcessId => ({
  processName: e.process_name,
  packageName,
  publisherNode: publisher
})

/** Read and check a package zip. Throws ManifestError naming the bad field. */
export const readPackage = (zip: Uint8Array): PackageContents => {
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(zip)
  } catch (e) {
    throw new ManifestError({ field: "zip", reason: `not a readable zip: ${e instanceof Error ? e.message : String(e)}` })
  }
  const files = new Map<string, Uint8Array>()
  for (const [name, bytes] of Object.entries(entries)) {
    if (name.endsWith("/")) continue
    if (name.startsWith("/") || name.includes("\\") || name.split("/").some((s) => s === ".." || s === "." || s === "")) {
      throw new ManifestError({ field: `zip:${name}`, reason: "entry name escapes the package" })
    }
    if (!name.startsWith("pkg/")) continue
    files.set(name.slice(4), bytes)
  }
  const manifestBytes = files.get("manifest.json")
  if (manifestBytes === undefined) throw new ManifestError({ field: "pkg/manifest.json", reason: "missing from the zip" })
  const metadataBytes = files.get("metadata.json")
  if (metadataBytes === undefined) throw new ManifestError({ field: "pkg/metadata.json", reason: "missing from the zip" })
  const manifest = decodeJsonFile("manifest.json", Manifest, dec.decode(manifestBytes))
  const metadata = decodeJsonFile("metadata.json", Metadata, dec.decode(metadataBytes))
  const names = new Set<string>()
  manifest.forEach((e, i) => {
    const field = `manifest.json[${i}]`
    if (names.has(e.process_name)) throw new ManifestError({ field: `${field}.process_name`, reason: `duplicate process ${e.process_name}` })
    names.add(e.process_name)
    const path = e.process_wasm_path.replace(/^\//, "")
    if (path.split("/").some((s) => s === ".." || s === "." || s === "")) {
      throw new ManifestError({ field: `${field}.process_wasm_path`, reason: "path escapes the package" })
    }
    const wasm = files.get(path)
    if (wasm === undefined) throw new ManifestError({ field: `${field}.process_wasm_path`, reason: `no file pkg/${path} in the zip` })
    if (!COMPONENT_PREAMBLE.every((b, j) => wasm[j] === b)) {
      throw new ManifestError({ field: `${field}.process_wasm_path`, reason: `pkg/${path} is not a Wasm component` })
    }
    resolveOnExit(e.on_exit, "check.os", field)
  })
  const { package_name: packageName, publisher } = metadata.properties
  return {
    id: `${packageName}:${publisher}`,
    packageName,
    publisher,
    manifest,
    files,
    requested: manifest.map((e) => ({
      process: `${e.process_name}:${packageName}:${publisher}`,
      capabilities: e.request_capabilities.map(resolveCapability),
      networking: e.request_networking
    }))
  }
}
