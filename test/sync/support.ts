/**
 * Support for the sync tests: a producer home with `[sync] listen` on a free loopback port, and a
 * full-node home (config only: its genesis comes from the peer) started by the real CLI with
 * `--sync-from`.
 */
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { defaultConfig, renderConfig } from "../../node/config/ConfigFile.ts"
import { freePort, makeHome, type NodeProcess, type TestHome } from "../e2e/harness.ts"

const root = new URL("../..", import.meta.url).pathname

/** A producer home whose node serves sync on `syncAddr`. */
export interface ProducerHome extends TestHome {
  readonly syncAddr: string
}

/** A producer home (test/e2e/harness makeHome) that also serves `/cyberkernel/sync/1` on loopback. */
export const makeProducerHome = async (blockTimeMs: number): Promise<ProducerHome> => {
  const h = await makeHome(blockTimeMs)
  const port = await freePort()
  const syncAddr = `/ip4/127.0.0.1/tcp/${port}`
  const file = join(h.home, "config", "config.toml")
  const text = readFileSync(file, "utf8")
  const edited = text.replace(/(\[sync\][^[]*?\nlisten = )""/, `$1"${syncAddr}"`)
  if (edited === text) throw new Error(`no [sync] listen in ${file}`)
  writeFileSync(file, edited)
  return { ...h, syncAddr }
}

/** A full-node home: config.toml only (RPC on a free port); `start --sync-from` fetches the genesis. */
export const makeFullNodeHome = async (blockTimeMs = 100): Promise<{ readonly home: string; readonly rpcUrl: string }> => {
  const home = mkdtempSync(join(tmpdir(), "ck-sync-"))
  const port = await freePort()
  mkdirSync(join(home, "config"), { recursive: true })
  writeFileSync(join(home, "config", "config.toml"), renderConfig({
    ...defaultConfig, rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` }, consensus: { ...defaultConfig.consensus, blockTimeMs }
  }))
  return { home, rpcUrl: `http://127.0.0.1:${port}` }
}

/** `cyberkernel start --home <home> --sync-from <addr> --quiet`; resolves once its RPC answers (any height). */
export const startFullNode = async (home: string, rpcUrl: string, syncFrom: string, timeoutMs = 60_000): Promise<NodeProcess & { readonly exited: Promise<number | null> }> => {
  const child = spawn(process.execPath, [join(root, "cli/main.ts"), "start", "--home", home, "--sync-from", syncFrom, "--quiet"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  child.stdout!.on("data", (d) => (out += d))
  child.stderr!.on("data", (d) => (out += d))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const node = {
    child,
    exited,
    output: () => out,
    kill: async (signal: NodeJS.Signals = "SIGKILL") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    }
  }
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (child.exitCode !== null) return node
    try {
      const r = await fetch(`${rpcUrl}/status`)
      if (r.ok) return node
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  await node.kill()
  throw new Error(`full node did not answer within ${timeoutMs} ms:\n${out}`)
}

/** Latest height reported by a node's RPC status. */
export const heightOf = async (rpcUrl: string): Promise<number> => {
  const r = await fetch(`${rpcUrl}/status`)
  const j = (await r.json()) as { result: { sync_info: { latest_block_height: string } } }
  return Number(j.result.sync_info.latest_block_height)
}

/** Wait until `rpcUrl` reports at least `height`; throws with `output()` after `timeoutMs`. */
export const waitHeight = async (rpcUrl: string, height: number, timeoutMs: number, output: () => string): Promise<void> => {
  const deadline = performance.now() + timeoutMs
  let last = 0
  while (performance.now() < deadline) {
    try {
      last = await heightOf(rpcUrl)
      if (last >= height) return
    } catch {
      // restarting or not up
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${rpcUrl} reached height ${last}, not ${height}, within ${timeoutMs} ms:\n${output().slice(-3000)}`)
}

/** Header app hashes (hex) of heights `from..to` as a node's RPC serves them (`blockchain`, 20 per call). */
export const appHashes = async (rpcUrl: string, from: number, to: number): Promise<Map<number, string>> => {
  const out = new Map<number, string>()
  for (let lo = from; lo <= to; lo += 20) {
    const hi = Math.min(to, lo + 19)
    const r = await fetch(`${rpcUrl}/blockchain?minHeight=${lo}&maxHeight=${hi}`)
    const j = (await r.json()) as { result: { block_metas: Array<{ header: { height: string; app_hash: string } }> } }
    for (const m of j.result.block_metas) out.set(Number(m.header.height), m.header.app_hash)
  }
  return out
}
