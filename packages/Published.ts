/**
 * The packages a node publishes: zips kept under `<home>/packages/published/<name>@<publisher>.zip`
 * and listed on chain as the name `<name>.<publisher>` with notes `~package-hash` (sha256 of the
 * zip) and `~package-node` (the serving node's name) (modules/names/NameRules.ts). The node serves
 * a zip over `/cyberkernel/package/1` (node/network/protocols/packages.ts) only when it holds the
 * file AND its sha256 equals the chain's `~package-hash` AND the chain names this node in
 * `~package-node`: an unpublished, replaced or foreign zip is never handed out.
 *
 * Source: Hyperware app store (a listing on Hypermap with `~metadata-hash`, served by the publisher's
 * node); docs/names.md "Packages from a peer".
 */
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { equalBytes, sha256 } from "../lib/Bytes.ts"
import { NoteKey, packageName } from "../modules/names/NameRules.ts"
import type { NameRecordReader } from "../modules/names/NodeRecord.ts"
import { noteText } from "../modules/names/NoteValue.ts"
import { DEFAULT_MAX_PACKAGE_BYTES, type PackageLookup } from "../node/network/protocols/packages.ts"
import { readPackage } from "./Package.ts"

/** The folder of published zips of a home. */
export const publishedDir = (home: string): string => join(home, "packages", "published")

/** Where the zip of package `id` (`name:publisher`) is kept when published. */
export const publishedPath = (home: string, id: string): string => join(publishedDir(home), `${id.replace(":", "@")}.zip`)

/** A zip made ready to publish: its package id, chain name and sha256. */
export interface PublishedZip {
  readonly id: string
  /** The names-machine name of the package (`name.publisher`). */
  readonly name: string
  /** sha256 of the zip (the `~package-hash` note). */
  readonly hash: Uint8Array
  readonly path: string
}

/**
 * Check `zip` (Package.ts readPackage: ManifestError naming the bad field) and keep it under the
 * home's published folder (replacing an earlier version). The chain notes are the caller's to send.
 */
export const keepPublished = async (home: string, zip: Uint8Array): Promise<PublishedZip> => {
  const pkg = readPackage(zip)
  const name = packageName(pkg.id)
  const path = publishedPath(home, pkg.id)
  await mkdir(publishedDir(home), { recursive: true })
  await writeFile(`${path}.tmp`, zip)
  await rename(`${path}.tmp`, path)
  return { id: pkg.id, name, hash: sha256(zip), path }
}

/**
 * The lookup the package protocol serves from: the zip of `id` when this node holds it, the chain
 * lists its sha256 as `~package-hash` and names `our` as `~package-node`; undefined otherwise.
 * Zips over `maxBytes` are not served.
 */
export const publishedLookup = (home: string, names: NameRecordReader, our: string, maxBytes = DEFAULT_MAX_PACKAGE_BYTES): PackageLookup => async (id) => {
  let name: string
  try {
    name = packageName(id)
  } catch {
    return undefined
  }
  const path = publishedPath(home, id)
  const size = await stat(path).then((s) => (s.isFile() ? s.size : -1), () => -1)
  if (size < 0 || size > maxBytes) return undefined
  const record = await names(name)
  const note = (k: string) => record?.notes.find((n) => n.key === k)?.value
  const hash = note(NoteKey.packageHash)
  const node = note(NoteKey.packageNode)
  if (!hash || !node || noteText(node) !== our) return undefined
  const zip = new Uint8Array(await readFile(path))
  return equalBytes(sha256(zip), hash) ? zip : undefined
}
