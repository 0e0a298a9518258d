/**
 * In-process chain fixture: the real multiplexer over the real IAVL store and the real auth/bank
 * machines with kernel capabilities, a genesis with deterministic funded keys, and CosmJS
 * offline signing. Used by the determinism and ABCI tests.
 */
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing"
import { SigningStargateClient } from "@cosmjs/stargate"
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query"
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { sha256 } from "@noble/hashes/sha2.js"
import { Application } from "../../chain/Application.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { makeGenesis } from "../../node/home/Genesis.ts"
import { ed25519FromSeed } from "../../node/home/ValidatorKey.ts"
import { loadMachines } from "../../node/Machines.ts"
import { registerMachines } from "../../node/Node.ts"
import { openCommitMultiStore, type OpenStoreOptions } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../store/KVStore.ts"

export const CHAIN_ID = "fixture-1"

/** A funded test key. */
export interface Key {
  readonly wallet: DirectSecp256k1Wallet
  readonly address: string
  readonly signer: SigningStargateClient
}

/** Deterministic keys from seeds 1..n. */
export const makeKeys = async (n: number): Promise<Key[]> => {
  const keys: Key[] = []
  for (let i = 1; i <= n; i++) {
    const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(`fixture key ${i}`)), "cyber")
    const address = (await wallet.getAccounts())[0]!.address
    keys.push({ wallet, address, signer: await SigningStargateClient.offline(wallet) })
  }
  return keys
}

/** Genesis app_state bytes funding every key with `amount` boot. */
export const genesisFor = (keys: ReadonlyArray<Key>, amount = "1000000000") => {
  const g = makeGenesis({
    chainId: CHAIN_ID,
    genesisTime: "2026-01-01T00:00:00Z",
    validator: ed25519FromSeed(new Uint8Array(32).fill(7)),
    validatorName: "fixture",
    accounts: keys.map((k) => ({ address: k.address, coins: [{ denom: "boot", amount }] }))
  })
  return { genesis: g, appStateBytes: new TextEncoder().encode(JSON.stringify(g.app_state)) }
}

/** A real application: kernel, machines, store. `close()` releases the store and kernel. */
export interface FixtureApp {
  readonly app: Application
  readonly store: CommitMultiStore
  close(): Promise<void>
}

export const openApp = async (storeOpts: Omit<OpenStoreOptions, "namespaces">): Promise<FixtureApp> => {
  const set = await loadMachines(defaultConfig)
  const kernel = makeKernel({ node: "fixture" })
  const store = await openCommitMultiStore({ ...storeOpts, namespaces: Application.namespaces() })
  let app: Application | undefined
  registerMachines(kernel, set, () => app!)
  app = new Application({ chainId: CHAIN_ID, store, machines: set.machines.map((m) => m.machine), pipeline: set.pipeline, bech32Prefix: "cyber" })
  return {
    app,
    store,
    close: async () => {
      await store.close()
      kernel.shutdown()
    }
  }
}

/** Account number and sequence of `address` as the app reports them (0/0 when absent). */
export const accountOf = async (app: Application, address: string): Promise<{ accountNumber: number; sequence: number }> => {
  const res = await app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false })
  if (res.code !== 0) return { accountNumber: 0, sequence: 0 }
  const acc = BaseAccount.decode(QueryAccountResponse.decode(res.value).account!.value)
  return { accountNumber: Number(acc.accountNumber), sequence: Number(acc.sequence) }
}

/** A signed MsgSend tx (TxRaw bytes). */
export const signSend = async (
  from: Key, to: string, amount: string, account: { accountNumber: number; sequence: number }, chainId = CHAIN_ID, fee = "2000"
): Promise<Uint8Array> => {
  const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from.address, toAddress: to, amount: [{ denom: "boot", amount }] } }
  const raw = await from.signer.sign(from.address, [msg], { amount: [{ denom: "boot", amount: fee }], gas: "200000" }, "", { accountNumber: BigInt(account.accountNumber), sequence: account.sequence, chainId })
  return TxRaw.encode(raw).finish()
}
