/**
 * Fixture of the governable-params tests: a real Application (auth, bank, graph, cyberwasm) over an
 * in-memory IAVL store, plus a test-only machine `exec` that holds `authority.execute` and runs
 * queued messages through ExecContext.execute in its endBlock, as x/gov does with a passed
 * proposal. `exec` ends its block before graph, so a change made there could reach graph's own
 * endBlock in the same block if params took effect at once.
 */
import { DirectSecp256k1Wallet, Registry, type GeneratedType } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { toBech32 } from "@cosmjs/encoding"
import { sha256 } from "@noble/hashes/sha2.js"
import { MsgUpdateParams as BankMsgUpdateParams } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { CheckTxType, type Event } from "cosmjs-types/tendermint/abci/types"
import { Application } from "../../chain/Application.ts"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { GraphMachine } from "../../modules/graph/Graph.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink } from "../../modules/graph/Messages.ts"
import { MSG_UPDATE_PARAMS_URL, MSG_UPDATE_RANK_PARAMS_URL, MsgUpdateParams, MsgUpdateRankParams } from "../../modules/graph/ParamsMessages.ts"
import { makeRankRunner } from "../../modules/graph/RankRunner.ts"
import { makeGenesis } from "../../node/home/Genesis.ts"
import { ed25519FromSeed } from "../../node/home/ValidatorKey.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../store/KVStore.ts"
import { accountOf, CHAIN_ID, block as finalize, initChain } from "../registry/registryChain.ts"
import { ExecMachine } from "../support/ExecMachine.ts"

export { ExecMachine }

/** The gov module account: the only authority of MsgUpdateParams. */
export const GOV = toBech32("cyber", moduleAccountBytes("gov"))

const registry = new Registry([
  ...defaultRegistryTypes,
  [MSG_CYBERLINK_URL, MsgCyberlink as unknown as GeneratedType],
  [MSG_UPDATE_PARAMS_URL, MsgUpdateParams as unknown as GeneratedType],
  [MSG_UPDATE_RANK_PARAMS_URL, MsgUpdateRankParams as unknown as GeneratedType],
  ["/cosmos.bank.v1beta1.MsgUpdateParams", BankMsgUpdateParams as unknown as GeneratedType],
  ...cyberwasmRegistryTypes
])

/** A signing key. */
export interface Key {
  readonly address: string
  readonly signer: SigningStargateClient
}

const makeKeys = async (n: number): Promise<Key[]> => {
  const out: Key[] = []
  for (let i = 1; i <= n; i++) {
    const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(`params key ${i}`)), "cyber")
    out.push({ address: (await wallet.getAccounts())[0]!.address, signer: await SigningStargateClient.offline(wallet, { registry }) })
  }
  return out
}

/** The chain under test. */
export interface ParamsChain {
  readonly app: Application
  readonly store: CommitMultiStore
  readonly memory: MemoryStorage
  readonly exec: ExecMachine
  readonly keys: ReadonlyArray<Key>
  /** Height of the last committed block. */
  height(): number
  /** FinalizeBlock + Commit of the next height with `txs`; returns its block events and tx results. */
  next(txs?: Uint8Array[]): Promise<{ events: Event[]; txResults: Array<{ code: number; log: string; codespace: string }> }>
  /** A tx of `msgs` signed by `key` (its committed sequence unless given). */
  sign(key: Key, msgs: ReadonlyArray<{ typeUrl: string; value: unknown }>, sequence?: number): Promise<Uint8Array>
  /** CheckTx against the last commit. */
  check(tx: Uint8Array): Promise<{ code: number; log: string }>
  /** ABCI query at the last commit; throws on a non-zero code. */
  query(path: string, data?: Uint8Array): Promise<Uint8Array>
}

/**
 * Open a chain at genesis: two keys funded in boot and volt; graph stakes volt and ranks every 4
 * blocks; cyberwasm's upload limit is `maxCodeBytes`. `memory` reopens an existing store (restart).
 */
export const openParamsChain = async (maxCodeBytes = 100_000, memory = new MemoryStorage(), fresh = true): Promise<ParamsChain> => {
  const keys = await makeKeys(2)
  const exec = new ExecMachine()
  const auth = new AuthMachine({ minGasPrices: "0.001boot" })
  const machines = [auth, new BankMachine({}), exec, new GraphMachine({ bech32Prefix: "cyber", runner: makeRankRunner({ engine: "fallback" }) }), new CyberWasmMachine()]
  const store = await openCommitMultiStore({ memory, namespaces: Application.namespaces() })
  const app = new Application({ chainId: CHAIN_ID, store, machines, pipeline: auth })
  if (fresh) {
    const g = makeGenesis({
      chainId: CHAIN_ID, genesisTime: "2026-01-01T00:00:00Z", validator: ed25519FromSeed(new Uint8Array(32).fill(7)), validatorName: "v",
      accounts: keys.map((k, i) => ({ address: k.address, coins: [{ denom: "boot", amount: "1000000000" }, { denom: "volt", amount: String(1000 * (i + 1)) }] }))
    })
    await initChain(app, {
      ...g.app_state,
      graph: { params: { stake_denom: "volt", rank: { calculation_period: "4" }, bandwidth: { max_block_bandwidth: "100000000", desirable_bandwidth: "1000000000" } } },
      cyberwasm: { params: { max_code_bytes: String(maxCodeBytes) } }
    })
  }
  let height = Number(store.lastCommit().version)
  return {
    app, store, memory, exec, keys,
    height: () => height,
    next: async (txs = []) => {
      const r = await finalize(app, ++height, txs)
      return { events: r.events, txResults: r.txResults.map((t) => ({ code: t.code, log: t.log, codespace: t.codespace })) }
    },
    sign: async (key, msgs, sequence) => {
      const account = await accountOf(app, key.address)
      const raw = await key.signer.sign(key.address, [...msgs], { amount: [{ denom: "boot", amount: "20000" }], gas: "20000000" }, "", {
        accountNumber: BigInt(account.accountNumber), sequence: sequence ?? account.sequence, chainId: CHAIN_ID
      })
      return TxRaw.encode(raw).finish()
    },
    check: async (tx) => {
      const r = await app.checkTx({ tx, type: CheckTxType.NEW })
      return { code: r.code, log: r.log }
    },
    query: async (path, data = new Uint8Array()) => {
      const r = await app.query({ path, data, height: 0n, prove: false })
      if (r.code !== 0) throw new Error(`query ${path}: code ${r.code}: ${r.log}`)
      return r.value
    }
  }
}
