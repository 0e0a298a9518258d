/**
 * ABCI 2.0 socket server: lets an external CometBFT v0.38 node drive an `AbciApplication`
 * over TCP (`tcp://host:port`) or a unix socket (`unix://path`). CometBFT opens four
 * connections (consensus, mempool, query, snapshot); each is served independently, its
 * requests handled strictly one after another and answered in order, so consensus-connection
 * calls are never reordered. Flush is answered after every response that precedes it.
 * A malformed frame, an undecodable request or an application exception gets a
 * ResponseException and closes that one connection; the server keeps running.
 *
 * Source: cometbft v0.38 abci/server/socket_server.go, abci/client/socket_client.go,
 * spec/abci/abci++_app_requirements.md, abci++_comet_expected_behavior.md.
 */
import { createServer, type Server, type Socket } from "node:net"
import { rmSync } from "node:fs"
import { Data, Effect } from "effect"
import type { Scope } from "effect"
import { BinaryWriter } from "cosmjs-types/binary"
import {
  Request, Response, ResponseApplySnapshotChunk_Result, ResponseOfferSnapshot_Result,
  ResponseVerifyVoteExtension_VerifyStatus
} from "cosmjs-types/tendermint/abci/types"
import type { AbciApplication } from "../../../chain/Abci.ts"
import { encodeFrame, FrameDecoder, FrameError, MAX_FRAME_BYTES } from "./Framing.ts"

/** The server could not bind its address, or the address is not `tcp://host:port` / `unix://path`. */
export class AbciServeError extends Data.TaggedError("AbciServeError")<{ readonly address: string; readonly reason: string }> {
  override get message(): string { return `ABCI server on ${this.address}: ${this.reason}` }
}

/** A parsed listen address. */
export type AbciAddress =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "unix"; readonly path: string }

/** Parses `tcp://host:port` (port 0 picks a free port) or `unix://path`; undefined when neither. */
export const parseAbciAddress = (address: string): AbciAddress | undefined => {
  if (address.startsWith("unix://")) {
    const path = address.slice("unix://".length)
    return path.length > 0 ? { kind: "unix", path } : undefined
  }
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)$/.exec(address)
  if (m === null) return undefined
  const port = Number(m[2])
  if (!Number.isInteger(port) || port > 65535) return undefined
  return { kind: "tcp", host: m[1]!.replace(/^\[|\]$/g, ""), port }
}

/** Options of the ABCI server. */
export interface AbciServerOptions {
  readonly app: AbciApplication
  /** `tcp://127.0.0.1:26658` (CometBFT's default proxy_app) or `unix:///path/abci.sock`. */
  readonly address: string
  /** Largest request frame accepted (default 100 MiB, CometBFT's limit). */
  readonly maxFrameBytes?: number
  /** Called when a connection is closed for an error (malformed frame, application exception). */
  readonly onConnectionError?: (error: unknown) => void
  /**
   * Node plane: verifies txs' signatures ahead (in parallel, into the verification cache:
   * modules/auth/VerifierPool.ts). Called once for the CheckTx requests that arrive together on a
   * connection, before the first of them is handled, and with a FinalizeBlock's txs before it.
   * It changes how fast, never what: a rejection is ignored.
   */
  readonly preverify?: (txs: ReadonlyArray<Uint8Array>) => Promise<void>
}

/** A running ABCI server. */
export interface AbciServer {
  /** The bound address, with the real port when 0 was asked for. */
  readonly address: string
  /** Number of open connections. */
  connections(): number
  /** Stops listening and closes every connection. */
  close(): Promise<void>
}

type Handler = (app: AbciApplication, req: Request) => Response | Promise<Response>

const EMPTY = new Uint8Array(0)
/**
 * Handles one decoded request. Snapshot and vote-extension calls answer CometBFT's
 * "not supported" defaults: no snapshots, offers rejected, empty extensions accepted.
 */
const handle: Handler = (app, req) => {
  if (req.echo !== undefined) return { echo: { message: req.echo.message } }
  if (req.flush !== undefined) return { flush: {} }
  if (req.info !== undefined) return app.info(req.info).then((info) => ({ info }))
  if (req.initChain !== undefined) return app.initChain(req.initChain).then((initChain) => ({ initChain }))
  if (req.checkTx !== undefined) return app.checkTx(req.checkTx).then((checkTx) => ({ checkTx }))
  if (req.query !== undefined) return app.query(req.query).then((query) => ({ query }))
  if (req.prepareProposal !== undefined) {
    return app.prepareProposal(req.prepareProposal).then((prepareProposal) => ({ prepareProposal }))
  }
  if (req.processProposal !== undefined) {
    return app.processProposal(req.processProposal).then((processProposal) => ({ processProposal }))
  }
  if (req.finalizeBlock !== undefined) return app.finalizeBlock(req.finalizeBlock).then((finalizeBlock) => ({ finalizeBlock }))
  if (req.commit !== undefined) return app.commit().then((commit) => ({ commit }))
  if (req.extendVote !== undefined) return { extendVote: { voteExtension: EMPTY } }
  if (req.verifyVoteExtension !== undefined) {
    return { verifyVoteExtension: { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT } }
  }
  if (req.listSnapshots !== undefined) return { listSnapshots: { snapshots: [] } }
  if (req.offerSnapshot !== undefined) return { offerSnapshot: { result: ResponseOfferSnapshot_Result.REJECT } }
  if (req.loadSnapshotChunk !== undefined) return { loadSnapshotChunk: { chunk: EMPTY } }
  if (req.applySnapshotChunk !== undefined) {
    return { applySnapshotChunk: { result: ResponseApplySnapshotChunk_Result.REJECT_SNAPSHOT, refetchChunks: [], rejectSenders: [] } }
  }
  throw new Error("unknown ABCI request: no known field of the Request oneof is set")
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/**
 * Serves one connection: frames are decoded as they arrive and queued; a pump handles them
 * strictly one after another (synchronous answers without a promise hop, asynchronous ones
 * awaited) and writes each response once it and all earlier ones are done. Responses ready in
 * one pump pass are encoded length-delimited into one BinaryWriter and sent with one write
 * (cosmjs-types' `finish()` allocates an 8 KiB slab per call, so one call per response would
 * dominate the cost of small answers).
 */
const serveConnection = (socket: Socket, opts: AbciServerOptions): void => {
  const decoder = new FrameDecoder(opts.maxFrameBytes ?? MAX_FRAME_BYTES)
  const queue: Array<Uint8Array | FrameError> = []
  /** Pre-verification of the CheckTx requests queued up to index `last` (inclusive). */
  let verifying: { readonly last: number; readonly done: Promise<void> } | undefined
  let head = 0
  let busy = false
  let failed = false
  let out: BinaryWriter | undefined
  socket.setNoDelay(true)

  const flushOut = (): void => {
    if (out === undefined) return
    const bytes = out.finish()
    out = undefined
    if (!socket.destroyed) socket.write(bytes)
  }

  const fail = (error: unknown): void => {
    if (failed) return
    failed = true
    queue.length = 0
    head = 0
    flushOut()
    opts.onConnectionError?.(error)
    const body = Response.encode(Response.fromPartial({ exception: { error: errorText(error) } })).finish()
    if (!socket.destroyed) socket.end(encodeFrame(body))
  }

  /** Appends one length-delimited response; false when the connection failed. */
  const emit = (res: Response): boolean => {
    if (failed || socket.destroyed) return false
    const w = (out ??= BinaryWriter.create())
    w.fork()
    try {
      Response.encode(res, w)
    } catch (e) {
      w.reset() // drop the partial response, keep the earlier ones
      fail(new Error(`application returned an unencodable response: ${errorText(e)}`))
      return false
    }
    w.ldelim() // unsigned varint length prefix, as CometBFT's protoio delimited writer
    return true
  }

  /**
   * Start verifying the signatures of the CheckTx requests among the frames queued from `from`:
   * one call for all of them, awaited by those requests only (other requests and the order of
   * answers are unaffected). Frames are decoded here once more; only CheckTx ones are looked at.
   */
  const preverifyCheckTxs = (from: number): void => {
    const txs: Uint8Array[] = []
    for (let i = from; i < queue.length; i++) {
      const item = queue[i]
      if (item instanceof FrameError || item === undefined) continue
      try {
        const tx = Request.decode(item).checkTx?.tx
        if (tx !== undefined) txs.push(tx)
      } catch {
        // malformed: the pump answers it
      }
    }
    if (txs.length === 0) return
    const before = verifying?.done ?? Promise.resolve()
    const mine = opts.preverify!(txs).catch(() => undefined)
    verifying = { last: queue.length - 1, done: Promise.all([before, mine]).then(() => undefined) }
  }

  const pump = (): void => {
    if (busy) return
    busy = true
    while (!failed && head < queue.length) {
      const item = queue[head++]!
      if (item instanceof FrameError) { fail(item); break }
      let req: Request
      try {
        req = Request.decode(item)
      } catch (e) {
        fail(new Error(`malformed ABCI request: ${errorText(e)}`))
        break
      }
      let res: Response | Promise<Response>
      try {
        const ahead = verifying !== undefined && head - 1 <= verifying.last ? verifying.done : undefined
        const fin = req.finalizeBlock
        res = ahead !== undefined && req.checkTx !== undefined ? ahead.then(() => handle(opts.app, req))
          : fin !== undefined && opts.preverify !== undefined ? opts.preverify(fin.txs).catch(() => undefined).then(() => handle(opts.app, req))
          : handle(opts.app, req)
      } catch (e) {
        fail(e)
        break
      }
      if (res instanceof Promise) {
        flushOut()
        res.then((r) => { busy = false; if (emit(r)) pump() }, (e) => { busy = false; fail(e) })
        return // stays busy until the promise settles
      }
      if (!emit(res)) break
    }
    if (head === queue.length) {
      queue.length = 0
      head = 0
      verifying = undefined // every request it covered has been handled
    }
    flushOut()
    busy = false
  }

  socket.on("data", (chunk: Buffer) => {
    if (failed) return
    const from = queue.length
    try {
      for (const f of decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) queue.push(f)
    } catch (e) {
      // answer what was already accepted, then the exception
      queue.push(e instanceof FrameError ? e : new FrameError({ reason: errorText(e) }))
    }
    if (opts.preverify !== undefined) preverifyCheckTxs(from)
    pump()
  })
  socket.on("error", () => { /* peer reset: nothing to answer */ })
}

/**
 * Starts an ABCI server (plain Promise API). Resolves once listening; rejects with
 * AbciServeError when the address is malformed or cannot be bound. A stale unix socket file
 * at the path is removed first.
 */
export const startAbciServer = (opts: AbciServerOptions): Promise<AbciServer> => {
  const parsed = parseAbciAddress(opts.address)
  if (parsed === undefined) {
    return Promise.reject(new AbciServeError({ address: opts.address, reason: "expected tcp://host:port or unix://path" }))
  }
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    serveConnection(socket, opts)
  })
  return new Promise<AbciServer>((resolve, reject) => {
    server.once("error", (e) => reject(new AbciServeError({ address: opts.address, reason: errorText(e) })))
    const ready = (): void => {
      const a = server.address()
      const bound = parsed.kind === "unix" ? opts.address
        : typeof a === "object" && a !== null ? `tcp://${parsed.host.includes(":") ? `[${parsed.host}]` : parsed.host}:${a.port}` : opts.address
      resolve({
        address: bound,
        connections: () => sockets.size,
        close: () => new Promise<void>((done) => {
          for (const s of sockets) s.destroy()
          server.close(() => done())
        })
      })
    }
    if (parsed.kind === "unix") {
      try { rmSync(parsed.path, { force: true }) } catch { /* not a stale socket we can remove */ }
      server.listen(parsed.path, ready)
    } else {
      server.listen(parsed.port, parsed.host, ready)
    }
  })
}

/**
 * Starts the ABCI server in the current scope; closing the scope closes the server.
 * Usage: `const server = yield* serveAbci({ app, address: "tcp://127.0.0.1:26658" })`.
 */
export const serveAbci = (opts: AbciServerOptions): Effect.Effect<AbciServer, AbciServeError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => startAbciServer(opts),
      catch: (e) => e instanceof AbciServeError ? e : new AbciServeError({ address: opts.address, reason: errorText(e) })
    }),
    (server) => Effect.promise(() => server.close())
  )
