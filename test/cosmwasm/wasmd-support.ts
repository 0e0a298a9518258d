// Support for the wasmd layer tests: a chain (the real Application with auth, bank and the
// cyberwasm machine) signing wasmd messages with CosmJS, and a test double of the CosmWasm VM
// whose "contracts" are TypeScript functions (for the unit tests of the keeper's semantics; the
// real VM and fixtures run in wasmd-fixtures.test.ts).
import { wasmTypes } from "@cosmjs/cosmwasm-stargate"
import { Registry } from "@cosmjs/proto-signing"
import { accountFromAny, defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import type { AnalyzedCode, CosmWasmVm, EntryPoint, VmBackend, VmCall, VmOutcome } from "../../modules/cyberwasm/cosmwasm/Vm.ts"
import { sha256 } from "../../lib/Bytes.ts"
import { CHAIN_ID, makeWallet, TestChain } from "../auth/support/Chain.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()
export const json = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v))
export const parse = (b: Uint8Array): any => JSON.parse(dec.decode(b))
export const b64 = (v: unknown): string => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64")
export const unb64 = (s: string): string => Buffer.from(s, "base64").toString()

/** What a fake contract gets: its storage and the chain query of its backend. */
export interface FakeApi {
  readonly storage: VmBackend["storage"]
  get(key: string): string | undefined
  set(key: string, value: string): void
  /** query_chain: the parsed SystemResult JSON. */
  query(request: unknown): any
}
/** A fake contract: entry point -> (env, info, msg, api) -> ContractResult JSON value. */
export type FakeContract = Partial<Record<EntryPoint, (env: any, info: any, msg: any, api: FakeApi) => unknown>>

/** The VM double: code bytes are `fake:<name>`; each call uses `gasPerCall` chain gas. */
export class FakeVm implements CosmWasmVm {
  readonly capabilities = ["iterator", "staking", "stargate"]
  readonly contracts = new Map<string, FakeContract>()
  private readonly loaded = new Map<string, string>()
  readonly calls: Array<{ entry: EntryPoint; args: unknown[] }> = []
  gasPerCall = 1_000n

  analyze(wasm: Uint8Array): AnalyzedCode {
    const text = dec.decode(wasm)
    const name = text.startsWith("fake:") ? text.slice(5) : ""
    const c = this.contracts.get(name)
    if (!c) throw new Error(`not a fake contract: ${text.slice(0, 20)}`)
    const checksum = sha256(wasm)
    this.loaded.set(Buffer.from(checksum).toString("hex"), name)
    return { checksum, requiredCapabilities: [], entryPoints: Object.keys(c) as EntryPoint[] }
  }
  has(checksum: Uint8Array): boolean {
    return this.loaded.has(Buffer.from(checksum).toString("hex"))
  }
  load(_checksum: Uint8Array, wasm: Uint8Array): void {
    this.analyze(wasm)
  }
  call(call: VmCall, backend: VmBackend): VmOutcome {
    const name = this.loaded.get(Buffer.from(call.checksum).toString("hex"))!
    const f = this.contracts.get(name)![call.entry]
    if (!f) throw new Error(`Missing export ${call.entry}`)
    const args = call.args.map(parse)
    this.calls.push({ entry: call.entry, args })
    let queryGas = 0n
    const api: FakeApi = {
      storage: backend.storage,
      get: (k) => {
        const v = backend.storage.get(enc.encode(k))
        return v && dec.decode(v)
      },
      set: (k, v) => backend.storage.set(enc.encode(k), enc.encode(v)),
      query: (req) => {
        const r = backend.query(json(req), call.gasLimit)
        queryGas += r.gasUsed
        return parse(r.result)
      }
    }
    const [env, a, b] = args
    const out = call.entry === "instantiate" || call.entry === "execute" ? f(env, a, b, api) : f(env, undefined, a, api)
    const gasUsed = this.gasPerCall + queryGas
    if (gasUsed > call.gasLimit) throw Object.assign(new Error("out of gas"), { _tag: "OutOfGas", codespace: "sdk", code: 11, log: "out of gas in fake vm" })
    return { result: json(out), gasUsed }
  }
}

/**
 * CosmJS offline signing for a TestChain: account numbers read once from the chain, sequences
 * counted here (a failed message still bumps the sequence: the ante branch is kept). The fee is
 * gas / 100 boot.
 */
export const txSigner = (chain: TestChain, client: SigningStargateClient, defaultGas: number) => {
  const seq = new Map<string, number>()
  const accNum = new Map<string, bigint>()
  return async (signer: string, msgs: Array<{ typeUrl: string; value: unknown }>, gas = defaultGas): Promise<Uint8Array> => {
    if (!accNum.has(signer)) {
      const acc = await chain.queryClient().auth.account(signer)
      accNum.set(signer, acc ? BigInt(accountFromAny(acc).accountNumber) : 0n)
    }
    const sequence = seq.get(signer) ?? 0
    const raw = await client.sign(signer, msgs, { amount: [{ denom: "boot", amount: String(gas / 100) }], gas: String(gas) }, "", { accountNumber: accNum.get(signer)!, sequence, chainId: CHAIN_ID })
    seq.set(signer, sequence + 1)
    return TxRaw.encode(raw).finish()
  }
}

/** A chain with the fake VM and funded accounts; signs with CosmJS (wasm types registered). */
export const fakeChain = async (vm: CosmWasmVm, n = 3, extra: { genesis?: Record<string, unknown> } = {}) => {
  const { wallet, addresses } = await makeWallet(n)
  const machine = new CyberWasmMachine({ cosmwasm: { vm } })
  const chain = await TestChain.start({
    extraMachines: [machine],
    balances: addresses.map((address) => ({ address, coins: [{ denom: "boot", amount: "1000000000000" }, { denom: "milk", amount: "1000" }] })),
    ...(extra.genesis
      ? { genesis: { auth: { accounts: [] }, bank: { balances: addresses.map((address) => ({ address, coins: [{ denom: "boot", amount: "1000000000000" }, { denom: "milk", amount: "1000" }] })) }, ...extra.genesis } }
      : {})
  })
  const client = await SigningStargateClient.offline(wallet, { registry: new Registry([...defaultRegistryTypes, ...wasmTypes]) })
  const sign = txSigner(chain, client, 10_000_000)
  /** One block with one tx of `msgs` by `signer`; returns its result. */
  const tx = async (signer: string, msgs: Array<{ typeUrl: string; value: unknown }>, gas = 10_000_000): Promise<ExecTxResult> => {
    // a failed message still bumps the sequence (the ante branch is kept), as `sign` assumes
    const [r] = await chain.block([await sign(signer, msgs, gas)])
    return r!
  }
  const balance = async (address: string, denom = "boot") => BigInt((await chain.queryClient().bank.balance(address, denom)).amount)
  return { chain, machine, addresses, sign, tx, balance }
}

/** The value of attribute `key` of the first event of `type` in a tx result. */
export const attr = (r: ExecTxResult, type: string, key: string): string | undefined =>
  r.events.find((e) => e.type === type)?.attributes.find((a) => a.key === key)?.value
