/**
 * Installing a package from the node that publishes it (`cyberkernel package install name:publisher`):
 *
 * 1. the chain names the package: name `<name>.<publisher>` with `~package-hash` (sha256 of the zip)
 *    and `~package-node` (the serving node), read through a {@link NameRecordReader};
 * 2. the serving node's record (`~net-key`, `~ip`, `~tcp-port`) gives its dial address
 *    (node/network/PeerDirectory.ts dialAddressOf), so Noise refuses a listener with another key;
 * 3. the zip comes over `/cyberkernel/package/1` (node/network/protocols/packages.ts), bounded by
 *    `maxBytes`;
 * 4. its sha256 must equal the chain's `~package-hash` and its manifest must be the package asked
 *    for: otherwise the download is refused ({@link PeerInstallError}) and nothing is written;
 * 5. it is installed as a local zip is (Installer.install: approval of its capabilities).
 *
 * The names reader decides whom the chain answer is trusted from (the local app, or a chain RPC:
 * modules/names/NodeRecord.ts); the serving peer is trusted for nothing: its bytes are checked.
 *
 * Source: Hyperware app store install (download from the publisher's node, hash checked against
 * Hypermap's `~metadata-hash`); docs/names.md "Packages from a peer".
 */
import { noise } from "@chainsafe/libp2p-noise"
import { yamux } from "@chainsafe/libp2p-yamux"
import { tcp } from "@libp2p/tcp"
import { Data } from "effect"
import { createLibp2p, type Libp2p } from "libp2p"
import { equalBytes, sha256, toHex } from "../lib/Bytes.ts"
import { NoteKey, packageName } from "../modules/names/NameRules.ts"
import type { NameRecordReader, NodeRecordReader } from "../modules/names/NodeRecord.ts"
import { noteText } from "../modules/names/NoteValue.ts"
import { dialAddressOf } from "../node/network/PeerDirectory.ts"
import { fetchPackage, PackageFetchError } from "../node/network/protocols/packages.ts"
import type { ApprovalRequest, InstalledPackage, InstallProgress, Installer } from "./Installer.ts"
import { type PackageContents, readPackage } from "./Package.ts"

/** Why a package cannot be installed from a peer (nothing was installed). */
export class PeerInstallError extends Data.TaggedError("PeerInstallError")<{ readonly package: string; readonly reason: string }> {
  override get message(): string {
    return `${this.package}: ${this.reason}`
  }
}

/** Where a download looks things up and fetches from. */
export interface PeerSource {
  /** Names with notes (the package's listing). */
  readonly names: NameRecordReader
  /** Node records (the serving node's key and address). */
  readonly nodes: NodeRecordReader
  /** A started libp2p node to dial from. */
  readonly libp2p: Libp2p
  /** Most bytes of zip accepted (default: the protocol's 32 MiB). */
  readonly maxBytes?: number
  readonly timeoutMs?: number
}

/** A checked download: the zip, its hash (equal to the chain's) and the node it came from. */
export interface Download {
  readonly zip: Uint8Array
  readonly hash: Uint8Array
  readonly node: string
  readonly contents: PackageContents
}

/** Download package `id` (`name:publisher`) from its publishing node and check it against the chain. Throws PeerInstallError. */
export const downloadPackage = async (id: string, src: PeerSource): Promise<Download> => {
  const fail = (reason: string) => new PeerInstallError({ package: id.slice(0, 300), reason })
  let name: string
  try {
    name = packageName(id)
  } catch (e) {
    throw fail((e as { log?: string }).log ?? String(e))
  }
  const record = await src.names(name).catch((e) => Promise.reject(fail((e as Error).message)))
  if (!record) throw fail(`not published: the chain has no name ${name}`)
  const note = (k: string) => record.notes.find((n) => n.key === k)?.value
  const hash = note(NoteKey.packageHash)
  const nodeNote = note(NoteKey.packageNode)
  if (!hash || hash.length !== 32) throw fail(`not published: ${name} has no ${NoteKey.packageHash} note`)
  if (!nodeNote) throw fail(`not published: ${name} has no ${NoteKey.packageNode} note`)
  const node = noteText(nodeNote)
  const nodeRecord = await src.nodes(node).catch((e) => Promise.reject(fail((e as Error).message)))
  if (!nodeRecord) throw fail(`the serving node ${node} is not a registered name`)
  const addr = dialAddressOf(nodeRecord)
  if (!addr) throw fail(`the serving node ${node} publishes no ~net-key, ~ip and ~tcp-port to dial`)
  let zip: Uint8Array
  try {
    zip = await fetchPackage(src.libp2p, addr, id, { ...(src.maxBytes !== undefined ? { maxBytes: src.maxBytes } : {}), ...(src.timeoutMs !== undefined ? { timeoutMs: src.timeoutMs } : {}) })
  } catch (e) {
    throw fail(e instanceof PackageFetchError ? `download from ${node} failed: ${e.reason}` : String(e))
  }
  const got = sha256(zip)
  if (!equalBytes(got, hash)) {
    throw fail(`download from ${node} refused: its sha256 ${toHex(got)} differs from the chain's ${NoteKey.packageHash} ${toHex(hash)} (tampered or stale); nothing installed`)
  }
  let contents: PackageContents
  try {
    contents = readPackage(zip)
  } catch (e) {
    throw fail(`download from ${node} is not a valid package: ${(e as Error).message}`)
  }
  if (contents.id !== id) throw fail(`download from ${node} is package ${contents.id}, not ${id}; nothing installed`)
  return { zip, hash, node, contents }
}

/**
 * Download `id` from its publishing node (see {@link downloadPackage}) and install it with
 * `installer` (asks `approve`; InstallError when refused or already installed).
 */
export const installFromPeer = async (
  installer: Installer,
  id: string,
  src: PeerSource,
  approve: (requested: ApprovalRequest, pkg: PackageContents) => boolean | Promise<boolean>,
  onProgress?: (written: InstallProgress, total: InstallProgress) => void
): Promise<InstalledPackage & { readonly from: string; readonly hash: string }> => {
  const d = await downloadPackage(id, src)
  const p = await installer.install(d.zip, approve, onProgress)
  return { ...p, from: d.node, hash: toHex(d.hash) }
}

/**
 * Run `f` with a short-lived libp2p node that only dials (TCP, Noise, yamux; a fresh identity: a
 * package server does not authenticate askers). Stopped when `f` settles.
 */
export const withDialer = async <A>(f: (libp2p: Libp2p) => Promise<A>): Promise<A> => {
  const libp2p = await createLibp2p({ transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
  try {
    return await f(libp2p as unknown as Libp2p)
  } finally {
    await Promise.resolve().then(() => libp2p.stop()).catch(() => undefined)
  }
}
