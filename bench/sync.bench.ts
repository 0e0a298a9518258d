/**
 * Full-node sync speed against local replay of the same blocks, in one run (issue 14 item 5).
 *
 *   1. A producer started by the CLI (`[sync] listen` on loopback) gets `txs` pre-signed CosmJS
 *      MsgSends and runs to height `blocks`.
 *   2. Sync: a full node started by the CLI with `--sync-from` (fresh home, genesis from the peer)
 *      fetches, verifies (header, commit signature) and re-executes every block, storing each;
 *      measured from its first RPC answer to reaching `blocks`: blocks/s (and txs/s).
 *   3. Local replay: a copy of the synced home without its application state, started as a
 *      producer (the genesis validator key copied in): its start-up handshake runs InitChain and
 *      replays the stored blocks with FinalizeBlock + Commit (no fetch, no verification, no
 *      saving of blocks). Its time is the start-up time less that of the same home with no
 *      blocks (InitChain only), each the median of `runs` starts.
 *
 * Run: `npx node bench/sync.bench.ts [blocks=300] [txs=2000] [runs=3]`
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { spawn } from "node:child_process"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { SigningStargateClient, StargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { freePort, startNode } from "../test/e2e/harness.ts"
import { heightOf, makeFullNodeHome, makeProducerHome, startFullNode, waitHeight } from "../test/sync/support.ts"

const [blocks = 300, txCount = 2000, runs = 3] = process.argv.slice(2).map(Number)
if (![blocks, txCount, runs].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write("usage: bench/sync.bench.ts [blocks>0] [txs>0] [runs>0]\n")
  process.exit(2)
}
const root = new URL("..", import.meta.url).pathname
const la = () => loadavg().map((x) => x.toFixed(2)).join(" ")
console.log(`node ${process.version}; ${blocks} blocks, ${txCount} txs; load average before ${la()}`)

// 1. producer with txs
const p = await makeProducerHome(100)
const pn = await startNode(p)
const wallet = await DirectSecp256k1HdWallet.fromMnemonic(p.mnemonic, { prefix: "cyber" })
const [alice] = await wallet.getAccounts()
const q = await StargateClient.connect(p.rpcUrl)
const acct = await q.getAccount(alice!.address)
const signer = await SigningStargateClient.offline(wallet)
const signed: Uint8Array[] = []
for (let i = 0; i < txCount; i++) {
  const raw = await signer.sign(alice!.address, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice!.address, toAddress: alice!.address, amount: [{ denom: "boot", amount: "1" }] } }],
    { amount: [{ denom: "boot", amount: "1000" }], gas: "100000" }, "", { accountNumber: acct!.accountNumber, sequence: acct!.sequence + i, chainId: p.chainId })
  signed.push(TxRaw.encode(raw).finish())
}
for (const tx of signed) {
  for (;;) {
    let r: { result?: { code: number; log: string } }
    try {
      r = (await (await fetch(`${p.rpcUrl}/broadcast_tx_sync?tx=0x${Buffer.from(tx).toString("hex")}`)).json()) as typeof r
    } catch {
      // a kept-alive connection closed by the server under load: ask again (a duplicate is code 3)
      await new Promise((res) => setTimeout(res, 100))
      continue
    }
    if (r.result?.code === 3) break
    if (r.result?.code === 0) break
    if (r.result?.code === 2) { await new Promise((res) => setTimeout(res, 200)); continue } // mempool full
    throw new Error(`tx refused: ${JSON.stringify(r)}`)
  }
}
q.disconnect()
await waitHeight(p.rpcUrl, blocks + 2, 600_000, pn.output)
const seq = (await (await StargateClient.connect(p.rpcUrl)).getAccount(alice!.address))!.sequence
console.log(`producer at height ${await heightOf(p.rpcUrl)}; ${seq - acct!.sequence} of ${txCount} txs committed`)

// 2. sync
const f = await makeFullNodeHome(100)
const fn = await startFullNode(f.home, f.rpcUrl, p.syncAddr)
const t0 = performance.now()
const h0 = await heightOf(f.rpcUrl)
await waitHeight(f.rpcUrl, blocks, 600_000, fn.output)
const syncS = (performance.now() - t0) / 1000
const syncRate = (blocks - h0) / syncS
console.log(`sync: heights ${h0 + 1}..${blocks} in ${syncS.toFixed(2)} s = ${syncRate.toFixed(1)} blocks/s (load average ${la()})`)
await fn.kill("SIGTERM")
await pn.kill("SIGTERM")

// 3. local replay of the synced blocks
const startedIn = async (home: string): Promise<number> => {
  const port = await freePort()
  const cfg = join(home, "config", "config.toml")
  writeFileSync(cfg, readFileSync(cfg, "utf8").replace(/^listen = "127\.0\.0\.1:\d+"$/m, `listen = "127.0.0.1:${port}"`).replace(/^block_time_ms = \d+$/m, "block_time_ms = 600000"))
  const t = performance.now()
  const child = spawn(process.execPath, [join(root, "cli/main.ts"), "start", "--home", home, "--quiet"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  child.stdout!.on("data", (d) => (out += d)); child.stderr!.on("data", (d) => (out += d))
  const exited = new Promise((r) => child.once("exit", r))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`replay node exited:\n${out}`)
      try { if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) return (performance.now() - t) / 1000 } catch { /* not up */ }
      await new Promise((r) => setTimeout(r, 20))
    }
  } finally {
    child.kill("SIGTERM"); await exited
  }
}
const copyHome = (withBlocks: boolean): string => {
  const d = mkdtempSync(join(tmpdir(), "ck-replay-"))
  cpSync(f.home, d, { recursive: true })
  rmSync(join(d, "data", "state"), { recursive: true, force: true })
  if (!withBlocks) rmSync(join(d, "data", "blocks"), { recursive: true, force: true })
  cpSync(join(p.home, "config", "priv_validator_key.json"), join(d, "config", "priv_validator_key.json"))
  return d
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const replayT: number[] = [], baseT: number[] = []
let replayedTo = 0
for (let i = 0; i < runs; i++) {
  const r = copyHome(true), b = copyHome(false)
  replayT.push(await startedIn(r)); baseT.push(await startedIn(b))
  const { openLevelBlockStore } = await import("../node/blockstore/LevelBlockStore.ts")
  const s = await openLevelBlockStore(join(r, "data", "blocks")); replayedTo = s.height(); await s.close()
  rmSync(r, { recursive: true, force: true }); rmSync(b, { recursive: true, force: true })
}
const replayS = median(replayT) - median(baseT)
const replayRate = replayedTo / replayS
console.log(`local replay: ${replayedTo} blocks; start-up ${median(replayT).toFixed(2)} s with them, ${median(baseT).toFixed(2)} s without (medians of ${runs}: ${replayT.map((x) => x.toFixed(2)).join(" ")} / ${baseT.map((x) => x.toFixed(2)).join(" ")}) = ${replayS.toFixed(2)} s = ${replayRate.toFixed(1)} blocks/s`)
console.log(`sync / local replay: ${(syncRate / replayRate).toFixed(2)}x (load average ${la()})`)
rmSync(p.home, { recursive: true, force: true }); rmSync(f.home, { recursive: true, force: true })
