/**
 * Consensus benchmarks (not tests). Run: `npx node bench/consensus.ts`.
 *  1. ABCI socket: pipelined Echo through the server vs a raw TCP echo of the same frames
 *     (baseline: same loopback socket and framing, one write per chunk, no protobuf, no app).
 *  2. ABCI socket: CheckTx sync calls (request + Flush each), round trips/s.
 *  3. Producer: broadcastTx admission rate and one block of N txs, vs calling the same
 *     in-memory app's PrepareProposal/ProcessProposal/FinalizeBlock/Commit directly (baseline).
 */
import { createServer } from "node:net"
import { sha256 } from "@noble/hashes/sha2.js"
import { Effect, Exit, Scope } from "effect"
import {
  ExecTxResult, ResponseCheckTx, ResponseFinalizeBlock, ResponseInfo, ResponseInitChain, ResponsePrepareProposal,
  ResponseProcessProposal, ResponseQuery
} from "cosmjs-types/tendermint/abci/types"
import type { AbciApplication } from "../chain/Abci.ts"
import { startAbciServer } from "../modules/consensus/abci/AbciServer.ts"
import { encodeFrame, FrameDecoder } from "../modules/consensus/abci/Framing.ts"
import { makeProducer } from "../modules/consensus/producer/Producer.ts"
import { AbciConnection } from "../test/consensus/cometClient.ts"
import { MemBlockStore } from "../test/consensus/memBlockStore.ts"
import { Request } from "cosmjs-types/tendermint/abci/types"

/** Minimal in-memory app: the app hash folds tx hashes. */
class NullApp implements AbciApplication {
  height = 0n
  hash: Uint8Array = new Uint8Array(32)
  pending: Uint8Array = new Uint8Array(32)
  async info() { return ResponseInfo.fromPartial({ lastBlockHeight: this.height, lastBlockAppHash: this.hash }) }
  async initChain() { return ResponseInitChain.fromPartial({ appHash: this.hash }) }
  async checkTx() { return ResponseCheckTx.fromPartial({ code: 0, gasWanted: 1n }) }
  async prepareProposal(r: { txs: Uint8Array[] }) { return ResponsePrepareProposal.fromPartial({ txs: r.txs }) }
  async processProposal() { return ResponseProcessProposal.fromPartial({ status: 1 }) }
  async finalizeBlock(r: { txs: Uint8Array[]; height: bigint }) {
    let h = this.hash
    for (const tx of r.txs) { const b = new Uint8Array(64); b.set(h); b.set(sha256(tx), 32); h = sha256(b) }
    this.pending = h
    return ResponseFinalizeBlock.fromPartial({ txResults: r.txs.map(() => ExecTxResult.fromPartial({ code: 0 })), appHash: h })
  }
  async commit() { this.hash = this.pending; this.height++; return { retainHeight: 0n } }
  async query() { return ResponseQuery.fromPartial({}) }
}

const N = 100_000
const echoFrame = encodeFrame(Request.encode(Request.fromPartial({ echo: { message: "x".repeat(32) } })).finish())

/** Writes N echo frames on a fresh connection and resolves when N response frames came back. */
const blast = async (address: string): Promise<number> => {
  const c = await AbciConnection.open(address, "blast")
  const sock = (c as unknown as { socket: import("node:net").Socket }).socket
  sock.removeAllListeners("data")
  const t0 = performance.now()
  await new Promise<void>((resolve) => {
    let got = 0
    const d = new FrameDecoder()
    sock.on("data", (ch: Buffer) => { got += d.push(new Uint8Array(ch)).length; if (got === N) resolve() })
    const all = new Uint8Array(echoFrame.length * N)
    for (let i = 0; i < N; i++) all.set(echoFrame, i * echoFrame.length)
    c.writeRaw(all)
  })
  const dt = performance.now() - t0
  c.close()
  return N / (dt / 1000)
}

const rawEcho = async (): Promise<number> => {
  const server = createServer((s) => {
    const d = new FrameDecoder()
    s.on("data", (c: Buffer) => {
      const fs = d.push(new Uint8Array(c)).map((f) => encodeFrame(f))
      if (fs.length > 0) s.write(Buffer.concat(fs)) // one write per chunk, as the ABCI server does
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const port = (server.address() as { port: number }).port
  const rate = await blast(`tcp://127.0.0.1:${port}`)
  server.close()
  return rate
}

const abciEcho = async (): Promise<{ pipelined: number; checkTxSync: number }> => {
  const server = await startAbciServer({ app: new NullApp(), address: "tcp://127.0.0.1:0" })
  const c = await AbciConnection.open(server.address, "b")
  const pipelined = await blast(server.address)
  let t0 = performance.now()
  const M = 10_000
  const tx = new Uint8Array(100)
  t0 = performance.now()
  for (let i = 0; i < M; i++) await c.call({ checkTx: { tx, type: 0 } })
  const checkTxSync = M / ((performance.now() - t0) / 1000)
  c.close(); await server.close()
  return { pipelined, checkTxSync }
}

const producer = async (txs: number) => {
  const mk = (i: number) => { const t = new Uint8Array(100); new DataView(t.buffer).setUint32(0, i); return t }
  // baseline: the app alone
  const direct = new NullApp()
  const batch = Array.from({ length: txs }, (_, i) => mk(i))
  let t0 = performance.now()
  for (const tx of batch) await direct.checkTx()
  const prep = await direct.prepareProposal({ txs: batch })
  await direct.processProposal()
  await direct.finalizeBlock({ txs: prep.txs, height: 1n })
  await direct.commit()
  const directMs = performance.now() - t0
  // producer
  const app = new NullApp()
  const scope = Effect.runSync(Scope.make())
  const p = await Effect.runPromise(Scope.provide(scope)(makeProducer({
    app, blockStore: new MemBlockStore(), chainId: "bench", validatorKey: new Uint8Array(32).fill(1), blockTimeMs: 3_600_000,
    mempool: { maxTxs: txs + 1 }, genesis: { time: { seconds: 1n, nanos: 0 }, appState: new Uint8Array(0) }
  })))
  await p.produceBlock(0n) // height 1 (warm-up)
  t0 = performance.now()
  await Promise.all(batch.map((tx) => p.broadcastTx(tx)))
  const admitMs = performance.now() - t0
  t0 = performance.now()
  await p.produceBlock(0n)
  const blockMs = performance.now() - t0
  await Effect.runPromise(Scope.close(scope, Exit.void))
  return { directMs, admitMs, blockMs, txs }
}

const raw = await rawEcho()
const abci = await abciEcho()
console.log(`raw TCP frame echo (baseline): ${(raw / 1000).toFixed(0)} k msg/s`)
console.log(`ABCI Echo pipelined:           ${(abci.pipelined / 1000).toFixed(0)} k req/s (${(abci.pipelined / raw).toFixed(2)}x baseline)`)
console.log(`ABCI CheckTx sync (req+Flush): ${(abci.checkTxSync / 1000).toFixed(1)} k round trips/s`)
for (const n of [1000, 5000]) {
  const r = await producer(n)
  console.log(`producer, ${n} txs of 100 B: admission ${(n / (r.admitMs / 1000) / 1000).toFixed(1)} k tx/s; block ${r.blockMs.toFixed(1)} ms; ` +
    `app alone (CheckTx x${n} + one block) ${r.directMs.toFixed(1)} ms; producer total ${((r.admitMs + r.blockMs) / r.directMs).toFixed(1)}x app alone`)
}
