/**
 * Mempool admission over RPC against CheckTx in process, measured in the same run on the same
 * CosmJS-signed MsgSend txs (4 accounts, one sequence run each), each stage on a fresh chain
 * (real Application with auth + bank over the in-memory IAVL store, real embedded producer and
 * mempool, real RPC server; no blocks are produced while admitting, so every tx is a CheckTx NEW):
 *   1. CheckTx in process: `app.checkTx` one tx after another (the baseline);
 *   2. engine.broadcastTx in process from 4 concurrent callers (mempool + producer, no RPC);
 *   3. broadcast_tx_sync over HTTP from 4 concurrent clients (keep-alive connections, in a worker
 *      thread: bench/internal/rpcClients.ts), each sending its account's txs in sequence order;
 *   4. the same in JSON-RPC batches of 20;
 *   and, for scale, the HTTP floor: a bare node:http server answering a fixed reply to the same
 *   clients (requests/s).
 * The signature verification cache is cleared before each stage, so each verifies every signature;
 * a warm-up CheckTx pass runs first, then two rounds of the three stages; the best of each stage
 * is reported (the machine may be shared).
 * Prints tx/s of each and the ratios to the baseline, by wall clock and per CPU second of the
 * node's thread (`process.threadCpuUsage`: user + system, the clients' worker excluded), the
 * second being the steadier figure on a shared machine.
 *
 * Run: `npx node bench/mempool-rpc.bench.ts [txs]` (default 5000, split over 4 clients).
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Worker } from "node:worker_threads"
import { Bip39, EnglishMnemonic, Slip10, Slip10Curve } from "@cosmjs/crypto"
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing"
import { makeCosmoshubPath, SigningStargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { Effect, Exit, Scope } from "effect"
import { CheckTxType } from "cosmjs-types/tendermint/abci/types"
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query"
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import { Application } from "../chain/Application.ts"
import { AuthMachine } from "../modules/auth/Auth.ts"
import { BankMachine } from "../modules/bank/Bank.ts"
import { makeProducer } from "../modules/consensus/producer/Producer.ts"
import { openMemoryBlockStore } from "../node/blockstore/index.ts"
import { startRpcServer } from "../node/rpc/index.ts"
import { clearVerifyCache } from "../modules/auth/internal/Secp256k1.ts"
import { MemoryStorage, openCommitMultiStore } from "../store/IavlMultiStore.ts"
import { CHAIN_ID, MNEMONIC } from "../test/auth/support/Chain.ts"

const N = Number(process.argv[2] ?? 5000)
const CLIENTS = 4
const PER = Math.ceil(N / CLIENTS)
// One wallet per account from its derived key: an HD wallet derives the key again on every
// signature (about 28 ms), which would dominate the setup.
const seed = await Bip39.mnemonicToSeed(new EnglishMnemonic(MNEMONIC))
const signers = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
  const wallet = await DirectSecp256k1Wallet.fromKey(Slip10.derivePath(Slip10Curve.Secp256k1, seed, makeCosmoshubPath(i)).privkey, "cyber")
  return { address: (await wallet.getAccounts())[0]!.address, client: await SigningStargateClient.offline(wallet) }
}))
const senders = signers.map((s) => s.address)
const enc = new TextEncoder()
const appState = enc.encode(JSON.stringify({
  auth: { accounts: [] },
  bank: { balances: senders.map((address) => ({ address, coins: [{ denom: "boot", amount: "1000000000000" }] })) }
}))

/** A fresh chain: Application (auth + bank), in-memory store, producer at height 1, no block timer in the way. */
const fresh = async () => {
  const auth = new AuthMachine({ minGasPrices: "0.01boot" })
  const bank = new BankMachine()
  const machines = [auth, bank]
  const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: Application.namespaces() })
  const app = new Application({ chainId: CHAIN_ID, store, machines, pipeline: auth })
  const blockStore = await openMemoryBlockStore()
  const scope = Effect.runSync(Scope.make())
  const producer = await Effect.runPromise(Scope.provide(scope)(makeProducer({
    app, blockStore, chainId: CHAIN_ID, validatorKey: new Uint8Array(32).fill(7), blockTimeMs: 3_600_000,
    mempool: { maxTxs: N + 10 },
    genesis: { time: { seconds: 1_700_000_000n, nanos: 0 }, appState }
  })))
  await producer.produceBlock(1_700_000_001_000_000_000n)
  const close = () => Effect.runPromise(Scope.close(scope, Exit.void))
  return { app, blockStore, producer, close }
}

// Account numbers from genesis, then sign every tx once.
const accountNumbers: number[] = []
{
  const c = await fresh()
  for (const address of senders) {
    const r = await c.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false })
    accountNumbers.push(Number(BaseAccount.decode(QueryAccountResponse.decode(r.value).account!.value).accountNumber))
  }
  await c.close()
}
const t = performance.now()
const txs: Uint8Array[][] = []
for (let k = 0; k < CLIENTS; k++) {
  const list: Uint8Array[] = []
  for (let i = 0; i < PER; i++) {
    const raw = await signers[k]!.client.sign(senders[k]!, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: senders[k], toAddress: senders[(k + 1) % CLIENTS], amount: [{ denom: "boot", amount: "1" }] } }],
      { amount: [{ denom: "boot", amount: "2000" }], gas: "200000" }, "", { accountNumber: BigInt(accountNumbers[k]!), sequence: i, chainId: CHAIN_ID })
    list.push(TxRaw.encode(raw).finish())
  }
  txs.push(list)
}
const total = CLIENTS * PER
console.log(`signed ${total} txs (${CLIENTS} accounts) in ${((performance.now() - t) / 1000).toFixed(1)} s`)

const check = (codes: number[], what: string) => {
  const bad = codes.filter((c) => c !== 0).length
  if (bad > 0) throw new Error(`${what}: ${bad} of ${codes.length} txs refused`)
}

/** A stage's figures: wall-clock tx/s, and tx/s per CPU second of the node's thread. */
interface Rate { readonly wall: number; readonly cpu: number }

/** Node-thread CPU seconds (user + system) since `from`. */
const cpuSince = (from: NodeJS.CpuUsage): number => {
  const d = process.threadCpuUsage(from)
  return (d.user + d.system) / 1e6
}

/** 1. CheckTx in process, one after another, interleaving the accounts. */
const checkTxStage = async (): Promise<Rate> => {
  const c = await fresh()
  clearVerifyCache()
  const codes: number[] = []
  const t0 = performance.now()
  const c0 = process.threadCpuUsage()
  for (let i = 0; i < PER; i++) for (let k = 0; k < CLIENTS; k++) codes.push((await c.app.checkTx({ tx: txs[k]![i]!, type: CheckTxType.NEW })).code)
  const rate = { wall: total / ((performance.now() - t0) / 1000), cpu: total / cpuSince(c0) }
  check(codes, "CheckTx")
  await c.close()
  return rate
}

/** 2. engine.broadcastTx in process (mempool + producer, no RPC), 4 concurrent callers. */
const engineStage = async (): Promise<Rate> => {
  const c = await fresh()
  clearVerifyCache()
  const codes: number[] = []
  const t0 = performance.now()
  const c0 = process.threadCpuUsage()
  await Promise.all(txs.map(async (list) => {
    for (const tx of list) codes.push((await c.producer.broadcastTx(tx)).code)
  }))
  const rate = { wall: total / ((performance.now() - t0) / 1000), cpu: total / cpuSince(c0) }
  check(codes, "broadcastTx")
  if (c.producer.mempoolSize() !== total) throw new Error(`mempool holds ${c.producer.mempoolSize()}, expected ${total}`)
  await c.close()
  return rate
}

/**
 * 3. broadcast_tx_sync over HTTP from 4 concurrent clients on keep-alive connections, run in a
 * worker thread so that client-side JSON and HTTP work does not share the node's thread.
 */
const rpcStage = async (batch = 1): Promise<Rate> => {
  const c = await fresh()
  const rpc = await startRpcServer({
    address: "127.0.0.1:0", app: c.app, engine: c.producer, blockStore: c.blockStore, genesis: { chain_id: CHAIN_ID },
    nodeInfo: { nodeId: "b".repeat(40), moniker: "bench", listenAddr: "tcp://0.0.0.0:26656" }
  })
  const result = await runClients(rpc.url, bodiesOf(batch))
  check(result.codes, "broadcast_tx_sync")
  if (c.producer.mempoolSize() !== total) throw new Error(`mempool holds ${c.producer.mempoolSize()}, expected ${total}`)
  await rpc.close()
  await c.close()
  return { wall: total / result.seconds, cpu: total / result.cpu }
}

/** Each client's JSON-RPC bodies: one broadcast_tx_sync each, or batches of `batch` in sequence order. */
const bodiesOf = (batch: number): string[][] =>
  txs.map((list, k) => {
    const calls = list.map((tx, i) => ({ jsonrpc: "2.0", id: k * PER + i, method: "broadcast_tx_sync", params: { tx: Buffer.from(tx).toString("base64") } }))
    if (batch === 1) return calls.map((c) => JSON.stringify(c))
    const out: string[] = []
    for (let i = 0; i < calls.length; i += batch) out.push(JSON.stringify(calls.slice(i, i + batch)))
    return out
  })

/** The client worker against `url`; its wall time, the codes, and this thread's CPU seconds meanwhile. */
const runClients = async (url: string, bodies: string[][]): Promise<{ seconds: number; codes: number[]; cpu: number }> => {
  clearVerifyCache()
  const c0 = process.threadCpuUsage()
  const worker = new Worker(new URL("./internal/rpcClients.ts", import.meta.url), { workerData: { url, bodies } })
  const result = await new Promise<{ seconds: number; codes: number[] }>((resolve, reject) => {
    worker.once("message", resolve)
    worker.once("error", reject)
  })
  const cpu = cpuSince(c0)
  await worker.terminate()
  return { ...result, cpu }
}

/**
 * 0. The HTTP floor: a bare node:http server that reads each body and answers a fixed
 * broadcast_tx_sync reply, no JSON parsing, no CheckTx, same clients.
 */
const httpFloorStage = async (): Promise<Rate> => {
  const reply = JSON.stringify({ jsonrpc: "2.0", id: 0, result: { code: 0, data: "", log: "", codespace: "", hash: "00".repeat(32) } })
  const server = createServer((req, res) => {
    req.on("data", () => undefined)
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(reply) })
      res.end(reply)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const { port } = server.address() as AddressInfo
  const result = await runClients(`http://127.0.0.1:${port}`, bodiesOf(1))
  check(result.codes, "bare HTTP")
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return { wall: total / result.seconds, cpu: total / result.cpu }
}

// Warm-up (every path compiled), then two rounds; the best of each stage is reported, as the
// machine may be shared.
await checkTxStage()
const BATCH = 20
const zero: Rate = { wall: 0, cpu: 0 }
const best = { floor: zero, checkTx: zero, engine: zero, rpc: zero, rpcBatch: zero }
const keep = (a: Rate, b: Rate): Rate => ({ wall: Math.max(a.wall, b.wall), cpu: Math.max(a.cpu, b.cpu) })
const show = (r: Rate) => `${r.wall.toFixed(0)} (cpu ${r.cpu.toFixed(0)})`
for (let round = 1; round <= 2; round++) {
  const r = { floor: await httpFloorStage(), checkTx: await checkTxStage(), engine: await engineStage(), rpc: await rpcStage(), rpcBatch: await rpcStage(BATCH) }
  console.log(`round ${round}: bare HTTP ${show(r.floor)} req/s; CheckTx ${show(r.checkTx)}, engine.broadcastTx ${show(r.engine)}, ` +
    `broadcast_tx_sync ${show(r.rpc)}, in batches of ${BATCH} ${show(r.rpcBatch)} tx/s`)
  for (const k of Object.keys(best) as Array<keyof typeof best>) best[k] = keep(best[k], r[k])
}
const ratio = (r: Rate) => `${(r.wall / best.checkTx.wall).toFixed(2)}x CheckTx by wall clock, ${(r.cpu / best.checkTx.cpu).toFixed(2)}x per node-thread CPU second`
console.log(`bare node:http, fixed reply, ${CLIENTS} clients: ${show(best.floor)} req/s (the HTTP floor)`)
console.log(`CheckTx in process: ${show(best.checkTx)} tx/s (baseline)`)
console.log(`engine.broadcastTx in process, ${CLIENTS} callers: ${show(best.engine)} tx/s (${ratio(best.engine)})`)
console.log(`broadcast_tx_sync over RPC, ${CLIENTS} clients: ${show(best.rpc)} tx/s (${ratio(best.rpc)})`)
console.log(`broadcast_tx_sync over RPC in batches of ${BATCH}, ${CLIENTS} clients: ${show(best.rpcBatch)} tx/s (${ratio(best.rpcBatch)})`)
