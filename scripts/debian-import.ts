/**
 * Import the Debian package dependency graph (scripts/debian-graph.ts: one CIDv0 particle per
 * package name, one link package -> dependency) into a running node through signed
 * MsgCyberlink transactions, then wait for cyber•rank and print the top packages.
 *
 * It creates a fresh home (graph module enabled) whose genesis funds `--neurons` deterministic
 * keys with stake (the fee denom) and lifts the per-block bandwidth cap, starts the node (CLI
 * `start`) as a child process, signs every transaction offline with CosmJS, broadcasts them over
 * the CometBFT RPC (each neuron's txs in sequence order, neurons in parallel), and measures links
 * per second from the first broadcast until GraphStats counts every link. Each package's
 * maintainer picks the neuron (maintainer index mod neurons).
 *
 * Usage: `npx node scripts/debian-import.ts [--graph bench/out/debian-graph.json] [--links N]
 *   [--neurons 32] [--per-tx 500] [--block-ms 500] [--baseline-txs 20] [--keep]`
 *
 * Progress (cli/internal/Progress.ts, on stdout): signing counts txs; the import counts links
 * committed (GraphStats, polled) against the total, with rate and time left; a redrawn line on a
 * terminal, a plain line every 5 s in a log, then a summary line for each.
 *
 * Baseline, same run: before the node starts, the first `--baseline-txs` transactions go through
 * an in-process Application over the same genesis (CheckTx of each, then one FinalizeBlock +
 * Commit of them all, no RPC, no mempool, no block timer): the ceiling the node's import is
 * compared with.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { sha256 } from "@noble/hashes/sha2.js"
import { DirectSecp256k1Wallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { Effect } from "effect"
import { defaultConfig } from "../node/config/ConfigFile.ts"
import { initHome } from "../node/home/Home.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink, QueryGraphStatsResponse, QuerySearchResponse, QueryTopRequest } from "../modules/graph/Messages.ts"
import { packageCid, parseDumpavail } from "./debian-graph.ts"
import { Progress } from "../cli/internal/Progress.ts"
import { execFileSync } from "node:child_process"
import { createServer } from "node:net"

const { values: args } = parseArgs({
  options: {
    graph: { type: "string", default: new URL("../bench/out/debian-graph.json", import.meta.url).pathname },
    links: { type: "string" },
    neurons: { type: "string", default: "32" },
    "per-tx": { type: "string", default: "500" },
    "block-ms": { type: "string", default: "500" },
    keep: { type: "boolean", default: false },
    "baseline-txs": { type: "string", default: "20" }
  }
})

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`)
const root = new URL("..", import.meta.url).pathname

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const a = s.address()
      const port = typeof a === "object" && a ? a.port : 0
      s.close(() => resolve(port))
    })
  })

interface Graph { packages: string[]; maintainers: string[]; links: number[]; cids?: string[] }
const loadGraph = (): Graph => {
  if (existsSync(args.graph!)) return JSON.parse(readFileSync(args.graph!, "utf8")) as Graph
  log(`no ${args.graph}: reading apt-cache dumpavail`)
  return parseDumpavail(execFileSync("apt-cache", ["dumpavail"], { encoding: "utf8", maxBuffer: 1 << 30 }))
}

const main = async () => {
  const g = loadGraph()
  const cids = g.cids ?? g.packages.map(packageCid)
  const total = Math.min(g.links.length / 3, args.links ? Number(args.links) : Infinity)
  const K = Number(args.neurons)
  const perTx = Number(args["per-tx"])
  log(`${g.packages.length} packages, importing ${total} links with ${K} neurons, ${perTx} links per tx`)

  // keys and genesis
  const registry = new Registry([...defaultRegistryTypes, [MSG_CYBERLINK_URL, MsgCyberlink as never]])
  const keys = await Promise.all(Array.from({ length: K }, async (_, i) => {
    const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(`debian neuron ${i}`)), "cyber")
    const address = (await wallet.getAccounts())[0]!.address
    return { address, signer: await SigningStargateClient.offline(wallet, { registry }) }
  }))
  const home = mkdtempSync(join(tmpdir(), "ck-debian-"))
  const port = await freePort()
  const config = {
    ...defaultConfig,
    rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` },
    consensus: { ...defaultConfig.consensus, blockTimeMs: Number(args["block-ms"]) },
    mempool: { ...defaultConfig.mempool, size: 100_000 },
    modules: { ...defaultConfig.modules, graph: { ...defaultConfig.modules.graph, enabled: true } }
  }
  const init = await Effect.runPromise(initHome({ home, config }))
  const gpath = join(home, "config", "genesis.json")
  const genesis = JSON.parse(readFileSync(gpath, "utf8"))
  const first = genesis.app_state.auth.accounts.length
  keys.forEach((k, i) => {
    genesis.app_state.auth.accounts.push({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address: k.address, pub_key: null, account_number: String(first + i), sequence: "0" })
    genesis.app_state.bank.balances.push({ address: k.address, coins: [{ denom: "boot", amount: "10000000000000" }] })
  })
  genesis.app_state.graph = { params: { bandwidth: { max_block_bandwidth: "1000000000000000" } } }
  writeFileSync(gpath, JSON.stringify(genesis, null, 2))

  // txs: links grouped by neuron, perTx per tx, signed offline
  const byNeuron: Array<Array<{ from: string; to: string }>> = Array.from({ length: K }, () => [])
  for (let i = 0; i < total; i++) byNeuron[g.links[3 * i + 2]! % K]!.push({ from: cids[g.links[3 * i]!]!, to: cids[g.links[3 * i + 1]!]! })
  const t0 = performance.now()
  const txs: Uint8Array[][] = []
  const signing = new Progress({ label: "signing", unit: "txs", stream: process.stdout, total: byNeuron.reduce((a, l) => a + Math.ceil(l.length / perTx), 0) })
  for (let n = 0; n < K; n++) {
    const list: Uint8Array[] = []
    for (let o = 0, seq = 0; o < byNeuron[n]!.length; o += perTx, seq++) {
      const links = byNeuron[n]!.slice(o, o + perTx)
      const gas = 500_000 + links.length * 30_000
      const raw = await keys[n]!.signer.sign(keys[n]!.address, [{ typeUrl: MSG_CYBERLINK_URL, value: { neuron: keys[n]!.address, links } }],
        { amount: [{ denom: "boot", amount: String(Math.ceil(gas / 100)) }], gas: String(gas) }, "", { accountNumber: BigInt(first + n), sequence: seq, chainId: init.chainId })
      list.push(TxRaw.encode(raw).finish())
      signing.add()
    }
    txs.push(list)
  }
  const nTx = txs.reduce((a, l) => a + l.length, 0)
  signing.finish()
  log(`signed ${nTx} txs in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  // baseline: the same txs through an in-process application (same genesis, same machines)
  {
    const { Application } = await import("../chain/Application.ts")
    const { makeKernel } = await import("../kernel/Kernel.ts")
    const { loadMachines } = await import("../node/Machines.ts")
    const { registerMachines, producerGenesis } = await import("../node/Node.ts")
    const { openCommitMultiStore } = await import("../store/IavlMultiStore.ts")
    const set = await loadMachines(config)
    const kernel = makeKernel({ node: "baseline" })
    const dir = mkdtempSync(join(tmpdir(), "ck-debian-baseline-"))
    const store = await openCommitMultiStore({ path: dir, namespaces: Application.namespaces() })
    let app: InstanceType<typeof Application> | undefined
    registerMachines(kernel, set, () => app!)
    app = new Application({ chainId: init.chainId, store, machines: set.machines.map((m) => m.machine), pipeline: set.pipeline, bech32Prefix: "cyber" })
    const pg = producerGenesis(genesis)
    await app.initChain({ time: pg.time, chainId: init.chainId, validators: [], appStateBytes: pg.appState, initialHeight: 1n, consensusParams: undefined })
    const sample: Uint8Array[] = []
    for (let i = 0; sample.length < Number(args["baseline-txs"]); i++) {
      const list = txs[i % K]!
      const tx = list[Math.floor(i / K)]
      if (tx) sample.push(tx)
      if (i > K * 1000) break
    }
    const b0 = performance.now()
    for (const tx of sample) {
      const r = await app.checkTx({ tx, type: 0 })
      if (r.code !== 0) throw new Error(`baseline CheckTx: ${r.code} ${r.log}`)
    }
    const b1 = performance.now()
    const fin = await app.finalizeBlock({ txs: sample, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: 1n, time: pg.time, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) })
    await app.commit()
    const b2 = performance.now()
    const failedTx = fin.txResults.filter((r) => r.code !== 0)
    if (failedTx.length > 0) throw new Error(`baseline FinalizeBlock: ${failedTx[0]!.code} ${failedTx[0]!.log}`)
    const links = Number(QueryGraphStatsResponse.decode((await app.query({ path: "/cyber.graph.v1beta1.Query/GraphStats", data: new Uint8Array(), height: 0n, prove: false })).value).cyberlinks)
    log(`BASELINE in-process: ${links} links: CheckTx ${((b1 - b0) / links * 1000).toFixed(1)} µs/link, FinalizeBlock+Commit ${((b2 - b1) / links * 1000).toFixed(1)} µs/link -> ${(links / ((b2 - b0) / 1000)).toFixed(0)} links/s`)
    await store.close()
    kernel.shutdown()
    rmSync(dir, { recursive: true, force: true })
  }

  // node
  const child = spawn(process.execPath, [join(root, "cli/main.ts"), "start", "--home", home], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  child.stdout!.on("data", (d) => (out += d))
  child.stderr!.on("data", (d) => (out += d))
  const rpcUrl = `http://127.0.0.1:${port}`
  let comet: Comet38Client | undefined
  for (let i = 0; i < 300 && !comet; i++) {
    try {
      const c = await Comet38Client.connect(rpcUrl)
      if ((await c.status()).syncInfo.latestBlockHeight >= 1) comet = c
      else c.disconnect()
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  if (!comet) throw new Error(`node did not start:\n${out}`)
  const stats = async () => QueryGraphStatsResponse.decode((await comet!.abciQuery({ path: "/cyber.graph.v1beta1.Query/GraphStats", data: new Uint8Array() })).value)
  try {
    const start = performance.now()
    const h0 = (await comet.status()).syncInfo.latestBlockHeight
    let failed = 0
    // committed links as the chain counts them (GraphStats), polled while txs go out and after
    const importing = new Progress({ label: "importing", unit: "links", stream: process.stdout, total })
    let broadcasting = true
    const poller = (async () => {
      while (broadcasting) {
        await new Promise((r) => setTimeout(r, 500))
        const st = await stats().catch(() => undefined) // a busy node may miss one poll
        if (st) importing.set(Number(st.cyberlinks))
      }
    })()
    await Promise.all(txs.map(async (list) => {
      for (const tx of list) {
        for (;;) {
          const r = await comet!.broadcastTxSync({ tx })
          if (r.code === 0) break
          if (r.code === 20) { await new Promise((res) => setTimeout(res, 200)); continue } // mempool full
          failed++
          importing.note(`[${new Date().toISOString().slice(11, 19)}] tx refused: code ${r.code} ${r.log}`)
          importing.setTotal(Math.max(0, total - failed * perTx))
          break
        }
      }
    })).finally(() => { broadcasting = false })
    await poller
    const broadcastS = (performance.now() - start) / 1000
    let s = await stats()
    while (Number(s.cyberlinks) < total - failed * perTx && performance.now() - start < 3_600_000) {
      importing.set(Number(s.cyberlinks))
      await new Promise((r) => setTimeout(r, 200))
      s = await stats()
    }
    importing.set(Number(s.cyberlinks))
    importing.finish(failed > 0 ? `${failed} txs refused` : undefined)
    const seconds = (performance.now() - start) / 1000
    const h1 = (await comet.status()).syncInfo.latestBlockHeight
    log(`broadcast in ${broadcastS.toFixed(1)} s; ${s.cyberlinks} links, ${s.particles} particles committed in ${seconds.toFixed(1)} s over ${h1 - h0} blocks`)
    log(`IMPORT ${(Number(s.cyberlinks) / seconds).toFixed(0)} links/s (${(nTx / seconds).toFixed(1)} tx/s, ${perTx} links per tx)`)
    // rank: snapshot at the next multiple of the period, published at the one after
    const period = config.modules.graph.rankPeriodBlocks
    const target = (Math.floor(h1 / period) + 2) * period
    const r0 = performance.now()
    while ((await comet.status()).syncInfo.latestBlockHeight < target) await new Promise((r) => setTimeout(r, 100))
    log(`rank published at height ${target} (${((performance.now() - r0) / 1000).toFixed(1)} s after the import)`)
    const top = QuerySearchResponse.decode((await comet.abciQuery({ path: "/cyber.rank.v1beta1.Query/Top", data: QueryTopRequest.encode({ pagination: { page: 0, perPage: 15 } }).finish() })).value)
    const name = new Map(cids.map((c, i) => [c, g.packages[i]!]))
    top.result.forEach((p, i) => console.log(`${String(i + 1).padStart(2)}. ${name.get(p.particle)?.padEnd(28)} ${p.rank}`))
  } finally {
    comet.disconnect()
    child.kill("SIGTERM")
    if (!args.keep) rmSync(home, { recursive: true, force: true })
    else log(`home kept at ${home}`)
  }
}

await main()
