/**
 * End-to-end harness: a real node home (node/home initHome) and the real CLI `start` in a child
 * process, on a free loopback port, with a short block time.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import { MsgSubmitProposalResponse } from "cosmjs-types/cosmos/gov/v1/tx"
import { Effect } from "effect"
import { msgFromJSON } from "../../modules/gov/MsgJson.ts"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { initHome } from "../../node/home/Home.ts"
import { freePort } from "../support/Port.ts"

const root = new URL("../..", import.meta.url).pathname

/** A free TCP port on 127.0.0.1, outside the ephemeral range (test/support/Port.ts says why). */
export { freePort }

/** A fresh home with a funded dev account. */
export interface TestHome {
  readonly home: string
  readonly rpcUrl: string
  readonly chainId: string
  readonly mnemonic: string
  readonly devAddress: string
}

/**
 * Create a home in a temp dir; RPC on a free port; blocks every `blockTimeMs`. `modules` switches
 * modules on at `init`, so they are in the genesis machine registry (e.g. `["graph", "cyberwasm"]`);
 * `chainId` names the chain (default cyberkernel-dev-1).
 */
export const makeHome = async (blockTimeMs = 200, opts: { readonly modules?: ReadonlyArray<"graph" | "cyberwasm" | "ibc" | "names">; readonly chainId?: string } = {}): Promise<TestHome> => {
  const home = mkdtempSync(join(tmpdir(), "ck-e2e-"))
  const port = await freePort()
  const on = new Set(opts.modules ?? [])
  const config = {
    ...defaultConfig,
    rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` },
    consensus: { ...defaultConfig.consensus, blockTimeMs },
    modules: {
      ...defaultConfig.modules,
      graph: { ...defaultConfig.modules.graph, enabled: on.has("graph") || defaultConfig.modules.graph.enabled },
      cyberwasm: { ...defaultConfig.modules.cyberwasm, enabled: on.has("cyberwasm") || defaultConfig.modules.cyberwasm.enabled },
      ibc: { ...defaultConfig.modules.ibc, enabled: on.has("ibc") || defaultConfig.modules.ibc.enabled },
      names: { ...defaultConfig.modules.names, enabled: on.has("names") || defaultConfig.modules.names.enabled }
    }
  }
  const init = await Effect.runPromise(initHome({ home, config, ...(opts.chainId ? { chainId: opts.chainId } : {}) }))
  if (!init.devAccount?.mnemonic) throw new Error("initHome made no dev mnemonic")
  return { home, rpcUrl: `http://127.0.0.1:${port}`, chainId: init.chainId, mnemonic: init.devAccount.mnemonic, devAddress: init.devAccount.address }
}

/**
 * Edit a home's `config/genesis.json` before `start`: `edit` changes the parsed genesis in place;
 * it is written back (2-space JSON) and returned.
 */
export const editGenesis = (home: string, edit: (genesis: any) => void): any => {
  const path = join(home, "config", "genesis.json")
  const genesis = JSON.parse(readFileSync(path, "utf8"))
  edit(genesis)
  writeFileSync(path, JSON.stringify(genesis, null, 2))
  return genesis
}

/** Replace a home's genesis gov params (e.g. short voting and deposit periods), the rest defaulted by gov. */
export const setGovParams = (home: string, params: Record<string, string>): void => {
  editGenesis(home, (g) => {
    g.app_state.gov = { params }
  })
}

/** A node child process. */
export interface NodeProcess {
  readonly child: ChildProcess
  /** Everything the node printed so far. */
  output(): string
  /** SIGKILL and wait for exit. */
  kill(signal?: NodeJS.Signals): Promise<void>
}

/**
 * `cyberkernel start --home <home>` under the pinned Node; resolves once RPC answers status.
 * `CYBERKERNEL_NODE_FLAGS` (space-separated Node options, e.g. `--cpu-prof --cpu-prof-dir=D`)
 * are passed to the node's process: Node refuses `--cpu-prof` in NODE_OPTIONS, and bench/load
 * profiles the CLI node this way (docs/performance.md).
 */
export const startNode = async (h: TestHome, timeoutMs = 30_000): Promise<NodeProcess> => {
  const flags = process.env.CYBERKERNEL_NODE_FLAGS?.split(" ").filter((f) => f !== "") ?? []
  const child = spawn(process.execPath, [...flags, join(root, "cli/main.ts"), "start", "--home", h.home], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  child.stdout!.on("data", (d) => (out += d))
  child.stderr!.on("data", (d) => (out += d))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const node: NodeProcess = {
    child,
    output: () => out,
    kill: async (signal = "SIGKILL") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    }
  }
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode}:\n${out}`)
    try {
      const r = await fetch(`${h.rpcUrl}/status`)
      const j = (await r.json()) as { result?: { sync_info?: { latest_block_height?: string } } }
      if (Number(j.result?.sync_info?.latest_block_height ?? 0) >= 1) return node
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  await node.kill()
  throw new Error(`node did not answer within ${timeoutMs} ms:\n${out}`)
}

/** JSON-RPC GET helper: `rpc(url, "block", {height: "3"})`. */
export const rpc = async <T = any>(url: string, method: string, params: Record<string, string> = {}): Promise<T> => {
  const q = new URLSearchParams(params).toString()
  const r = await fetch(`${url}/${method}${q ? "?" + q : ""}`)
  const j = (await r.json()) as { result?: T; error?: unknown }
  if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`)
  return j.result as T
}

/** A proposal file as `cyberkernel plugin proposal` prints it (docs/plugins.md). */
export interface ProposalFile {
  readonly messages: unknown[]
  readonly deposit: string
  readonly title: string
  readonly summary: string
  readonly metadata: string
}

/**
 * Submit `file` as a gov v1 proposal with the dev account (CosmJS, its initial deposit) and vote
 * yes with the dev account's stake; returns the proposal id. Throws on a refused tx.
 */
export const submitAndVote = async (h: TestHome, file: ProposalFile): Promise<bigint> => {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
  const client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, { gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 100 })
  try {
    const amount = /^(\d+)([a-z]+)$/.exec(file.deposit)
    if (!amount) throw new Error(`deposit ${file.deposit} is not <amount><denom>`)
    const submitted = await client.signAndBroadcast(h.devAddress, [{
      typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
      value: { messages: file.messages.map(msgFromJSON), initialDeposit: [{ denom: amount[2]!, amount: amount[1]! }], proposer: h.devAddress, metadata: file.metadata, title: file.title, summary: file.summary, expedited: false }
    }], "auto")
    if (submitted.code !== 0) throw new Error(`submit refused: ${submitted.rawLog}`)
    const id = MsgSubmitProposalResponse.decode(submitted.msgResponses[0]!.value).proposalId
    const voted = await client.signAndBroadcast(h.devAddress, [{ typeUrl: "/cosmos.gov.v1.MsgVote", value: { proposalId: id, voter: h.devAddress, option: VoteOption.VOTE_OPTION_YES, metadata: "" } }], "auto")
    if (voted.code !== 0) throw new Error(`vote refused: ${voted.rawLog}`)
    return id
  } finally {
    client.disconnect()
  }
}
