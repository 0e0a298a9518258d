/**
 * The load test of issue 15, as a function that bench/load.bench.ts (the measurement) and
 * test/e2e/load.test.ts (nothing lost, on a smaller load) both run:
 *
 *   1. a node home (test/e2e/harness.ts makeHome: what `cyberkernel init` writes) with `accounts`
 *      extra accounts funded in genesis, started by the real CLI (`cyberkernel start`) as a child;
 *   2. every tx pre-signed with CosmJS (DirectSecp256k1Wallet, offline, explicit account number
 *      and sequence) before the clock starts: MsgSend of a varying small amount from each account
 *      to one of a few fresh recipients;
 *   3. the parallel verification rate of modules/auth/VerifierPool.ts on those signatures, in this
 *      process, while the node idles (the baseline the rates are reported against);
 *   4. the broadcast: each account sends its txs in sequence order over its own keep-alive HTTP
 *      connection, one request in flight per account, either one `broadcast_tx_sync` per request
 *      or JSON-RPC batches of `batch` (the node runs a batch in order). A mempool-full refusal
 *      (codespace "mempool", code 2) is retried after a short wait, as a client would; any other
 *      refusal stops that account (its later sequences cannot be accepted);
 *   5. meanwhile `status` is polled every 50 ms: the wall time each height was first seen;
 *   6. after the last reply, waiting until the mempool is empty and every accepted tx is in a block
 *      (or `drainTimeoutMs` passes), then reading every block since the start (`block` for the
 *      txs and header times, `block_results` for the codes) and each account (CosmJS
 *      StargateClient: sequence and balance) to check that nothing was lost.
 *
 * Rates are wall-clock: accepted/s from the first request to the last reply; included/s from the
 * first request to the first sight of the last block holding one of the txs. Block intervals are
 * differences of header times (the producer's clock) of the blocks from the first one after the
 * start to the last one holding a tx.
 *
 * Node plane (bench and test support): timers and wall clocks are fine here.
 */
import { readFileSync, rmSync } from "node:fs"
import { Agent, request } from "node:http"
import { loadavg } from "node:os"
import { toBech32 } from "@cosmjs/encoding"
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing"
import { SigningStargateClient, StargateClient } from "@cosmjs/stargate"
import { AuthInfo, SignDoc, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { SignatureCheck } from "../../chain/TxPipeline.ts"
import { sha256 } from "../../lib/Bytes.ts"
import { openVerifierPool } from "../../modules/auth/VerifierPool.ts"
import { clearVerifyCache } from "../../modules/auth/internal/Secp256k1.ts"
import { Effect } from "effect"
import { loadConfig, writeConfig } from "../../node/config/ConfigFile.ts"
import { editGenesis, makeHome, startNode, type NodeProcess, type TestHome } from "../../test/e2e/harness.ts"

/** What to run. */
export interface LoadOptions {
  /** Transactions in all (split evenly over the accounts; rounded up to a multiple of `accounts`). */
  readonly txs: number
  /** Sending accounts, each with one request in flight. */
  readonly accounts: number
  /** Txs per request: 1 = one `broadcast_tx_sync` per HTTP request; more = JSON-RPC batches (at most the node's max_batch_requests, 100 by default). */
  readonly batch: number
  /** The node's block time, ms (config consensus.block_time_ms). */
  readonly blockTimeMs: number
  /** The node's mempool size (config mempool.size; default the config's, 5,000). */
  readonly mempoolSize?: number
  /** Give up waiting for inclusion this long after the last reply (default 60 s). */
  readonly drainTimeoutMs?: number
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void
}

/** A tx the node refused for good (not a mempool-full refusal, which is retried). */
export interface Refusal {
  readonly account: number
  readonly sequence: number
  readonly code: number
  readonly codespace: string
  readonly log: string
}

/** One block of the run. */
export interface RunBlock {
  readonly height: number
  /** Txs in the block (all of them, ours or not). */
  readonly txs: number
  /** Header time, ms since the epoch (fraction kept). */
  readonly timeMs: number
}

/** What nothing-lost found wrong (all empty when nothing was lost). */
export interface Losses {
  /** Accepted (CheckTx code 0) but in no block by the end. Hex hashes. */
  readonly missing: ReadonlyArray<string>
  /** Accepted and in a block, with a non-zero result code. */
  readonly failedInBlock: ReadonlyArray<{ readonly hash: string; readonly height: number; readonly code: number; readonly log: string }>
  /** One of ours in a block although the node did not accept it (or included twice). */
  readonly unexpected: ReadonlyArray<string>
  /** Accounts whose final sequence is not start + accepted. */
  readonly sequences: ReadonlyArray<{ readonly address: string; readonly expected: number; readonly actual: number }>
  /** Accounts (senders and recipients) whose final balance is not what the accepted txs give. */
  readonly balances: ReadonlyArray<{ readonly address: string; readonly expected: string; readonly actual: string }>
}

/** The figures and checks of one run. */
export interface LoadResult {
  readonly txs: number
  readonly accounts: number
  readonly batch: number
  readonly blockTimeMs: number
  /** Seconds spent signing (before the clock). */
  readonly signSeconds: number
  /** The VerifierPool's rate on these signatures (verifications/s), its threads and verifier. */
  readonly parallelVerify: { readonly perSecond: number; readonly threads: number; readonly verifier: string }
  /** The verifier the node reports (status node_info.other.secp256k1_verifier). */
  readonly nodeVerifier: string
  readonly accepted: number
  readonly refused: ReadonlyArray<Refusal>
  /** Mempool-full refusals that were retried. */
  readonly fullRetries: number
  /** HTTP requests sent (retries included). */
  readonly requests: number
  readonly acceptSeconds: number
  readonly includeSeconds: number
  readonly acceptedPerSecond: number
  readonly includedPerSecond: number
  /** Blocks from the first after the start to the last holding one of the txs. */
  readonly blocks: ReadonlyArray<RunBlock>
  readonly intervalMeanMs: number
  readonly intervalMaxMs: number
  /** Most txs in one block. */
  readonly maxBlockTxs: number
  /** Highest mempool size seen by the 50 ms poll. */
  readonly maxMempool: number
  /**
   * CPU seconds (user + system, all its threads: RPC, block thread, verifier workers) the node
   * process spent from the first request to the last inclusion; undefined off Linux (/proc).
   */
  readonly nodeCpuSeconds: number | undefined
  /** os.loadavg() before signing, at the start of the broadcast, and at its end. */
  readonly load: { readonly before: ReadonlyArray<number>; readonly start: ReadonlyArray<number>; readonly end: ReadonlyArray<number> }
  readonly losses: Losses
  /** True when every list in `losses` is empty, nothing was refused and the counts agree. */
  readonly nothingLost: boolean
}

const DENOM = "boot"
// a MsgSend uses about 34,000 gas (more to a new account); asking 50,000 lets a block hold 6,000 under the default max_gas
const GAS = "50000"
const FEE = 500n // GAS at the default min_gas_price 0.01
const FUNDS = 10_000_000_000n
const RECIPIENTS = 5
/** Amount of the i-th tx of an account: varies so that a lost or doubled tx shows in the balances. */
const amountOf = (i: number): bigint => BigInt(1 + (i % 7))
const MEMPOOL_FULL = 2

interface Reply { readonly code: number; readonly codespace: string; readonly log: string; readonly hash: string }

/** POST one JSON-RPC body over `agent`; the parsed reply. */
const post = (url: URL, agent: Agent, body: string): Promise<any> =>
  new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: "POST", path: "/", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = []
      res.on("data", (d: Buffer) => chunks.push(d))
      res.on("end", () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")))
        } catch (e) {
          reject(e)
        }
      })
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(body)
  })

/** One JSON-RPC call; throws on an error reply. */
const call = async <T = any>(url: URL, agent: Agent, method: string, params: Record<string, unknown> = {}): Promise<T> => {
  const r = await post(url, agent, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }))
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`)
  return r.result as T
}

/** RFC 3339 with up to 9 fraction digits → ms since the epoch, fraction kept. */
const timeMs = (t: string): number => {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t)
  if (!m) throw new Error(`not an RFC 3339 UTC time: ${t}`)
  return Date.parse(m[1] + "Z") + Number(`0.${m[2] ?? "0"}`) * 1000
}

/** CPU seconds (user + system) of process `pid` so far, from /proc (Linux); undefined elsewhere. */
const processCpu = (pid: number | undefined): number | undefined => {
  if (pid === undefined || process.platform !== "linux") return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(f[11]) + Number(f[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return undefined
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Run the load test (see the module docs). Starts and stops its own node; removes its home. */
export const runLoad = async (o: LoadOptions): Promise<LoadResult> => {
  const log = o.log ?? (() => undefined)
  const per = Math.ceil(o.txs / o.accounts)
  const total = per * o.accounts
  const before = loadavg()

  // Keys: fixed, so that runs are comparable; the accounts are funded in genesis.
  const wallets = await Promise.all(Array.from({ length: o.accounts }, (_, k) => DirectSecp256k1Wallet.fromKey(sha256(`cyberkernel load test account ${k}`), "cyber")))
  const senders = await Promise.all(wallets.map(async (w) => (await w.getAccounts())[0]!))
  const recipients = Array.from({ length: RECIPIENTS }, (_, r) => toBech32("cyber", sha256(`cyberkernel load test recipient ${r}`).subarray(0, 20)))

  const h: TestHome = await makeHome(o.blockTimeMs)
  let node: NodeProcess | undefined
  const agents: Agent[] = []
  try {
    editGenesis(h.home, (g) => {
      const accounts = g.app_state.auth.accounts as Array<{ account_number: string }>
      let next = accounts.reduce((m, a) => Math.max(m, Number(a.account_number) + 1), 0)
      for (const s of senders) {
        accounts.push({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address: s.address, pub_key: null, account_number: String(next++), sequence: "0" } as any)
        g.app_state.bank.balances.push({ address: s.address, coins: [{ denom: DENOM, amount: String(FUNDS) }] })
      }
    })
    if (o.mempoolSize !== undefined) {
      const c = await Effect.runPromise(loadConfig(h.home))
      writeConfig(h.home, { ...c, mempool: { ...c.mempool, size: o.mempoolSize } })
    }
    node = await startNode(h)
    const url = new URL(h.rpcUrl)
    const control = new Agent({ keepAlive: true, maxSockets: 1 })
    agents.push(control)
    const status = await call(url, control, "status")
    const nodeVerifier = String(status.node_info?.other?.secp256k1_verifier ?? "unknown")

    // Start state, read with CosmJS.
    const reader = await StargateClient.connect(h.rpcUrl)
    const start = await Promise.all(senders.map(async (s) => {
      const a = await reader.getAccount(s.address)
      if (!a) throw new Error(`account ${s.address} not found after genesis`)
      return { accountNumber: a.accountNumber, sequence: a.sequence, balance: BigInt((await reader.getBalance(s.address, DENOM)).amount) }
    }))
    const recipientStart = await Promise.all(recipients.map(async (r) => BigInt((await reader.getBalance(r, DENOM)).amount)))

    // Pre-sign every tx.
    let t = performance.now()
    const signed: Array<Array<{ readonly bytes: Uint8Array; readonly b64: string; readonly hash: string; readonly to: number; readonly amount: bigint }>> = []
    for (let k = 0; k < o.accounts; k++) {
      const client = await SigningStargateClient.offline(wallets[k]!)
      const list = []
      for (let i = 0; i < per; i++) {
        const to = (k + i) % RECIPIENTS
        const amount = amountOf(i)
        const raw = await client.sign(senders[k]!.address, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: senders[k]!.address, toAddress: recipients[to], amount: [{ denom: DENOM, amount: String(amount) }] } }],
          { amount: [{ denom: DENOM, amount: String(FEE) }], gas: GAS }, "", { accountNumber: start[k]!.accountNumber, sequence: start[k]!.sequence + i, chainId: h.chainId })
        const bytes = TxRaw.encode(raw).finish()
        list.push({ bytes, b64: Buffer.from(bytes).toString("base64"), hash: hex(sha256(bytes)), to, amount })
      }
      signed.push(list)
    }
    const signSeconds = (performance.now() - t) / 1000
    log(`signed ${total} txs (${o.accounts} accounts) in ${signSeconds.toFixed(1)} s`)

    // Baseline: the pool's verification rate on these signatures, here, while the node idles.
    const checks: SignatureCheck[] = signed.flatMap((list, k) => list.map((s) => {
      const raw = TxRaw.decode(s.bytes)
      const pubkey = AuthInfo.decode(raw.authInfoBytes).signerInfos[0]!.publicKey!.value.subarray(2)
      const message = SignDoc.encode({ bodyBytes: raw.bodyBytes, authInfoBytes: raw.authInfoBytes, chainId: h.chainId, accountNumber: BigInt(start[k]!.accountNumber) }).finish()
      return { scheme: "secp256k1" as const, pubkey, message, signature: raw.signatures[0]! }
    }))
    const pool = openVerifierPool()
    let parallelVerify
    try {
      await pool.verify(checks.slice(0, 64 * pool.threads)) // start the workers
      clearVerifyCache()
      t = performance.now()
      const flags = await pool.verify(checks)
      parallelVerify = { perSecond: checks.length / ((performance.now() - t) / 1000), threads: pool.threads, verifier: pool.verifier }
      if (flags.some((f) => !f)) throw new Error("the verifier pool found a pre-signed signature invalid")
      clearVerifyCache()
    } finally {
      await pool.close()
    }
    log(`parallel verify: ${parallelVerify.perSecond.toFixed(0)}/s (${parallelVerify.threads} workers, ${parallelVerify.verifier}); node verifier ${nodeVerifier}`)

    // The poll: first sight of each height, mempool size.
    const startHeight = Number((await call(url, control, "status")).sync_info.latest_block_height)
    const seen = new Map<number, number>()
    let maxMempool = 0
    let mempool = 0
    let latest = startHeight
    let polling = true
    /** Start time of the poll whose figures `latest` and `mempool` hold. */
    let polledAt = 0
    /** The node's CPU seconds at the first sight of each height. */
    const seenCpu = new Map<number, number | undefined>()
    const poller = (async () => {
      const a = new Agent({ keepAlive: true, maxSockets: 1 })
      agents.push(a)
      while (polling) {
        const at = performance.now()
        try {
          const [st, un] = await Promise.all([call(url, a, "status"), call(url, a, "num_unconfirmed_txs")])
          const now = performance.now()
          latest = Number(st.sync_info.latest_block_height)
          if (!seen.has(latest)) {
            seen.set(latest, now)
            seenCpu.set(latest, processCpu(node!.child.pid))
          }
          mempool = Number(un.n_txs)
          if (mempool > maxMempool) maxMempool = mempool
          polledAt = at
        } catch {
          // the node is busy or the request failed: try again on the next tick
        }
        await sleep(50)
      }
    })()

    // The broadcast.
    const startLoad = loadavg()
    const accepted = new Set<string>()
    const acceptedCount = new Array<number>(o.accounts).fill(0)
    const refused: Refusal[] = []
    let fullRetries = 0
    let requests = 0
    const cpu0 = processCpu(node.child.pid)
    const t0 = performance.now()
    seen.set(startHeight, seen.get(startHeight) ?? t0)
    await Promise.all(signed.map(async (list, k) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      agents.push(agent)
      let i = 0
      while (i < list.length) {
        const chunk = list.slice(i, i + o.batch)
        const body = o.batch === 1
          ? JSON.stringify({ jsonrpc: "2.0", id: i, method: "broadcast_tx_sync", params: { tx: chunk[0]!.b64 } })
          : JSON.stringify(chunk.map((s, j) => ({ jsonrpc: "2.0", id: i + j, method: "broadcast_tx_sync", params: { tx: s.b64 } })))
        requests++
        const r = await post(url, agent, body)
        const replies: Array<any> = Array.isArray(r) ? [...r].sort((a, b) => a.id - b.id) : [r]
        let stop = false
        for (let j = 0; j < chunk.length; j++) {
          const one = replies[j]
          const res: Reply | undefined = one?.result
          if (res && res.code === 0) {
            accepted.add(chunk[j]!.hash)
            acceptedCount[k]!++
            i++
            continue
          }
          if (res && res.codespace === "mempool" && res.code === MEMPOOL_FULL) {
            fullRetries++
            await sleep(Math.min(200, o.blockTimeMs / 4))
          } else {
            refused.push({ account: k, sequence: start[k]!.sequence + i, code: res?.code ?? -1, codespace: res?.codespace ?? "rpc", log: res?.log ?? JSON.stringify(one?.error ?? one) })
            stop = true
          }
          break // the rest of the batch followed a refused tx: resend it from here (or stop)
        }
        if (stop) break
      }
    }))
    const acceptSeconds = (performance.now() - t0) / 1000
    const endLoad = loadavg()
    log(`accepted ${accepted.size} of ${total} in ${acceptSeconds.toFixed(2)} s (${requests} requests, ${fullRetries} mempool-full retries, ${refused.length} refused)`)

    // Drain: wait for an empty mempool and a block after it, then read the blocks.
    const included = new Map<string, { height: number; index: number }>()
    const blocks: Array<RunBlock & { readonly hashes: ReadonlyArray<string>; readonly codes: ReadonlyArray<{ code: number; log: string }> }> = []
    const unexpected: string[] = []
    const ours = new Set(signed.flatMap((l) => l.map((s) => s.hash)))
    let read = startHeight
    const readBlocks = async (to: number) => {
      for (let height = read + 1; height <= to; height++) {
        const b = await call(url, control, "block", { height: String(height) })
        const res = await call(url, control, "block_results", { height: String(height) })
        const txs: string[] = (b.block.data.txs ?? []).map((x: string) => hex(sha256(Buffer.from(x, "base64"))))
        const codes = ((res.txs_results ?? []) as Array<{ code?: number; log?: string }>).map((x) => ({ code: x.code ?? 0, log: x.log ?? "" }))
        if (codes.length !== txs.length) throw new Error(`block ${height}: ${txs.length} txs but ${codes.length} results`)
        txs.forEach((hash, index) => {
          if (!ours.has(hash)) return
          if (included.has(hash) || !accepted.has(hash)) unexpected.push(hash)
          else included.set(hash, { height, index })
        })
        blocks.push({ height, txs: txs.length, timeMs: timeMs(b.block.header.time), hashes: txs, codes })
        read = height
      }
    }
    // Blocks are read only once the mempool is empty (every accepted tx included, or dropped), so
    // that serving them does not count in the run's node CPU.
    const acceptedAt = performance.now()
    const drainDeadline = acceptedAt + (o.drainTimeoutMs ?? 60_000)
    while (performance.now() < drainDeadline && !(polledAt > acceptedAt && mempool === 0)) await sleep(25)
    polling = false
    await poller
    await readBlocks(Number((await call(url, control, "status")).sync_info.latest_block_height))
    const lastOurs = blocks.filter((b) => b.hashes.some((x) => ours.has(x))).at(-1)
    // first sight of the last block holding one of ours (or of the first height past it)
    const sight = lastOurs ? [...seen.keys()].filter((hh) => hh >= lastOurs.height).sort((a, b) => a - b)[0] : undefined
    const lastSeen = sight !== undefined ? seen.get(sight)! : performance.now()
    const includeSeconds = (lastSeen - t0) / 1000
    const cpu1 = sight !== undefined ? seenCpu.get(sight) : processCpu(node.child.pid)
    const nodeCpuSeconds = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined
    const run = lastOurs ? blocks.filter((b) => b.height <= lastOurs.height) : blocks
    const intervals = run.slice(1).map((b, i) => b.timeMs - run[i]!.timeMs)

    // Nothing lost.
    const missing = [...accepted].filter((x) => !included.has(x))
    const failedInBlock: Array<{ hash: string; height: number; code: number; log: string }> = []
    for (const [hash, at] of included) {
      const b = blocks.find((x) => x.height === at.height)!
      const r = b.codes[at.index]!
      if (r.code !== 0) failedInBlock.push({ hash, height: at.height, code: r.code, log: r.log })
    }
    const sequences: Array<{ address: string; expected: number; actual: number }> = []
    const balances: Array<{ address: string; expected: string; actual: string }> = []
    const received = new Array<bigint>(RECIPIENTS).fill(0n)
    for (let k = 0; k < o.accounts; k++) {
      const address = senders[k]!.address
      const a = await reader.getAccount(address)
      const expectedSeq = start[k]!.sequence + acceptedCount[k]!
      if (a?.sequence !== expectedSeq) sequences.push({ address, expected: expectedSeq, actual: a?.sequence ?? -1 })
      let spent = 0n
      for (const s of signed[k]!) {
        if (!accepted.has(s.hash)) continue
        spent += s.amount + FEE
        received[s.to]! += s.amount
      }
      const actual = BigInt((await reader.getBalance(address, DENOM)).amount)
      if (actual !== start[k]!.balance - spent) balances.push({ address, expected: String(start[k]!.balance - spent), actual: String(actual) })
    }
    for (let r = 0; r < RECIPIENTS; r++) {
      const actual = BigInt((await reader.getBalance(recipients[r]!, DENOM)).amount)
      if (actual !== recipientStart[r]! + received[r]!) balances.push({ address: recipients[r]!, expected: String(recipientStart[r]! + received[r]!), actual: String(actual) })
    }
    reader.disconnect()
    const losses: Losses = { missing, failedInBlock, unexpected, sequences, balances }
    const nothingLost = missing.length === 0 && failedInBlock.length === 0 && unexpected.length === 0 && sequences.length === 0 && balances.length === 0 &&
      refused.length === 0 && accepted.size === total && included.size === total

    return {
      txs: total, accounts: o.accounts, batch: o.batch, blockTimeMs: o.blockTimeMs, signSeconds, parallelVerify, nodeVerifier,
      accepted: accepted.size, refused, fullRetries, requests, acceptSeconds, includeSeconds,
      acceptedPerSecond: accepted.size / acceptSeconds, includedPerSecond: included.size / includeSeconds,
      blocks: run.map(({ height, txs, timeMs }) => ({ height, txs, timeMs })),
      intervalMeanMs: intervals.length ? intervals.reduce((a, b) => a + b, 0) / intervals.length : Number.NaN,
      intervalMaxMs: intervals.length ? Math.max(...intervals) : Number.NaN,
      maxBlockTxs: Math.max(0, ...run.map((b) => b.txs)), maxMempool,
      nodeCpuSeconds, load: { before, start: startLoad, end: endLoad }, losses, nothingLost
    }
  } finally {
    for (const a of agents) a.destroy()
    await node?.kill("SIGTERM")
    rmSync(h.home, { recursive: true, force: true })
  }
}
