/**
 * cw20 transfers per second through the chain (issue 13, "Measured"). Run:
 * `npx node bench/cosmwasm-chain.bench.ts` (env PER_BLOCK, BLOCKS). Results go to
 * docs/performance.md ("CosmWasm through the chain").
 *
 * Same run, three figures:
 *   chain cw20  blocks of CosmJS-signed MsgExecuteContract cw20 `transfer` txs through the real
 *               Application (auth ante with signature checks, fees, the cyberwasm machine with the
 *               CosmWasm VM, IAVL store in memory), FinalizeBlock + Commit timed
 *   chain send  the same number of bank MsgSend txs (the tx overhead without a contract)
 *   bare cw20   the same contract's `transfer` in a bare `WebAssembly.Instance` per call
 *               (uninstrumented, `env` imports over a Map), no chain around it
 * Transactions are signed before the clock starts.
 */
import { DirectSecp256k1Wallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { sha256 } from "@noble/hashes/sha2.js"
import { fromBech32 } from "@cosmjs/encoding"
import { readFileSync } from "node:fs"
import { Application } from "../chain/Application.ts"
import { makeKernel } from "../kernel/Kernel.ts"
import { wasmRegistryTypes } from "../modules/cyberwasm/cosmwasm/cli/Tx.ts"
import { defaultConfig } from "../node/config/ConfigFile.ts"
import type { NodeConfig } from "../node/config/NodeConfig.ts"
import { genesisMachineSections } from "../node/home/Home.ts"
import { makeGenesis } from "../node/home/Genesis.ts"
import { ed25519FromSeed } from "../node/home/ValidatorKey.ts"
import { loadMachines } from "../node/Machines.ts"
import { registerMachines } from "../node/Node.ts"
import { MemoryStorage, openCommitMultiStore } from "../store/IavlMultiStore.ts"

const PER_BLOCK = Number(process.env.PER_BLOCK ?? 200)
const BLOCKS = Number(process.env.BLOCKS ?? 5)
const KEYS = 8
const CHAIN_ID = "bench-cw-1"
const cw20 = new Uint8Array(readFileSync(new URL("../test/fixtures/cosmwasm/cw20_base.wasm", import.meta.url)))
const utf8 = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
const config: NodeConfig = { ...defaultConfig, modules: { ...defaultConfig.modules, cyberwasm: { ...defaultConfig.modules.cyberwasm, enabled: true } } }

const registry = new Registry([...defaultRegistryTypes, ...wasmRegistryTypes])
const keys = await Promise.all(Array.from({ length: KEYS }, async (_, i) => {
  const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(`bench key ${i}`)), "cyber")
  return { address: (await wallet.getAccounts())[0]!.address, signer: await SigningStargateClient.offline(wallet, { registry }), accountNumber: i, sequence: 0 }
}))
const g = makeGenesis({
  chainId: CHAIN_ID, genesisTime: "2026-01-01T00:00:00Z", validator: ed25519FromSeed(new Uint8Array(32).fill(7)), validatorName: "bench",
  accounts: keys.map((k) => ({ address: k.address, coins: [{ denom: "boot", amount: "1000000000000" }] }))
})
const appState = { ...g.app_state, ...(await genesisMachineSections(config)) }
const set = await loadMachines(config, appState)
const kernel = makeKernel({ node: "bench" })
const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: Application.namespaces() })
let app: Application | undefined
registerMachines(kernel, set, () => app!)
app = new Application({ chainId: CHAIN_ID, store, machines: set.machines.map((m) => m.machine), pipeline: set.pipeline, bech32Prefix: "cyber" })
await app.initChain({ time: { seconds: 1_767_225_600n, nanos: 0 }, chainId: CHAIN_ID, validators: [], appStateBytes: new TextEncoder().encode(JSON.stringify(appState)), initialHeight: 1n })

let height = 0
const sign = async (k: (typeof keys)[number], msg: { typeUrl: string; value: unknown }, gas: number) => {
  const raw = await k.signer.sign(k.address, [msg], { amount: [{ denom: "boot", amount: String(Math.ceil(gas / 100)) }], gas: String(gas) }, "", { accountNumber: BigInt(k.accountNumber), sequence: k.sequence++, chainId: CHAIN_ID })
  return TxRaw.encode(raw).finish()
}
const block = async (txs: Uint8Array[]) => {
  height++
  const t0 = performance.now()
  const r = await app!.finalizeBlock({
    txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32).fill(height & 0xff), height: BigInt(height),
    time: { seconds: 1_767_225_600n + BigInt(height), nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
  })
  await app!.commit()
  const ms = performance.now() - t0
  const bad = r.txResults.find((x) => x.code !== 0)
  if (bad) throw new Error(`a tx failed at height ${height}: ${bad.log}`)
  return { ms, gas: r.txResults.reduce((a, x) => a + x.gasUsed, 0n) }
}

// setup: upload and instantiate cw20 with a balance for every key
await block([await sign(keys[0]!, { typeUrl: "/cosmwasm.wasm.v1.MsgStoreCode", value: { sender: keys[0]!.address, wasmByteCode: cw20 } }, 40_000_000)])
await block([await sign(keys[0]!, {
  typeUrl: "/cosmwasm.wasm.v1.MsgInstantiateContract",
  value: { sender: keys[0]!.address, admin: "", codeId: 1n, label: "bench", funds: [], msg: utf8({ name: "Bench Token", symbol: "BNCH", decimals: 6, initial_balances: keys.map((k) => ({ address: k.address, amount: "1000000000000" })) }) }
}, 5_000_000)])
const { QueryContractsByCodeRequest, QueryContractsByCodeResponse } = await import("cosmjs-types/cosmwasm/wasm/v1/query")
const token = QueryContractsByCodeResponse.decode((await app.query({ path: "/cosmwasm.wasm.v1.Query/ContractsByCode", data: QueryContractsByCodeRequest.encode({ codeId: 1n }).finish(), height: 0n, prove: false })).value).contracts[0]!

const signBlocks = async (msgOf: (k: (typeof keys)[number], i: number) => { typeUrl: string; value: unknown }) => {
  const blocks: Uint8Array[][] = []
  for (let b = 0; b < BLOCKS; b++) {
    const txs: Uint8Array[] = []
    for (let i = 0; i < PER_BLOCK; i++) {
      const k = keys[i % KEYS]!
      txs.push(await sign(k, msgOf(k, i), 400_000))
    }
    blocks.push(txs)
  }
  return blocks
}
const run = async (blocks: Uint8Array[][]) => {
  const out = []
  for (const txs of blocks) out.push(await block(txs))
  const best = Math.min(...out.map((o) => o.ms))
  return { perSec: (PER_BLOCK * 1000) / best, gasPerTx: Number(out[0]!.gas) / PER_BLOCK, bestMs: best }
}

const cwBlocks = await signBlocks((k, i) => ({
  typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract",
  value: { sender: k.address, contract: token, funds: [], msg: utf8({ transfer: { recipient: keys[(i + 1) % KEYS]!.address, amount: "1" } }) }
}))
const sendBlocks = await signBlocks((k, i) => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgSend",
  value: { fromAddress: k.address, toAddress: keys[(i + 1) % KEYS]!.address, amount: [{ denom: "boot", amount: "1" }] }
}))
const chainCw = await run(cwBlocks)
const chainSend = await run(sendBlocks)

// bare: the original module, a fresh instance per call, env imports over a Map
const bare = new WebAssembly.Module(cw20 as Uint8Array<ArrayBuffer>)
const kv = new Map<string, Uint8Array>()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const call = (entry: string, args: Uint8Array[]): Uint8Array => {
  let ex!: { memory: WebAssembly.Memory; allocate: (n: number) => number } & Record<string, (...a: number[]) => number>
  const view = () => new DataView(ex.memory.buffer)
  const read = (ptr: number) => new Uint8Array(ex.memory.buffer, view().getUint32(ptr, true), view().getUint32(ptr + 8, true)).slice()
  const write = (data: Uint8Array) => {
    const ptr = ex.allocate(data.length) >>> 0
    new Uint8Array(ex.memory.buffer, view().getUint32(ptr, true), data.length).set(data)
    view().setUint32(ptr + 8, data.length, true)
    return ptr
  }
  const canon = (s: string) => fromBech32(s, 90).data
  const imports = {
    env: {
      db_read: (k: number) => { const v = kv.get(hex(read(k))); return v ? write(v) : 0 },
      db_write: (k: number, v: number) => { kv.set(hex(read(k)), read(v)) },
      db_remove: (k: number) => { kv.delete(hex(read(k))) },
      addr_validate: () => 0,
      addr_canonicalize: (h: number, out: number) => { const c = canon(new TextDecoder().decode(read(h))); new Uint8Array(ex.memory.buffer, view().getUint32(out, true), c.length).set(c); view().setUint32(out + 8, c.length, true); return 0 },
      addr_humanize: () => { throw new Error("not used by transfer") },
      db_scan: () => 0, db_next: () => 0, debug: () => {}, query_chain: () => 0,
      secp256k1_verify: () => 0, secp256k1_recover_pubkey: () => 0n, ed25519_verify: () => 0, ed25519_batch_verify: () => 0, abort: () => { throw new Error("abort") }
    }
  }
  ex = new WebAssembly.Instance(bare, imports).exports as typeof ex
  return read(ex[entry]!(...args.map(write)) >>> 0)
}
const env = { block: { height: 1, time: "1", chain_id: CHAIN_ID }, contract: { address: token }, transaction: { index: 0 } }
const init = call("instantiate", [env, { sender: keys[0]!.address, funds: [] }, { name: "Bench Token", symbol: "BNCH", decimals: 6, initial_balances: [{ address: keys[0]!.address, amount: "1000000000000" }] }].map(utf8))
if (!new TextDecoder().decode(init).startsWith("{\"ok\"")) throw new Error(`bare instantiate: ${new TextDecoder().decode(init)}`)
const transfer = [env, { sender: keys[0]!.address, funds: [] }, { transfer: { recipient: keys[1]!.address, amount: "1" } }].map(utf8)
let bareBest = 0
for (let r = 0; r < 5; r++) {
  const t0 = performance.now()
  let n = 0
  while (performance.now() - t0 < 1000) {
    const out = call("execute", transfer)
    if (n === 0 && !new TextDecoder().decode(out).startsWith("{\"ok\"")) throw new Error(`bare transfer: ${new TextDecoder().decode(out)}`)
    n++
  }
  bareBest = Math.max(bareBest, (n * 1000) / (performance.now() - t0))
}

const { loadavg } = await import("node:os")
console.log(JSON.stringify({
  perBlock: PER_BLOCK, blocks: BLOCKS, load: loadavg()[0]!.toFixed(1),
  chainCw20PerSec: Math.round(chainCw.perSec), chainCw20GasPerTx: Math.round(chainCw.gasPerTx),
  chainSendPerSec: Math.round(chainSend.perSec), chainSendGasPerTx: Math.round(chainSend.gasPerTx),
  bareCw20PerSec: Math.round(bareBest),
  contractShareMsPerTx: +((1000 / chainCw.perSec) - (1000 / chainSend.perSec)).toFixed(3)
}, null, 2))
await store.close()
kernel.shutdown()
