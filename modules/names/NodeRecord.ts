/**
 * A node's network record as the `names` machine publishes it, and the readers that fetch it: what
 * the network service's PeerDirectory (node/network/PeerDirectory.ts) resolves a node name to.
 * The record is built from the name's notes: `~net-key` (32-byte ed25519 public key, the node's
 * libp2p identity), `~ip` (IPv4/IPv6 text), `~tcp-port` and `~routers` (NameRules.ts).
 *
 * Two readers, one shape (`(name) => Promise<NodeRecord | undefined>`, undefined when the chain has
 * no such name):
 * - {@link appNodeRecords}: the local application's ABCI query (a node that runs or replicates the
 *   chain); the answer is this node's own committed state.
 * - {@link rpcNodeRecords}: a chain RPC's `abci_query` (CometBFT URI GET), for a node that does not
 *   run the chain. It TRUSTS that RPC: the answer is not proven against an app hash, so a lying RPC
 *   can point a name at another key (the Noise handshake still refuses a peer whose key differs from
 *   the record it was given).
 * Both throw {@link NamesReadError} when the chain answers with another error or cannot be reached.
 *
 * Source: net-context (issue 14) contract; Hyperware HNS notes; CometBFT RPC `abci_query`.
 */
import { RequestQuery, type ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import { Data } from "effect"
import { NameRecord, QUERY_RESOLVE, QueryResolveRequest } from "./Messages.ts"
import { checkName, NoteKey } from "./NameRules.ts"
import { formatIp, formatPort, noteText } from "./NoteValue.ts"

/** A node's network record (net-context contract). */
export interface NodeRecord {
  /** The node name, e.g. "alice.os". */
  readonly name: string
  /** The bech32 account that owns the name. */
  readonly owner: string
  /** `~net-key`: the node's ed25519 public key (32 bytes), its libp2p peer identity. */
  readonly netKey?: Uint8Array
  /** `~ip`: IPv4 dotted or IPv6 text. */
  readonly ip?: string
  /** `~tcp-port`: 1..65535. */
  readonly tcpPort?: number
  /** `~routers`: names of nodes that relay for this one (empty when none). */
  readonly routers: ReadonlyArray<string>
}

/** Resolving a node record failed: the chain answered with an error, or could not be reached. */
export class NamesReadError extends Data.TaggedError("NamesReadError")<{ readonly name: string; readonly reason: string }> {
  override get message(): string {
    return `cannot resolve name "${this.name}": ${this.reason}`
  }
}

/** A function resolving a node name to its record (undefined: no such name on chain). */
export type NodeRecordReader = (name: string) => Promise<NodeRecord | undefined>

/** The node record of a resolved name (notes the chain checked at write time; others ignored). */
export const nodeRecordOf = (r: NameRecord): NodeRecord => {
  const note = (k: string) => r.notes.find((n) => n.key === k)?.value
  const netKey = note(NoteKey.netKey)
  const ip = note(NoteKey.ip)
  const port = note(NoteKey.tcpPort)
  const routers = note(NoteKey.routers)
  return {
    name: r.name,
    owner: r.owner,
    ...(netKey?.length === 32 ? { netKey } : {}),
    ...(ip && (ip.length === 4 || ip.length === 16) ? { ip: formatIp(ip) } : {}),
    ...(port?.length === 2 ? { tcpPort: formatPort(port) } : {}),
    routers: routers && routers.length > 0 ? noteText(routers).split(",") : []
  }
}

/** names codespace code 4: no such name. */
const NOT_FOUND = 4

const fromResponse = (name: string, code: number, codespace: string, log: string, value: Uint8Array): NameRecord | undefined => {
  if (code === NOT_FOUND && codespace === "names") return undefined
  if (code !== 0) throw new NamesReadError({ name, reason: `query answered code ${code} (${codespace}): ${log}` })
  try {
    return NameRecord.decode(value)
  } catch (e) {
    throw new NamesReadError({ name, reason: `malformed answer: ${(e as Error).message}` })
  }
}

const checked = (name: string): string => {
  try {
    checkName(name)
    return name
  } catch (e) {
    throw new NamesReadError({ name: name.slice(0, 80), reason: (e as Error).message })
  }
}

/** An ABCI application's query entry (chain/Application.ts `query`). */
export interface AbciQueryable {
  query(req: RequestQuery): Promise<ResponseQuery>
}

/** A function resolving a name to its record with notes (undefined: no such name on chain). */
export type NameRecordReader = (name: string) => Promise<NameRecord | undefined>

const nodeRecords = (read: NameRecordReader): NodeRecordReader => async (name) => {
  const r = await read(name)
  return r && nodeRecordOf(r)
}

/** Node records from the local application's committed state (ABCI query `/cyber.names.v1.Query/Resolve`). */
export const appNodeRecords = (app: AbciQueryable): NodeRecordReader => nodeRecords(appNameRecords(app))

/** Name records (with notes) from the local application's committed state. Throws NamesReadError. */
export const appNameRecords = (app: AbciQueryable): NameRecordReader => async (name) => {
  const data = QueryResolveRequest.encode({ name: checked(name) }).finish()
  const res = await app.query(RequestQuery.fromPartial({ path: QUERY_RESOLVE, data, height: 0n, prove: false }))
  return fromResponse(name, res.code, res.codespace, res.log, res.value)
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")

/**
 * Node records from a chain RPC (`http(s)://host:port`, CometBFT `abci_query` over URI GET), trusted
 * as described in the module doc. `timeoutMs` bounds one lookup (default 5000); answers over 1 MiB are refused.
 */
export const rpcNodeRecords = (rpcUrl: string, timeoutMs = 5000): NodeRecordReader => nodeRecords(rpcNameRecords(rpcUrl, timeoutMs))

/** Name records (with notes) from a chain RPC, trusted as {@link rpcNodeRecords} is. Throws NamesReadError. */
export const rpcNameRecords = (rpcUrl: string, timeoutMs = 5000): NameRecordReader => async (name) => {
  const data = QueryResolveRequest.encode({ name: checked(name) }).finish()
  const url = `${rpcUrl.replace(/\/+$/, "")}/abci_query?path=${encodeURIComponent(`"${QUERY_RESOLVE}"`)}&data=0x${hex(data)}`
  let body: { result?: { response?: { code?: number; codespace?: string; log?: string; value?: string | null } }; error?: { message?: string; data?: string } }
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    const text = await res.text()
    if (text.length > 1 << 20) throw new Error(`answer of ${text.length} bytes`)
    body = JSON.parse(text)
  } catch (e) {
    throw new NamesReadError({ name, reason: `chain RPC ${rpcUrl}: ${(e as Error).message}` })
  }
  const r = body.result?.response
  if (!r) throw new NamesReadError({ name, reason: `chain RPC ${rpcUrl}: ${body.error?.data ?? body.error?.message ?? "no response"}` })
  return fromResponse(name, r.code ?? 0, r.codespace ?? "", r.log ?? "", Uint8Array.from(Buffer.from(r.value ?? "", "base64")))
}
