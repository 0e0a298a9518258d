/**
 * In-process fixture for the graph machine tests: the real multiplexer, IAVL store, kernel
 * capabilities and auth/bank/graph machines (loaded by node/Machines.ts with the graph module
 * enabled), CosmJS signing of MsgCyberlink with a Registry that knows go-cyber's type.
 */
import { DirectSecp256k1Wallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { sha256 } from "@noble/hashes/sha2.js"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Application } from "../../chain/Application.ts"
import type { RequestFinalizeBlock, ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import { makeKernel } from "../../kernel/Kernel.ts"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { makeGenesis } from "../../node/home/Genesis.ts"
import { ed25519FromSeed } from "../../node/home/ValidatorKey.ts"
import { loadMachines } from "../../node/Machines.ts"
import { registerMachines } from "../../node/Node.ts"
import { openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../store/KVStore.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink } from "../../modules/graph/Messages.ts"
import { accountOf } from "../e2e/chainFixture.ts"
import { GraphMachine } from "../../modules/graph/Graph.ts"
import type { RankRunner } from "../../modules/graph/RankRunner.ts"
import { base58btc } from "multiformats/bases/base58"
import { CID } from "multiformats/cid"
import * as Digest from "multiformats/hashes/digest"

export const CHAIN_ID = "graph-fixture-1"

/** A CosmJS registry with go-cyber's MsgCyberlink added. */
export const graphRegistry = (): Registry => new Registry([...defaultRegistryTypes, [MSG_CYBERLINK_URL, MsgCyberlink as never]])

/** A signing key. */
export interface GKey {
  readonly address: string
  readonly signer: SigningStargateClient
}

export const makeGKeys = async (n: number, tag = "graph key"): Promise<GKey[]> => {
  const out: GKey[] = []
  for (let i = 1; i <= n; i++) {
    const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(`${tag} ${i}`)), "cyber")
    const address = (await wallet.getAccounts())[0]!.address
    out.push({ address, signer: await SigningStargateClient.offline(wallet, { registry: graphRegistry() }) })
  }
  return out
}

/** CIDv0 (Qm...) of sha256(text). */
export const cidOf = (text: string): string => CID.createV0(Digest.create(0x12, sha256(new TextEncoder().encode(text)))).toString(base58btc)

/** app_state bytes: each key funded with `coins`; `graph` is the graph machine's genesis section. */
export const genesisBytes = (accounts: ReadonlyArray<{ address: string; coins: { denom: string; amount: string }[] }>, graph?: unknown): Uint8Array => {
  const g = makeGenesis({
    chainId: CHAIN_ID,
    genesisTime: "2026-01-01T00:00:00Z",
    validator: ed25519FromSeed(new Uint8Array(32).fill(7)),
    validatorName: "fixture",
    accounts
  })
  return new TextEncoder().encode(JSON.stringify(graph === undefined ? g.app_state : { ...g.app_state, graph }))
}

/** A real app with the graph machine. */
export interface GraphApp {
  readonly app: Application
  readonly store: CommitMultiStore
  readonly path: string
  close(): Promise<void>
}

/** Open (or reopen) an app at `path`; `runner` replaces the graph machine's rank runner. */
export const openGraphApp = async (path = mkdtempSync(join(tmpdir(), "graph-")), runner?: RankRunner): Promise<GraphApp> => {
  const config = { ...defaultConfig, modules: { ...defaultConfig.modules, graph: { ...defaultConfig.modules.graph, enabled: true } } }
  const loaded = await loadMachines(config)
  const set = runner
    ? { ...loaded, machines: loaded.machines.map((m) => (m.machine.name === "graph" ? { ...m, machine: new GraphMachine({ bech32Prefix: "cyber", runner }) } : m)) }
    : loaded
  const kernel = makeKernel({ node: "fixture" })
  const store = await openCommitMultiStore({ path, namespaces: Application.namespaces() })
  let app: Application | undefined
  registerMachines(kernel, set, () => app!)
  app = new Application({ chainId: CHAIN_ID, store, machines: set.machines.map((m) => m.machine), pipeline: set.pipeline, bech32Prefix: "cyber" })
  return { app, store, path, close: async () => { await store.close(); kernel.shutdown() } }
}

export const initChain = (app: Application, appStateBytes: Uint8Array) =>
  app.initChain({ time: { seconds: 1_767_225_600n, nanos: 0 }, chainId: CHAIN_ID, validators: [], appStateBytes, initialHeight: 1n })

/** FinalizeBlock + Commit at `height`. */
export const block = async (app: Application, height: number, txs: Uint8Array[] = []): Promise<ResponseFinalizeBlock> => {
  const req: RequestFinalizeBlock = {
    txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32).fill(height & 0xff),
    height: BigInt(height), time: { seconds: 1_767_225_600n + BigInt(height), nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
  }
  const res = await app.finalizeBlock(req)
  await app.commit()
  return res
}

/** Sequence tracker per key (starts from the app's view). */
export class Seqs {
  private readonly m = new Map<string, { accountNumber: number; sequence: number }>()
  private readonly app: Application
  constructor(app: Application) {
    this.app = app
  }
  async next(address: string): Promise<{ accountNumber: number; sequence: number }> {
    const cur = this.m.get(address) ?? (await accountOf(this.app, address))
    this.m.set(address, { ...cur, sequence: cur.sequence + 1 })
    return cur
  }
  reset(): void {
    this.m.clear()
  }
}

/** A signed tx with one MsgCyberlink of `links` by `key`. */
export const signLinks = async (key: GKey, links: ReadonlyArray<readonly [string, string]>, account: { accountNumber: number; sequence: number }, gas = 400_000): Promise<Uint8Array> => {
  const msg = { typeUrl: MSG_CYBERLINK_URL, value: MsgCyberlink.fromPartial({ neuron: key.address, links: links.map(([from, to]) => ({ from, to })) }) }
  const raw = await key.signer.sign(key.address, [msg], { amount: [{ denom: "boot", amount: String(Math.ceil(gas / 100)) }], gas: String(gas) }, "", { accountNumber: BigInt(account.accountNumber), sequence: account.sequence, chainId: CHAIN_ID })
  return TxRaw.encode(raw).finish()
}

/** Every (key, value) of a namespace as hex, for "state unchanged" checks. */
export const dump = (store: CommitMultiStore, name: string): string[] =>
  [...store.store(name).iterate()].map(([k, v]) => Buffer.from(k).toString("hex") + "=" + Buffer.from(v).toString("hex"))
