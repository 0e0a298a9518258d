/**
 * ABCI Query routing of the multiplexer: the tx service (Simulate, GetTx), raw store queries with
 * ICS-23 proofs (`store/<namespace>/key`), and gRPC paths routed to machines. Query errors carry
 * gRPC status text in the log ("rpc error: code = NotFound desc = ...") as the SDK's gRPC-over-ABCI
 * does, which CosmJS matches on.
 *
 * Source: cosmos-sdk baseapp/abci.go (Query, handleQueryStore, handleQueryGRPC),
 * x/auth/tx/service.go (Simulate, GetTx).
 */
import { GetTxRequest, GetTxResponse, SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service"
import { Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { ExecTxResult, RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import { fromHex, toHex } from "../../lib/Bytes.ts"
import type { CommitMultiStore, MultiStore } from "../../store/KVStore.ts"
import { InvalidRequest, isChainError, NotFound, UnknownRequest } from "../ChainError.ts"
import type { Machine, QueryContext } from "../Machine.ts"
import type { Router } from "../Router.ts"
import { errorInfo, type TxOutcome } from "./TxResult.ts"

/** A committed tx found by hash (sha256 of the tx bytes). */
export interface FoundTx {
  readonly tx: Uint8Array
  readonly height: number
  readonly result: ExecTxResult
  /** Block time, RFC 3339. */
  readonly timestamp: string
}

/** Looks up a committed tx by hash. */
export type TxLookup = (hash: Uint8Array) => Promise<FoundTx | undefined>

/** What query routing needs from the application. */
export interface AppQueryDeps {
  readonly store: CommitMultiStore
  readonly router: Router
  readonly chainId: string
  readonly txLookup: TxLookup | undefined
  readonly simulate: (txBytes: Uint8Array) => Promise<TxOutcome>
  readonly queryContext: (ms: MultiStore, height: number) => (m: Machine) => QueryContext
}

const SIMULATE = "/cosmos.tx.v1beta1.Service/Simulate"
const GET_TX = "/cosmos.tx.v1beta1.Service/GetTx"

const grpcCode = (tag: string): string =>
  tag === "NotFound" || tag === "UnknownAddress" ? "NotFound" : tag === "UnknownRequest" ? "Unimplemented" : "InvalidArgument"

/** Answer one ABCI Query; never throws (errors become codes). */
export const serveAppQuery = async (req: RequestQuery, deps: AppQueryDeps): Promise<ResponseQuery> => {
  const last = deps.store.lastCommit().version
  const height = req.height === 0n ? last : Number(req.height)
  const base: ResponseQuery = {
    code: 0, log: "", info: "", index: 0n, key: new Uint8Array(), value: new Uint8Array(),
    proofOps: undefined, height: BigInt(height), codespace: ""
  }
  try {
    if (height > last || height < 0) {
      throw new InvalidRequest({ log: `cannot query with height in the future (${height}); latest height is ${last}` })
    }
    if (req.path === SIMULATE) {
      const sim = SimulateRequest.decode(req.data)
      if (sim.txBytes.length === 0) throw new InvalidRequest({ log: "empty txBytes is not allowed" })
      const out = await deps.simulate(sim.txBytes)
      if (out.result.code !== 0) return { ...base, code: out.result.code, codespace: out.result.codespace, log: out.result.log }
      const value = SimulateResponse.encode({
        gasInfo: { gasWanted: out.result.gasWanted, gasUsed: out.result.gasUsed },
        result: { data: out.result.data, log: out.result.log, events: out.result.events, msgResponses: [...out.msgResponses] }
      }).finish()
      return { ...base, value }
    }
    if (req.path === GET_TX) return { ...base, value: await getTx(req.data, deps) }
    // the SDK takes `/store/<name>/key` and `store/<name>/key` alike (baseapp splitABCIQueryPath);
    // CosmJS's queryRawProof, and so @confio/relayer, sends the first
    if (req.path.startsWith("store/") || req.path.startsWith("/store/")) {
      const parts = req.path.split("/")
      const [, name, kind, extra] = req.path.startsWith("/") ? parts.slice(1) : parts
      if (!name || kind !== "key" || extra !== undefined) throw new UnknownRequest({ log: `unknown store query path ${req.path}: only store/<name>/key` })
      const r = await deps.store.query(name, req.data, height, req.prove)
      return { ...base, key: r.key, value: r.value ?? new Uint8Array(), proofOps: r.proof, height: BigInt(r.height) }
    }
    const machine = deps.router.query(req.path)
    if (!machine) throw new UnknownRequest({ log: `unknown query path ${req.path}` })
    const snapshot = await deps.store.snapshot(height)
    const value = machine.query(deps.queryContext(snapshot, height)(machine), req.path, req.data)
    return { ...base, value }
  } catch (caught) {
    const e = malformedQuery(caught, req.path)
    const info = errorInfo(e)
    const tag = typeof e === "object" && e !== null && "_tag" in e ? String(e._tag) : ""
    const log = req.path.startsWith("/") && info.code !== 1 ? `rpc error: code = ${grpcCode(tag)} desc = ${info.log}` : info.log
    return { ...base, code: info.code, codespace: info.codespace, log }
  }
}

/** Messages cosmjs-types' BinaryReader throws on malformed protobuf (binary.ts, varint.ts). */
const PROTOBUF_READER = /premature EOF|invalid wire type|index out of range|illegal tag|invalid varint|varint|invalid utf-?8/i

/**
 * A query whose data a machine's protobuf decoder refused is the client's error: InvalidRequest
 * (code 18) naming the path, never code 1. Any other non-chain error stays internal.
 */
const malformedQuery = (e: unknown, path: string): unknown =>
  !isChainError(e) && e instanceof Error && PROTOBUF_READER.test(e.message)
    ? new InvalidRequest({ log: `malformed request data for ${path.slice(0, 120)}: ${e.message}` })
    : e

const getTx = async (data: Uint8Array, deps: AppQueryDeps): Promise<Uint8Array> => {
  const { hash } = GetTxRequest.decode(data)
  if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new InvalidRequest({ log: `tx hash must be 64 hex characters, got "${hash}"` })
  const found = deps.txLookup ? await deps.txLookup(fromHex(hash)) : undefined
  if (!found) throw new NotFound({ log: `tx not found: ${hash.toUpperCase()}` })
  const tx = Tx.decode(found.tx)
  return GetTxResponse.encode({
    tx,
    txResponse: {
      height: BigInt(found.height),
      txhash: hash.toUpperCase(),
      codespace: found.result.codespace,
      code: found.result.code,
      // Upper-case, as the SDK prints TxResponse.data (hex.EncodeToString, then strings.ToUpper).
      data: toHex(found.result.data).toUpperCase(),
      rawLog: found.result.log,
      logs: [],
      info: found.result.info,
      gasWanted: found.result.gasWanted,
      gasUsed: found.result.gasUsed,
      tx: { typeUrl: "/cosmos.tx.v1beta1.Tx", value: Tx.encode(tx).finish() },
      timestamp: found.timestamp,
      events: found.result.events
    }
  }).finish()
}
