/**
 * CometBFT v0.38 JSON encodings of RPC results. Two encoders coexist upstream and we follow
 * each where it applies:
 * - cmtjson (libs/json) for rpc/core/types and types.*: int64/uint64/int as decimal strings,
 *   int32/uint32 as numbers, []byte base64, HexBytes uppercase hex, time RFC3339Nano in UTC;
 * - gogoproto jsonpb with EmitDefaults (abci/types/types.go) for ResponseCheckTx, ExecTxResult,
 *   ResponseQuery, EventAttribute: every field present, int64 as strings, bytes base64 (empty
 *   bytes `null`), `proofOps` camelCase.
 *
 * Source: cometbft v0.38 rpc/core/types/responses.go, types/block.go, abci/types/types.go.
 */
import type { Event, ExecTxResult, ResponseCheckTx, ResponseInfo, ResponseQuery, ValidatorUpdate } from "cosmjs-types/tendermint/abci/types"
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import type { BlockID, BlockMeta, Commit, Header } from "cosmjs-types/tendermint/types/types"
import { toHex } from "../../../lib/Bytes.ts"
import type { ValidatorInfo } from "../../../modules/consensus/Consensus.ts"

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** Uppercase hex (CometBFT HexBytes prints upper case): lib/Bytes.ts's `toHex`, upper-cased; "" for undefined. */
export const hexU = (b: Uint8Array | undefined): string => (b === undefined ? "" : toHex(b).toUpperCase())
/** Base64 ([]byte under cmtjson). */
export const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64")
/** Base64, or null for empty bytes (jsonpb of a nil []byte). */
export const b64OrNull = (b: Uint8Array | undefined): string | null => (b === undefined || b.length === 0 ? null : b64(b))

const GO_ZERO_TIME = "0001-01-01T00:00:00Z"

/** RFC 3339 with nanoseconds, trailing zeros trimmed, as Go's time.RFC3339Nano in UTC. */
export const rfc3339Nano = (seconds: bigint, nanos: number): string => {
  const ms = seconds * 1000n
  if (ms < -62135596800000n || ms > 253402300799000n) return GO_ZERO_TIME
  const base = new Date(Number(ms)).toISOString().slice(0, 19)
  const frac = nanos === 0 ? "" : "." + String(nanos).padStart(9, "0").replace(/0+$/, "")
  return `${base}${frac}Z`
}

/** A protobuf Timestamp (undefined = Go's zero time). */
export const timestamp = (t: Timestamp | undefined): string => (t === undefined ? GO_ZERO_TIME : rfc3339Nano(t.seconds, t.nanos))

/** Nanoseconds since the epoch to RFC 3339. */
export const timeFromNs = (ns: bigint): string => {
  const s = ns / 1_000_000_000n
  const n = Number(ns - s * 1_000_000_000n)
  return n < 0 ? rfc3339Nano(s - 1n, n + 1_000_000_000) : rfc3339Nano(s, n)
}

/** types.BlockID: hash and part set header as uppercase hex, total a number (empty when absent). */
export const blockId = (id: BlockID | undefined): Json => ({
  hash: hexU(id?.hash),
  parts: { total: id?.partSetHeader?.total ?? 0, hash: hexU(id?.partSetHeader?.hash) }
})

const consensusVersion = (block: bigint, app: bigint): Json => {
  const out: { [k: string]: Json } = {}
  if (block !== 0n) out.block = String(block)
  if (app !== 0n) out.app = String(app)
  return out
}

/** types.Header under cmtjson. */
export const header = (h: Header): Json => ({
  // version.Consensus fields are omitempty under cmtjson: app version 0 is left out.
  version: consensusVersion(h.version?.block ?? 0n, h.version?.app ?? 0n),
  chain_id: h.chainId,
  height: String(h.height),
  time: timestamp(h.time),
  last_block_id: blockId(h.lastBlockId),
  last_commit_hash: hexU(h.lastCommitHash),
  data_hash: hexU(h.dataHash),
  validators_hash: hexU(h.validatorsHash),
  next_validators_hash: hexU(h.nextValidatorsHash),
  consensus_hash: hexU(h.consensusHash),
  app_hash: hexU(h.appHash),
  last_results_hash: hexU(h.lastResultsHash),
  evidence_hash: hexU(h.evidenceHash),
  proposer_address: hexU(h.proposerAddress)
})

/** types.Commit: height string, round number, signatures with flag, address hex, time, base64 signature. */
export const commit = (c: Commit): Json => ({
  height: String(c.height),
  round: c.round,
  block_id: blockId(c.blockId),
  signatures: c.signatures.map((s) => ({
    block_id_flag: s.blockIdFlag,
    validator_address: hexU(s.validatorAddress),
    timestamp: timestamp(s.timestamp),
    signature: b64OrNull(s.signature)
  }))
})

/** types.BlockMeta (blockchain). */
export const blockMeta = (m: BlockMeta): Json => ({
  block_id: blockId(m.blockId),
  block_size: String(m.blockSize),
  header: header(m.header),
  num_txs: String(m.numTxs)
})

/** An abci Event, inside jsonpb-encoded results (attributes always present). */
export const event = (e: Event): Json => ({
  type: e.type,
  attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index }))
})

/** abci.ExecTxResult under jsonpb with defaults (tx, tx_search, block_results, broadcast_tx_commit). */
export const execTxResult = (r: ExecTxResult): Json => ({
  code: r.code,
  data: b64OrNull(r.data),
  log: r.log,
  info: r.info,
  gas_wanted: String(r.gasWanted),
  gas_used: String(r.gasUsed),
  events: r.events.map(event),
  codespace: r.codespace
})

/** abci.ResponseCheckTx under jsonpb with defaults (broadcast_tx_commit check_tx). */
export const checkTx = (r: ResponseCheckTx): Json => execTxResult(r) // same fields and jsonpb shape

/** abci.ResponseQuery under jsonpb with defaults (abci_query response). */
export const abciQuery = (r: ResponseQuery): Json => ({
  code: r.code,
  log: r.log,
  info: r.info,
  index: String(r.index),
  key: b64OrNull(r.key),
  value: b64OrNull(r.value),
  proofOps: r.proofOps === undefined ? null : { ops: r.proofOps.ops.map((o) => ({ type: o.type, key: b64(o.key), data: b64(o.data) })) },
  height: String(r.height),
  codespace: r.codespace
})

/** ResponseInfo under cmtjson: zero fields omitted. */
export const abciInfo = (r: ResponseInfo): Json => {
  const out: { [k: string]: Json } = {}
  if (r.data !== "") out.data = r.data
  if (r.version !== "") out.version = r.version
  if (r.appVersion !== 0n) out.app_version = String(r.appVersion)
  if (r.lastBlockHeight !== 0n) out.last_block_height = String(r.lastBlockHeight)
  if (r.lastBlockAppHash.length > 0) out.last_block_app_hash = b64(r.lastBlockAppHash)
  return out
}

/** An ed25519 key under amino JSON (crypto.PubKey). */
export const pubKeyEd25519 = (key: Uint8Array): Json => ({ type: "tendermint/PubKeyEd25519", value: b64(key) })

/** types.Validator (validators). The engine contract has no proposer priority: "0". */
export const validator = (v: ValidatorInfo): Json => ({
  address: hexU(v.address),
  pub_key: pubKeyEd25519(v.pubKeyEd25519),
  voting_power: String(v.power),
  proposer_priority: "0"
})

/** abci.ValidatorUpdate under cmtjson: the crypto.PublicKey oneof as {Sum: {type, value}}. */
export const validatorUpdate = (u: ValidatorUpdate): Json => {
  const pk = u.pubKey
  const sum: Json = pk.ed25519 !== undefined
    ? { type: "tendermint.crypto.PublicKey_Ed25519", value: { ed25519: b64(pk.ed25519) } }
    : { type: "tendermint.crypto.PublicKey_Secp256K1", value: { secp256k1: b64(pk.secp256k1 ?? new Uint8Array()) } }
  return { pub_key: { Sum: sum }, power: String(u.power) }
}
