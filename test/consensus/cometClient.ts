/**
 * A test client that plays CometBFT v0.38's side of ABCI over a real socket, for conformance
 * tests of any ABCI server (the test kvstore here, the real multiplexer later).
 *
 * What it does, following spec/abci/abci++_comet_expected_behavior.md, abci++_app_requirements.md
 * and consensus/replay.go (Handshaker):
 *  - `CometClient.connect(address)` opens the four connections CometBFT opens (consensus,
 *    mempool, query, snapshot) and sends Echo + Flush on each.
 *  - `handshake(genesis)` sends Info; at app height 0 sends InitChain; then replays every block
 *    the client holds above the app's height with FinalizeBlock + Commit, and checks that the app
 *    hash matches the one recorded when the block was first executed.
 *  - `produceBlock(opts)` runs [failed rounds: ProcessProposal of other proposals] ->
 *    PrepareProposal -> ProcessProposal -> FinalizeBlock -> Commit on the consensus connection,
 *    then Recheck (CheckTx type RECHECK) of the client's mempool.
 *  - `checkTx`, `query`, `listSnapshots` use the mempool, query and snapshot connections.
 *  - The client keeps its blocks (`blocks`) so a second client (after an app restart) can be
 *    given them: `new CometClient(conns, heldBlocks)`.
 * Every response must be of the same kind as its request and arrive in order; a
 * ResponseException rejects the call with AbciException.
 */
import { connect as netConnect, type Socket } from "node:net"
import { sha256 } from "@noble/hashes/sha2.js"
import {
  CheckTxType, Request, Response, ResponseProcessProposal_ProposalStatus,
  type RequestFinalizeBlock, type ResponseCheckTx, type ResponseFinalizeBlock, type ResponseInfo,
  type ResponseInitChain, type ResponseQuery, type ValidatorUpdate
} from "cosmjs-types/tendermint/abci/types"
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import type { DeepPartial } from "cosmjs-types/helpers"
import { encodeFrame, FrameDecoder } from "../../modules/consensus/abci/Framing.ts"

/** The application answered ResponseException (the server then closes the connection). */
export class AbciException extends Error {}

/** One ABCI connection: pipelined requests, responses matched in FIFO order. */
export class AbciConnection {
  readonly name: string
  private readonly socket: Socket
  private readonly decoder = new FrameDecoder()
  private readonly waiting: Array<{ kind: string; resolve: (r: Response) => void; reject: (e: Error) => void }> = []
  private closedError: Error | undefined

  private constructor(name: string, socket: Socket) {
    this.name = name
    this.socket = socket
    socket.on("data", (chunk: Buffer) => {
      let frames: Uint8Array[]
      try { frames = this.decoder.push(new Uint8Array(chunk)) } catch (e) { this.failAll(e as Error); return }
      for (const f of frames) {
        const w = this.waiting.shift()
        if (w === undefined) { this.failAll(new Error(`${name}: unsolicited response`)); return }
        const res = Response.decode(f)
        if (res.exception !== undefined) { w.reject(new AbciException(res.exception.error)); continue }
        const kind = responseKind(res)
        if (kind !== w.kind) { w.reject(new Error(`${name}: expected response ${w.kind}, got ${kind}`)); continue }
        w.resolve(res)
      }
    })
    socket.on("close", () => this.failAll(new Error(`${name}: connection closed`)))
    socket.on("error", (e) => this.failAll(e))
  }

  /** Opens a connection to `tcp://host:port` or `unix://path`. */
  static open(address: string, name: string): Promise<AbciConnection> {
    return new Promise((resolve, reject) => {
      const socket = address.startsWith("unix://")
        ? netConnect(address.slice(7))
        : (() => {
          const m = /^tcp:\/\/(.+):(\d+)$/.exec(address)
          if (m === null) throw new Error(`bad address ${address}`)
          return netConnect(Number(m[2]), m[1]!.replace(/^\[|\]$/g, ""))
        })()
      socket.once("connect", () => { socket.setNoDelay(true); resolve(new AbciConnection(name, socket)) })
      socket.once("error", reject)
    })
  }

  private failAll(e: Error): void {
    this.closedError ??= e
    for (const w of this.waiting.splice(0)) w.reject(e)
  }

  /** Sends a request (buffered: CometBFT sends Flush to force out the answer); resolves with its response. */
  send(req: DeepPartial<Request>): Promise<Response> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError)
    const full = Request.fromPartial(req as never)
    const kind = requestKind(full)
    const p = new Promise<Response>((resolve, reject) => this.waiting.push({ kind, resolve, reject }))
    this.socket.write(encodeFrame(Request.encode(full).finish()))
    return p
  }

  /** Sends raw bytes (for malformed-frame tests). */
  writeRaw(bytes: Uint8Array): void { this.socket.write(bytes) }

  /** Sends the request followed by Flush, as CometBFT's sync calls do. */
  async call(req: DeepPartial<Request>): Promise<Response> {
    const p = this.send(req)
    const f = this.send({ flush: {} })
    const res = await p
    await f
    return res
  }

  /** Resolves when the peer closes the connection. */
  closed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || this.socket.readableEnded) resolve()
      else this.socket.once("close", () => resolve())
    })
  }

  close(): void { this.socket.destroy() }
}

const KINDS = [
  "echo", "flush", "info", "initChain", "query", "checkTx", "commit", "listSnapshots", "offerSnapshot",
  "loadSnapshotChunk", "applySnapshotChunk", "prepareProposal", "processProposal", "extendVote",
  "verifyVoteExtension", "finalizeBlock"
] as const

const requestKind = (r: Request): string => KINDS.find((k) => r[k] !== undefined) ?? "none"
const responseKind = (r: Response): string => KINDS.find((k) => r[k] !== undefined) ?? "none"

/** Genesis as CometBFT's genesis.json gives it to InitChain. */
export interface CometGenesis {
  readonly chainId: string
  readonly time: Timestamp
  readonly initialHeight: bigint
  readonly validators: ReadonlyArray<ValidatorUpdate>
  readonly appStateBytes: Uint8Array
}

/** A block the client executed (or holds to replay): the FinalizeBlock request and the app hash it gave. */
export interface HeldBlock {
  readonly request: RequestFinalizeBlock
  readonly appHash: Uint8Array
}

/** The four connections CometBFT opens (proxy/multi_app_conn.go). */
export interface CometConnections {
  readonly consensus: AbciConnection
  readonly mempool: AbciConnection
  readonly query: AbciConnection
  readonly snapshot: AbciConnection
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

/** Handshake result. */
export interface HandshakeResult {
  readonly info: ResponseInfo
  readonly initChain: ResponseInitChain | undefined
  /** Heights replayed with FinalizeBlock + Commit. */
  readonly replayed: ReadonlyArray<number>
  readonly appHash: Uint8Array
}

/** CometBFT's side of ABCI, over real sockets. */
export class CometClient {
  readonly conns: CometConnections
  /** Blocks the client holds (its block store), by height order. */
  readonly blocks: HeldBlock[]
  /** Client mempool: txs accepted by CheckTx, not yet in a block. */
  readonly mempool: Uint8Array[] = []
  appHash: Uint8Array = new Uint8Array(0)
  private timeSeconds = 1_700_000_000n
  private initialHeight = 1n

  constructor(conns: CometConnections, blocks: ReadonlyArray<HeldBlock> = []) {
    this.conns = conns
    this.blocks = [...blocks]
  }

  /** Opens the four connections and checks each with Echo + Flush. */
  static async connect(address: string, blocks: ReadonlyArray<HeldBlock> = []): Promise<CometClient> {
    const [consensus, mempool, query, snapshot] = await Promise.all(
      ["consensus", "mempool", "query", "snapshot"].map((n) => AbciConnection.open(address, n)))
    const conns = { consensus: consensus!, mempool: mempool!, query: query!, snapshot: snapshot! }
    for (const c of Object.values(conns)) {
      const r = await c.call({ echo: { message: `hello ${c.name}` } })
      if (r.echo?.message !== `hello ${c.name}`) throw new Error(`echo mismatch on ${c.name}`)
    }
    return new CometClient(conns, blocks)
  }

  /** Height of the last held block (0 when none). */
  height(): number { return this.blocks.length === 0 ? 0 : Number(this.blocks[this.blocks.length - 1]!.request.height) }

  /**
   * consensus/replay.go Handshake + ReplayBlocks: Info; InitChain at app height 0 (only when the
   * app is at 0: then every held block is replayed); replay held blocks above the app height with
   * FinalizeBlock + Commit; the final app hash must equal the held one. Throws on a mismatch or
   * an app ahead of the client.
   */
  async handshake(genesis: CometGenesis): Promise<HandshakeResult> {
    this.initialHeight = genesis.initialHeight
    this.timeSeconds = genesis.time.seconds
    const info = (await this.conns.query.call({
      info: { version: "0.38.17", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" }
    })).info!
    const appHeight = Number(info.lastBlockHeight)
    let appHash = info.lastBlockAppHash
    let initChain: ResponseInitChain | undefined
    if (appHeight === 0) {
      initChain = (await this.conns.consensus.call({
        initChain: {
          time: genesis.time, chainId: genesis.chainId, validators: [...genesis.validators],
          appStateBytes: genesis.appStateBytes, initialHeight: genesis.initialHeight
        }
      })).initChain!
      if (this.blocks.length === 0) this.appHash = initChain.appHash
      appHash = initChain.appHash
    }
    const storeHeight = this.height()
    if (appHeight > storeHeight) throw new Error(`app height ${appHeight} is ahead of the client's ${storeHeight}`)
    const replayed: number[] = []
    for (const b of this.blocks) {
      const h = Number(b.request.height)
      if (h <= appHeight) continue
      const fin = (await this.conns.consensus.call({ finalizeBlock: b.request })).finalizeBlock!
      if (hex(fin.appHash) !== hex(b.appHash)) {
        throw new Error(`replayed block ${h}: app hash ${hex(fin.appHash)} != held ${hex(b.appHash)}`)
      }
      await this.conns.consensus.call({ commit: {} })
      appHash = fin.appHash
      replayed.push(h)
    }
    if (storeHeight > 0) {
      const want = this.blocks[this.blocks.length - 1]!.appHash
      if (hex(appHash) !== hex(want)) throw new Error(`app hash after handshake ${hex(appHash)} != ${hex(want)}`)
      this.appHash = want
      this.timeSeconds = this.blocks[this.blocks.length - 1]!.request.time!.seconds
    }
    return { info, initChain, replayed, appHash }
  }

  /** CheckTx NEW on the mempool connection; accepted txs join the client's mempool. */
  async checkTx(tx: Uint8Array): Promise<ResponseCheckTx> {
    const r = (await this.conns.mempool.call({ checkTx: { tx, type: CheckTxType.NEW } })).checkTx!
    if (r.code === 0) this.mempool.push(tx)
    return r
  }

  /** Query on the query connection. */
  async query(path: string, data: Uint8Array, height = 0n): Promise<ResponseQuery> {
    return (await this.conns.query.call({ query: { path, data, height, prove: false } })).query!
  }

  /**
   * Runs one height: PrepareProposal (client mempool txs) -> ProcessProposal (must ACCEPT) ->
   * FinalizeBlock -> Commit, then rechecks the mempool. Block time advances 1 s per height from
   * genesis time. `stopBeforeCommit` leaves the block finalized but not committed (a crash
   * between FinalizeBlock and Commit).
   */
  async produceBlock(opts: {
    /** Proposed txs (default: the client's mempool, FIFO). */
    readonly txs?: ReadonlyArray<Uint8Array>
    readonly stopBeforeCommit?: boolean
    /**
     * Rounds that fail before the deciding one (expected_behavior.md `*consensus-round`): in each
     * the client is a non-proposer and gets ProcessProposal for another proposal (the first
     * proposed tx only, other hash) that is then not decided. Default 0.
     */
    readonly failedRounds?: number
  } = {}): Promise<ResponseFinalizeBlock> {
    const height = BigInt(this.height()) === 0n ? this.initialHeight : BigInt(this.height()) + 1n
    this.timeSeconds += 1n
    const time = { seconds: this.timeSeconds, nanos: 0 }
    const proposer = new Uint8Array(20).fill(7)
    const nextValidatorsHash = new Uint8Array(32).fill(9)
    const c = this.conns.consensus
    const proposed = [...(opts.txs ?? this.mempool)]
    for (let r = 0; r < (opts.failedRounds ?? 0); r++) {
      await c.call({
        processProposal: {
          txs: proposed.slice(0, 1), proposedLastCommit: { round: 0, votes: [] }, misbehavior: [],
          hash: new Uint8Array(32).fill(r + 1), height, time, nextValidatorsHash, proposerAddress: new Uint8Array(20).fill(r + 1)
        }
      })
    }
    const prep = (await c.call({
      prepareProposal: {
        maxTxBytes: 1_048_576n, txs: proposed, localLastCommit: { round: 0, votes: [] },
        misbehavior: [], height, time, nextValidatorsHash, proposerAddress: proposer
      }
    })).prepareProposal!
    const hash = sha256(Uint8Array.from([...String(height)].map((ch) => ch.charCodeAt(0))))
    const proc = (await c.call({
      processProposal: {
        txs: prep.txs, proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash, height, time,
        nextValidatorsHash, proposerAddress: proposer
      }
    })).processProposal!
    if (proc.status !== ResponseProcessProposal_ProposalStatus.ACCEPT) throw new Error(`proposal at ${height} rejected`)
    const request: RequestFinalizeBlock = {
      txs: prep.txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash, height, time,
      nextValidatorsHash, proposerAddress: proposer
    }
    const fin = (await c.call({ finalizeBlock: request })).finalizeBlock!
    if (fin.txResults.length !== prep.txs.length) throw new Error(`FinalizeBlock gave ${fin.txResults.length} results for ${prep.txs.length} txs`)
    this.blocks.push({ request, appHash: fin.appHash })
    if (opts.stopBeforeCommit === true) return fin
    await c.call({ commit: {} })
    this.appHash = fin.appHash
    // mempool update: drop included txs, recheck the rest (mempool/clist_mempool.go Update)
    const included = new Set(prep.txs.map(hex))
    const rest = this.mempool.filter((t) => !included.has(hex(t)))
    this.mempool.length = 0
    for (const tx of rest) {
      const r = (await this.conns.mempool.call({ checkTx: { tx, type: CheckTxType.RECHECK } })).checkTx!
      if (r.code === 0) this.mempool.push(tx)
    }
    return fin
  }

  /** Closes the four connections. */
  close(): void { for (const c of Object.values(this.conns)) c.close() }
}
