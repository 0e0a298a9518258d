/**
 * Fixture of the registry tests: real Applications (auth, bank and optionally graph) over
 * in-memory IAVL stores, CosmJS-signed bank sends and go-cyber cyberlinks, and a seeded PRNG
 * (the test's own: determinism of the chain is what is tested, not of the generator).
 */
import { DirectSecp256k1Wallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { sha256 } from "@noble/hashes/sha2.js"
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query"
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import { base58btc } from "multiformats/bases/base58"
import { CID } from "multiformats/cid"
import * as Digest from "multiformats/hashes/digest"
import { Application } from "../../chain/Application.ts"
import type { Machine } from "../../chain/Machine.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { GraphMachine } from "../../modules/graph/Graph.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink } from "../../modules/graph/Messages.ts"
import { makeRankRunner } from "../../modules/graph/RankRunner.ts"
import { makeGenesis } from "../../node/home/Genesis.ts"
import { ed25519FromSeed } from "../../node/home/ValidatorKey.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../store/KVStore.ts"

export const CHAIN_ID = "registry-1"
export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

/** mulberry32. */
export const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** A signing key. */
export interface Key {
  readonly address: string
  readonly signer: SigningStargateClient
}

export const makeKeys = async (n: number): Promise<Key[]> => {
  const registry = new Registry([...defaultRegistryTypes, [MSG_CYBERLINK_URL, MsgCyberlink as never]])
  const out: Key[] = []
  for (let i = 1; i <= n; i++) {
    const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(`registry key ${i}`)), "cyber")
    const address = (await wallet.getAccounts())[0]!.address
    out.push({ address, signer: await SigningStargateClient.offline(wallet, { registry }) })
  }
  return out
}

/** CIDv0 of sha256(text). */
export const cidOf = (text: string): string => CID.createV0(Digest.create(0x12, sha256(new TextEncoder().encode(text)))).toString(base58btc)

/** The graph machine's genesis section used by these tests (stake in volt, rank every 4 blocks). */
export const GRAPH_GENESIS = {
  params: { stake_denom: "volt", rank: { calculation_period: "4" }, bandwidth: { max_block_bandwidth: "100000000", desirable_bandwidth: "1000000000" } }
}

/** app_state: keys funded in boot and volt, plus `extra` sections (registry, graph, ...). */
export const appState = (keys: ReadonlyArray<Key>, extra: Record<string, unknown> = {}): Record<string, unknown> => {
  const g = makeGenesis({
    chainId: CHAIN_ID, genesisTime: "2026-01-01T00:00:00Z", validator: ed25519FromSeed(new Uint8Array(32).fill(7)), validatorName: "v",
    accounts: keys.map((k, i) => ({ address: k.address, coins: [{ denom: "boot", amount: "1000000000" }, { denom: "volt", amount: String(1000 * (i + 1)) }] }))
  })
  return { ...g.app_state, ...extra }
}

/** The machines of a node: auth, bank, and graph when `graph`. */
export const machines = (graph: boolean): Machine[] => {
  const auth = new AuthMachine({ minGasPrices: "0.001boot" })
  return [auth, new BankMachine({}), ...(graph ? [new GraphMachine({ bech32Prefix: "cyber", runner: makeRankRunner({ engine: "fallback" }) })] : [])]
}

/** An app over a (re)opened memory store. */
export interface TestApp {
  readonly app: Application
  readonly store: CommitMultiStore
  readonly memory: MemoryStorage
}

export const openApp = async (graph: boolean, memory = new MemoryStorage()): Promise<TestApp> => {
  const ms = machines(graph)
  const store = await openCommitMultiStore({ memory, namespaces: Application.namespaces() })
  const app = new Application({ chainId: CHAIN_ID, store, machines: ms, pipeline: ms[0] as AuthMachine })
  return { app, store, memory }
}

export const initChain = (app: Application, state: Record<string, unknown>) =>
  app.initChain({
    time: { seconds: 1_767_225_600n, nanos: 0 }, chainId: CHAIN_ID, validators: [], consensusParams: undefined,
    appStateBytes: new TextEncoder().encode(JSON.stringify(state)), initialHeight: 1n
  })

/** FinalizeBlock + Commit at `height`. */
export const block = async (app: Application, height: number, txs: Uint8Array[] = []): Promise<ResponseFinalizeBlock> => {
  const res = await app.finalizeBlock({
    txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32).fill(height & 0xff),
    height: BigInt(height), time: { seconds: 1_767_225_600n + BigInt(height), nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
  })
  await app.commit()
  return res
}

/** Account number and sequence as the app reports them. */
export const accountOf = async (app: Application, address: string): Promise<{ accountNumber: number; sequence: number }> => {
  const res = await app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false })
  if (res.code !== 0) return { accountNumber: 0, sequence: 0 }
  const acc = BaseAccount.decode(QueryAccountResponse.decode(res.value).account!.value)
  return { accountNumber: Number(acc.accountNumber), sequence: Number(acc.sequence) }
}

const sign = async (key: Key, msg: { typeUrl: string; value: unknown }, account: { accountNumber: number; sequence: number }, gas: number) => {
  const raw = await key.signer.sign(key.address, [msg], { amount: [{ denom: "boot", amount: String(Math.ceil(gas / 100)) }], gas: String(gas) }, "", {
    accountNumber: BigInt(account.accountNumber), sequence: account.sequence, chainId: CHAIN_ID
  })
  return TxRaw.encode(raw).finish()
}

export const signSend = (from: Key, to: string, denom: string, amount: string, account: { accountNumber: number; sequence: number }) =>
  sign(from, { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from.address, toAddress: to, amount: [{ denom, amount }] } }, account, 200_000)

export const signLinks = (key: Key, links: ReadonlyArray<readonly [string, string]>, account: { accountNumber: number; sequence: number }) =>
  sign(key, { typeUrl: MSG_CYBERLINK_URL, value: MsgCyberlink.fromPartial({ neuron: key.address, links: links.map(([from, to]) => ({ from, to })) }) }, account, 2_000_000)

/**
 * A random block: up to 3 txs from distinct keys (so each signs with its committed sequence),
 * each a bank send (boot or volt) or a cyberlink of 1-4 random links among 40 particles.
 */
export const randomTxs = async (rnd: () => number, keys: ReadonlyArray<Key>, app: Application): Promise<{ txs: Uint8Array[]; kinds: Array<"send" | "link"> }> => {
  const P = Array.from({ length: 40 }, (_, i) => cidOf(`p ${i}`))
  const pool = [...keys]
  const txs: Uint8Array[] = []
  const kinds: Array<"send" | "link"> = []
  const n = Math.floor(rnd() * 4)
  for (let i = 0; i < n && pool.length > 0; i++) {
    const key = pool.splice(Math.floor(rnd() * pool.length), 1)[0]!
    const account = await accountOf(app, key.address)
    if (rnd() < 0.4) {
      const to = keys[Math.floor(rnd() * keys.length)]!
      txs.push(await signSend(key, to.address, rnd() < 0.5 ? "boot" : "volt", String(1 + Math.floor(rnd() * 200)), account))
      kinds.push("send")
    } else {
      const links: Array<readonly [string, string]> = []
      const m = 1 + Math.floor(rnd() * 4)
      for (let j = 0; j < m; j++) {
        const f = Math.floor(rnd() * P.length)
        const t = (f + 1 + Math.floor(rnd() * (P.length - 1))) % P.length
        if (!links.some(([x, y]) => x === P[f] && y === P[t])) links.push([P[f]!, P[t]!])
      }
      txs.push(await signLinks(key, links, account))
      kinds.push("link")
    }
  }
  return { txs, kinds }
}
