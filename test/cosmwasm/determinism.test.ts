/**
 * Determinism of CosmWasm contracts (issue 13): two independent applications (own kernel, machines
 * loaded from a config with CyberWasm enabled as `init` does, LevelDB store each) are fed the same
 * seeded random blocks of contract transactions: uploads (plain and gzipped, corrupted ones),
 * hackatom and cw20 instantiations (classic and instantiate2, with funds), cw20 transfers
 * (overdraws included), hackatom releases by the verifier and by others, migrations by the admin
 * and by others, cpu_loop runs out of gas, bank sends and garbage bytes. Both must agree on every
 * app hash and every tx result code; the second app is closed and reopened from disk half way (a
 * restart drops the compiled-module cache). The traffic must really exercise success and each
 * failure kind.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DirectSecp256k1Wallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { QueryContractsByCodeRequest, QueryContractsByCodeResponse } from "cosmjs-types/cosmwasm/wasm/v1/query"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { gzipSync } from "fflate"
import { sha256 } from "@noble/hashes/sha2.js"
import { Application } from "../../chain/Application.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { wasmRegistryTypes } from "../../modules/cyberwasm/cosmwasm/cli/Tx.ts"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import type { NodeConfig } from "../../node/config/NodeConfig.ts"
import { genesisMachineSections } from "../../node/home/Home.ts"
import { makeGenesis } from "../../node/home/Genesis.ts"
import { ed25519FromSeed } from "../../node/home/ValidatorKey.ts"
import { loadMachines } from "../../node/Machines.ts"
import { registerMachines } from "../../node/Node.ts"
import { openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../store/KVStore.ts"
import { accountOf } from "../e2e/chainFixture.ts"
import { fixture } from "./e2e-support.ts"

const CHAIN_ID = "cosmwasm-det-1"
const BLOCKS = 60
const REOPEN_AT = 30
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const utf8 = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))

/** mulberry32: the test's seeded choices (test code, not machine code). */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const config: NodeConfig = { ...defaultConfig, modules: { ...defaultConfig.modules, cyberwasm: { ...defaultConfig.modules.cyberwasm, enabled: true } } }

interface Key { readonly address: string; readonly signer: SigningStargateClient }
interface App { readonly app: Application; readonly store: CommitMultiStore; close(): Promise<void> }

const makeKeys = async (n: number): Promise<Key[]> => {
  const registry = new Registry([...defaultRegistryTypes, ...wasmRegistryTypes])
  const keys: Key[] = []
  for (let i = 1; i <= n; i++) {
    const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(`cosmwasm determinism key ${i}`)), "cyber")
    keys.push({ address: (await wallet.getAccounts())[0]!.address, signer: await SigningStargateClient.offline(wallet, { registry }) })
  }
  return keys
}

const openApp = async (path: string, appState: Record<string, unknown>): Promise<App> => {
  const set = await loadMachines(config, appState)
  const kernel = makeKernel({ node: "det" })
  const store = await openCommitMultiStore({ path, namespaces: Application.namespaces() })
  let app: Application | undefined
  registerMachines(kernel, set, () => app!)
  app = new Application({ chainId: CHAIN_ID, store, machines: set.machines.map((m) => m.machine), pipeline: set.pipeline, bech32Prefix: "cyber" })
  return { app, store, close: async () => { await store.close(); kernel.shutdown() } }
}

const contractsOf = async (app: Application, codeId: bigint): Promise<string[]> => {
  const r = await app.query({ path: "/cosmwasm.wasm.v1.Query/ContractsByCode", data: QueryContractsByCodeRequest.encode({ codeId }).finish(), height: 0n, prove: false })
  return r.code === 0 ? QueryContractsByCodeResponse.decode(r.value).contracts : []
}

type Kind = "store" | "store-gz" | "store-corrupt" | "inst-hackatom" | "inst2-hackatom" | "inst-cw20" | "cw20-transfer" | "cw20-overdraw" | "release" | "migrate" | "cpu-loop" | "send" | "garbage"

test("two apps, same seeded blocks of contract transactions, same app hash at every height (one restarts half way)", async () => {
  const rnd = prng(1303)
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rnd() * xs.length)]!
  const keys = await makeKeys(4)
  const hackatom = fixture("hackatom")
  const cw20 = fixture("cw20_base")
  const g = makeGenesis({
    chainId: CHAIN_ID,
    genesisTime: "2026-01-01T00:00:00Z",
    validator: ed25519FromSeed(new Uint8Array(32).fill(7)),
    validatorName: "det",
    accounts: keys.map((k) => ({ address: k.address, coins: [{ denom: "boot", amount: "1000000000000" }] }))
  })
  const appState = { ...g.app_state, ...(await genesisMachineSections(config)) } as Record<string, unknown>
  const appStateBytes = new TextEncoder().encode(JSON.stringify(appState))
  const dirA = mkdtempSync(join(tmpdir(), "cw-det-a-"))
  const dirB = mkdtempSync(join(tmpdir(), "cw-det-b-"))
  const a = await openApp(dirA, appState)
  let b = await openApp(dirB, appState)
  try {
    const init = { time: { seconds: 1_767_225_600n, nanos: 0 }, chainId: CHAIN_ID, validators: [], appStateBytes, initialHeight: 1n }
    const ia = await a.app.initChain(init)
    const ib = await b.app.initChain(init)
    assert.is(hex(ib.appHash), hex(ia.appHash))

    const codes = new Map<string, Map<number, number>>()
    const seqs = new Map<string, { accountNumber: number; sequence: number }>()
    let height = 0
    const sign = async (k: Key, msgs: Array<{ typeUrl: string; value: unknown }>, gas: number): Promise<Uint8Array> => {
      // before the first commit the genesis accounts are numbered in key order (makeGenesis)
      const acct = seqs.get(k.address) ?? (height === 1 ? { accountNumber: keys.indexOf(k), sequence: 0 } : await accountOf(a.app, k.address))
      const raw = await k.signer.sign(k.address, msgs, { amount: [{ denom: "boot", amount: String(Math.ceil(gas / 100)) }], gas: String(gas) }, "", { accountNumber: BigInt(acct.accountNumber), sequence: acct.sequence, chainId: CHAIN_ID })
      seqs.set(k.address, { ...acct, sequence: acct.sequence + 1 })
      return TxRaw.encode(raw).finish()
    }
    const exec = (k: Key, contract: string, msg: unknown, funds: Array<{ denom: string; amount: string }> = []) =>
      ({ typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract", value: { sender: k.address, contract, msg: utf8(msg), funds } })
    // code 1 hackatom, code 2 cw20 (stored at height 1); the hackatom instances as state lists them
    let hackatoms: string[] = []
    let salt = 0

    for (height = 1; height <= BLOCKS; height++) {
      seqs.clear()
      const txs: Uint8Array[] = []
      const kinds: Kind[] = []
      const add = async (kind: Kind, k: Key, msgs: Array<{ typeUrl: string; value: unknown }>, gas: number) => {
        txs.push(await sign(k, msgs, gas))
        kinds.push(kind)
      }
      if (height === 1) {
        await add("store", keys[0]!, [{ typeUrl: "/cosmwasm.wasm.v1.MsgStoreCode", value: { sender: keys[0]!.address, wasmByteCode: hackatom } }], 40_000_000)
        await add("store-gz", keys[1]!, [{ typeUrl: "/cosmwasm.wasm.v1.MsgStoreCode", value: { sender: keys[1]!.address, wasmByteCode: gzipSync(cw20) } }], 40_000_000)
      } else {
        const cw20s = await contractsOf(a.app, 2n)
        const count = Math.floor(rnd() * 5)
        for (let i = 0; i < count; i++) {
          const k = pick(keys)
          const other = pick(keys)
          const r = rnd()
          if (r < 0.1) {
            const v = Math.floor(rnd() * keys.length)
            const funds = rnd() < 0.5 ? [{ denom: "boot", amount: String(1 + Math.floor(rnd() * 5000)) }] : []
            await add("inst-hackatom", k, [{ typeUrl: "/cosmwasm.wasm.v1.MsgInstantiateContract", value: { sender: k.address, admin: k.address, codeId: 1n, label: `h${height}.${i}`, msg: utf8({ verifier: keys[v]!.address, beneficiary: other.address }), funds } }], 3_000_000)
          } else if (r < 0.15) {
            await add("inst2-hackatom", k, [{ typeUrl: "/cosmwasm.wasm.v1.MsgInstantiateContract2", value: { sender: k.address, admin: "", codeId: 1n, label: "p", msg: utf8({ verifier: k.address, beneficiary: other.address }), funds: [], salt: utf8(salt++ % 3), fixMsg: rnd() < 0.5 } }], 3_000_000)
          } else if (r < 0.22) {
            await add("inst-cw20", k, [{ typeUrl: "/cosmwasm.wasm.v1.MsgInstantiateContract", value: { sender: k.address, admin: k.address, codeId: 2n, label: "t", msg: utf8({ name: "Det Token", symbol: "DET", decimals: 6, initial_balances: keys.map((x) => ({ address: x.address, amount: "100000" })) }), funds: [] } }], 3_000_000)
          } else if (r < 0.45 && cw20s.length > 0) {
            const over = rnd() < 0.2
            await add(over ? "cw20-overdraw" : "cw20-transfer", k, [exec(k, pick(cw20s), { transfer: { recipient: other.address, amount: over ? "100000000" : String(1 + Math.floor(rnd() * 1000)) } })], 2_000_000)
          } else if (r < 0.6 && hackatoms.length > 0) {
            const funds = rnd() < 0.3 ? [{ denom: "boot", amount: "11" }] : []
            await add("release", k, [exec(k, pick(hackatoms), { release: {} }, funds)], 2_000_000)
          } else if (r < 0.7 && hackatoms.length > 0) {
            await add("migrate", k, [{ typeUrl: "/cosmwasm.wasm.v1.MsgMigrateContract", value: { sender: k.address, contract: pick(hackatoms), codeId: 1n, msg: utf8({ verifier: other.address }) } }], 2_000_000)
          } else if (r < 0.76 && hackatoms.length > 0) {
            await add("cpu-loop", k, [exec(k, pick(hackatoms), { cpu_loop: {} })], 400_000 + Math.floor(rnd() * 600_000))
          } else if (r < 0.8) {
            const cut = hackatom.slice(0, 100 + Math.floor(rnd() * 5000))
            await add("store-corrupt", k, [{ typeUrl: "/cosmwasm.wasm.v1.MsgStoreCode", value: { sender: k.address, wasmByteCode: cut } }], 5_000_000)
          } else if (r < 0.85) {
            txs.push(Uint8Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => Math.floor(rnd() * 256)))
            kinds.push("garbage")
          } else {
            await add("send", k, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: k.address, toAddress: other.address, amount: [{ denom: "boot", amount: String(1 + Math.floor(rnd() * 1000)) }] } }], 200_000)
          }
        }
      }
      const req = {
        txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32).fill(height & 0xff),
        height: BigInt(height), time: { seconds: 1_767_225_600n + BigInt(height), nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
      }
      const fa = await a.app.finalizeBlock(req)
      const fb = await b.app.finalizeBlock(req)
      assert.equal(fb.txResults.map((r) => [r.code, r.codespace, r.gasUsed]), fa.txResults.map((r) => [r.code, r.codespace, r.gasUsed]), `tx results at height ${height}`)
      assert.equal(fb.txResults.map((r) => r.data), fa.txResults.map((r) => r.data), `tx data at height ${height}`)
      assert.is(hex(fb.appHash), hex(fa.appHash), `FinalizeBlock app hash at height ${height}`)
      fa.txResults.forEach((r, i) => {
        const kind = kinds[i]!
        const m = codes.get(kind) ?? new Map<number, number>()
        m.set(r.code, (m.get(r.code) ?? 0) + 1)
        codes.set(kind, m)
        if (height === 1) assert.is(r.code, 0, `upload at height 1: ${r.log}`)
      })
      await a.app.commit()
      await b.app.commit()
      assert.is(hex(b.store.lastCommit().hash), hex(a.store.lastCommit().hash), `committed app hash at height ${height}`)
      hackatoms = await contractsOf(a.app, 1n)
      if (height === REOPEN_AT) {
        await b.close()
        b = await openApp(dirB, appState)
        assert.is(hex(b.store.lastCommit().hash), hex(a.store.lastCommit().hash), "reopened at the same app hash")
      }
    }
    const seen = Object.fromEntries([...codes].map(([k, m]) => [k, Object.fromEntries(m)]))
    const some = (kind: Kind, code: number) => assert.ok((codes.get(kind)?.get(code) ?? 0) > 0, `some ${kind} txs ended with code ${code}: ${JSON.stringify(seen)}`)
    some("inst-hackatom", 0)
    some("inst-cw20", 0)
    some("cw20-transfer", 0)
    some("cw20-overdraw", 5)
    some("release", 0)
    some("release", 5)
    some("migrate", 0)
    some("migrate", 4)
    some("cpu-loop", 11)
    some("store-corrupt", 2)
    console.log(`tx codes by kind: ${JSON.stringify(seen)}`)
  } finally {
    await a.close()
    await b.close()
  }
})

test.run()
