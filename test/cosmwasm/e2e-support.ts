/**
 * Shared parts of the CosmWasm end-to-end tests: the contract fixtures, a node started by the CLI
 * with the CyberWasm machine switched on at `init` (as a user does: modules.cyberwasm.enabled),
 * CosmJS wallets and clients, wasmd's classic contract address derivation (checked against
 * wasmd's own vector), event helpers, and the CLI as a child process.
 */
import { bech32, classicAddress as rawClassicAddress } from "../../modules/cyberwasm/cosmwasm/Address.ts"
import { execFile } from "node:child_process"
import { createRequire } from "node:module"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { Effect } from "effect"
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate"
import { fromBech32, toBech32 } from "@cosmjs/encoding"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import type { Event } from "@cosmjs/stargate"
import { stringToPath } from "@cosmjs/crypto"
import { sha256 } from "@noble/hashes/sha2.js"
import * as assert from "uvu/assert"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { initHome } from "../../node/home/Home.ts"
import { freePort, makeHome, rpc, startNode, type NodeProcess, type TestHome } from "../e2e/harness.ts"

const root = new URL("../..", import.meta.url).pathname

// @cosmjs/cosmwasm-stargate 0.39 re-exports @cosmjs/cosmwasm 0.38, which has its own
// @cosmjs/stargate 0.38: its client wants that version's GasPrice
const stargate038 = createRequire(createRequire(import.meta.url).resolve("@cosmjs/cosmwasm"))("@cosmjs/stargate") as typeof import("@cosmjs/stargate")

/** The bytes of `test/fixtures/cosmwasm/<name>.wasm` (README.md there: source, commit, sha256). */
export const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(root, "test/fixtures/cosmwasm", `${name}.wasm`)))

/** sha256 hex: wasmd's code checksum. */
export const checksumOf = (wasm: Uint8Array): string => Buffer.from(sha256(wasm)).toString("hex")

/** `requires_<cap>` exports of a module, sorted (what wasmd's AnalyzeCode reports). */
export const requiredCapabilities = (wasm: Uint8Array): string[] =>
  WebAssembly.Module.exports(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>))
    .map((e) => e.name)
    .filter((n) => n.startsWith("requires_"))
    .map((n) => n.slice("requires_".length))
    .sort()

/** wasmd BuildContractAddressClassic as bech32 with `prefix` (modules/cyberwasm/cosmwasm/Address.ts). */
export const classicAddress = (codeId: bigint, instanceId: bigint, prefix = "cyber"): string => bech32(prefix, rawClassicAddress(codeId, instanceId))

// wasmd tests/integration/module_test.go: code 1, instance 1 under the "cosmos" prefix
if (classicAddress(1n, 1n, "cosmos") !== "cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr") {
  throw new Error("classicAddress does not reproduce wasmd's vector")
}

/**
 * CosmJS's `instantiate2Address` (@cosmjs/cosmwasm build/instantiate2.js, its own code), run with
 * a `fromBech32` whose length limit defaults to 90: CosmJS's default (Infinity) is refused by the
 * installed @scure/base 2.x ("limit: expected safe integer, got Infinity"), which breaks the
 * exported function for every address.
 */
export const instantiate2Address: (checksum: Uint8Array, creator: string, salt: Uint8Array, prefix: string) => string = (() => {
  const req = createRequire(import.meta.url)
  const encoding = req("@cosmjs/encoding") as typeof import("@cosmjs/encoding")
  const patched = { ...encoding, fromBech32: (address: string, limit = 90) => encoding.fromBech32(address, limit) }
  const file = join(dirname(req.resolve("@cosmjs/cosmwasm")), "instantiate2.js")
  const mod = { exports: {} as { instantiate2Address?: unknown } }
  new Function("exports", "require", "module", readFileSync(file, "utf8"))(mod.exports, (id: string) => (id === "@cosmjs/encoding" ? patched : req(id)), mod)
  return mod.exports.instantiate2Address as (checksum: Uint8Array, creator: string, salt: Uint8Array, prefix: string) => string
})()

/** Same 32 bytes under another prefix. */
export const rebech = (address: string, prefix: string): string => toBech32(prefix, fromBech32(address).data)

/** Attributes of the events of `type`, each as [key, value] pairs in order. */
export const eventsOf = (events: ReadonlyArray<Event>, type: string): Array<Array<[string, string]>> =>
  events.filter((e) => e.type === type).map((e) => e.attributes.map((a) => [a.key, a.value] as [string, string]))

/**
 * A tx the node refuses: this chain runs the messages in CheckTx too (docs/chain.md), so a failing
 * contract call is refused at broadcast with its code, codespace and log, and never charged.
 */
export const refused = async (tx: Promise<unknown>, code: number, codespace: string, log: RegExp | string) => {
  const e = await tx.then(() => undefined, (e: Error) => e)
  assert.ok(e, "the tx should have been refused")
  const m = /Broadcasting transaction failed with code (\d+) \(codespace: ([^)]*)\)\. Log: ([\s\S]*)$/.exec(e!.message)
  assert.ok(m, e!.message)
  assert.is(Number(m![1]), code, e!.message)
  assert.is(m![2], codespace, e!.message)
  if (typeof log === "string") assert.ok(m![3]!.includes(log), `log ${JSON.stringify(m![3])} should contain ${JSON.stringify(log)}`)
  else assert.ok(log.test(m![3]!), `log ${JSON.stringify(m![3])} should match ${log}`)
}
/** wasmd's attributes of one event, with the `msg_index` the SDK (0.50+) appends to a message's events. */
export const at = (attrs: Array<[string, string]>, msgIndex = 0): Array<[string, string]> => [...attrs, ["msg_index", String(msgIndex)]]

/** A running node with CyberWasm (and so CosmWasm) enabled, plus CosmJS clients for three accounts of the dev mnemonic. */
export interface WasmNode {
  readonly home: TestHome
  readonly node: NodeProcess
  readonly wallet: DirectSecp256k1HdWallet
  /** The dev account (funded at genesis), a second and a third account (unfunded). */
  readonly alice: string
  readonly fred: string
  readonly bob: string
  readonly client: SigningCosmWasmClient
  stop(): Promise<void>
}

/**
 * A home with cyberwasm, staking and distribution switched on at `init` (the node's key is the one
 * genesis validator, operated and self-delegated by the dev account).
 */
const makeStakingHome = async (): Promise<TestHome> => {
  const home = mkdtempSync(join(tmpdir(), "ck-e2e-cw-staking-"))
  const port = await freePort()
  const on = { enabled: true }
  const config = {
    ...defaultConfig,
    rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` },
    consensus: { ...defaultConfig.consensus, blockTimeMs: 200 },
    modules: {
      ...defaultConfig.modules,
      cyberwasm: { ...defaultConfig.modules.cyberwasm, ...on },
      staking: { ...defaultConfig.modules.staking, ...on },
      distribution: { ...defaultConfig.modules.distribution, ...on }
    }
  }
  const init = await Effect.runPromise(initHome({ home, config }))
  if (!init.devAccount?.mnemonic) throw new Error("initHome made no dev mnemonic")
  return { home, rpcUrl: `http://127.0.0.1:${port}`, chainId: init.chainId, mnemonic: init.devAccount.mnemonic, devAddress: init.devAccount.address }
}

/**
 * init a home with cyberwasm enabled (with `staking`: also the staking and distribution machines),
 * `start` it through the CLI, connect a SigningCosmWasmClient.
 */
export const startWasmNode = async (opts: { readonly staking?: boolean } = {}): Promise<WasmNode> => {
  const home = opts.staking ? await makeStakingHome() : await makeHome(200, { modules: ["cyberwasm"] })
  const node = await startNode(home)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(home.mnemonic, {
    prefix: "cyber",
    hdPaths: [0, 1, 2].map((i) => stringToPath(`m/44'/118'/0'/0/${i}`))
  })
  const [alice, fred, bob] = (await wallet.getAccounts()).map((a) => a.address) as [string, string, string]
  if (alice !== home.devAddress) throw new Error(`the first account ${alice} is not the dev account ${home.devAddress}`)
  const client = await SigningCosmWasmClient.connectWithSigner(home.rpcUrl, wallet, { gasPrice: stargate038.GasPrice.fromString("0.01boot") as any, broadcastPollIntervalMs: 100 })
  return {
    home, node, wallet, alice, fred, bob, client,
    stop: async () => {
      client.disconnect()
      // SIGTERM, then SIGKILL if the node does not exit within 10 s (a node stuck in a
      // synchronous loop cannot run its signal handler)
      const timer = setTimeout(() => node.child.kill("SIGKILL"), 10_000)
      await node.kill("SIGTERM")
      clearTimeout(timer)
    }
  }
}

/** The codespace of a committed tx (CosmJS's DeliverTxResponse does not carry it): CometBFT RPC `tx`. */
export const codespaceOf = async (n: WasmNode, hash: string): Promise<string> =>
  (await rpc<{ tx_result: { codespace?: string } }>(n.home.rpcUrl, "tx", { hash: `0x${hash}` })).tx_result.codespace ?? ""

/** Wait until the node's height passes `height` (blocks keep coming). */
export const waitHeight = async (n: WasmNode, height: number, timeoutMs = 15_000): Promise<number> => {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const h = await n.client.getHeight()
    if (h > height) return h
    if (performance.now() > deadline) throw new Error(`height stayed at ${h}, wanted > ${height}\n${n.node.output().slice(-3000)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** `cyberkernel <args> --home --node --output json` under the pinned Node: exit status, stdout, stderr. */
export const cliRun = (n: WasmNode, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [join(root, "cli/main.ts"), ...args, "--home", n.home.home, "--node", n.home.rpcUrl, "--output", "json"], { cwd: root, encoding: "utf8" }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }))
  })

/** The CLI's parsed JSON output; throws with stderr on a non-zero exit. */
export const cliJson = async <T = any>(n: WasmNode, ...args: string[]): Promise<T> => {
  const r = await cliRun(n, ...args)
  if (r.status !== 0) throw new Error(`cyberkernel ${args.join(" ")} exited with ${r.status}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}
