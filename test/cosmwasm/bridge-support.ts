// Support for the program <-> contract bridge tests and bench: a chain (the real Application with
// auth, bank and the cyberwasm machine with the real CosmWasm VM) signing both wasmd and cyberwasm
// messages with CosmJS, real contract fixtures, and a small AssemblyScript program compiled here
// (with the SDK's flags, cached in .cache/cyberwasm like the SDK examples).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { wasmTypes } from "@cosmjs/cosmwasm-stargate"
import { Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { MsgExecuteContractResponse, MsgInstantiateContractResponse, MsgStoreCodeResponse } from "cosmjs-types/cosmwasm/wasm/v1/tx"
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { makeCosmWasmVm } from "../../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { sha256, toHex } from "../../lib/Bytes.ts"
import { ASC_FLAGS } from "../../sdk/assemblyscript/build.ts"
import { makeWallet, TestChain } from "../auth/support/Chain.ts"
import { txSigner } from "./wasmd-support.ts"

/**
 * The bridge test program. Input (text):
 *   "call <addr> <msg>"            call(addr, msg) -> ok(callee data) | err("error: ...")
 *   "try <addr> <msg>"             the same, but a failed call is ok("failed: <error>")
 *   "callgas <addr> <gas> <msg>"   the same with call-with-gas
 *   "send <addr> <msg>"            send(addr, msg) -> ok(id)
 *   "ask <addr> <msg>"             send-with-reply(addr, msg, 7) -> ok(id); the reply is remembered
 *                                  as last = "reply:<ok|err>:<data length>"
 *   "later <addr> <blocks> <msg>"  send-delayed(addr, msg, blocks) -> ok(id)
 *   "bank <to> <denom> <amount>"   bank_send as itself
 *   "paythen <to> <denom> <amount>" bank_send as itself, then fail (the send must roll back)
 *   "inc"                          counter += 1 (one memory write) -> ok(counter)
 *   "state"                        ok("count=<n> last=<caller>|<input>")
 *   anything else                  a message from someone: counted, remembered with its caller
 */
export const BRIDGE_PROGRAM = `
import { Program, Outcome, bytesToString, stringToBytes, call, callWithGas, send, sendDelayed, sendWithReply, caller, bankSend, isReply, replyOk, replyData } from "../../../sdk/assemblyscript/assembly"
export { cabi_realloc } from "../../../sdk/assemblyscript/assembly"

let count: u64 = 0
let last: string = ""

function word(s: string): i32 { return s.indexOf(" ") }

function handle(input: Uint8Array): Outcome {
  if (isReply(input)) {
    last = "reply:" + (replyOk(input) ? "ok" : "err") + ":" + replyData(input).length.toString()
    return Outcome.ok(new Uint8Array(0))
  }
  const s = bytesToString(input)
  if (s == "inc") { count++; return Outcome.ok(stringToBytes(count.toString())) }
  if (s == "state") return Outcome.ok(stringToBytes("count=" + count.toString() + " last=" + last))
  const sp = word(s)
  const op = sp < 0 ? s : s.substring(0, sp)
  const rest = sp < 0 ? "" : s.substring(sp + 1)
  const sp2 = word(rest)
  const addr = sp2 < 0 ? rest : rest.substring(0, sp2)
  const tail = sp2 < 0 ? "" : rest.substring(sp2 + 1)
  if (op == "call" || op == "try") {
    const r = call(addr, stringToBytes(tail))
    if (!r.ok) return op == "try" ? Outcome.ok(stringToBytes("failed: " + r.error)) : Outcome.err("error: " + r.error)
    return Outcome.ok(r.data)
  }
  if (op == "callgas" || op == "later") {
    const sp3 = word(tail)
    const n = U64.parseInt(tail.substring(0, sp3))
    const msg = stringToBytes(tail.substring(sp3 + 1))
    if (op == "later") return Outcome.ok(stringToBytes(sendDelayed(addr, msg, n).toString()))
    const r = callWithGas(addr, msg, n)
    if (!r.ok) return Outcome.err("error: " + r.error)
    return Outcome.ok(r.data)
  }
  if (op == "ask") return Outcome.ok(stringToBytes(sendWithReply(addr, stringToBytes(tail), 7).toString()))
  if (op == "send") return Outcome.ok(stringToBytes(send(addr, stringToBytes(tail)).toString()))
  if (op == "bank" || op == "paythen") {
    const sp3 = word(tail)
    const e = bankSend(addr, tail.substring(0, sp3), U64.parseInt(tail.substring(sp3 + 1)))
    if (e !== null) return Outcome.err("error: " + e)
    if (op == "paythen") return Outcome.err("paid, then failed")
    return Outcome.ok(new Uint8Array(0))
  }
  count++
  last = caller() + "|" + s
  return Outcome.ok(stringToBytes("got " + s))
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatchOutcome(ptr, len, handle)
}
`

const root = new URL("../..", import.meta.url).pathname

/** Compile {@link BRIDGE_PROGRAM} (cached by source hash) and return its wasm bytes. */
export const buildBridgeProgram = async (): Promise<Uint8Array> => {
  const dir = join(root, ".cache/cyberwasm/bridge")
  mkdirSync(dir, { recursive: true })
  const lib = ["index.ts", "env.ts"].map((f) => readFileSync(join(root, "sdk/assemblyscript/assembly", f), "utf8")).join("\n")
  const hash = toHex(sha256(new TextEncoder().encode(BRIDGE_PROGRAM + JSON.stringify(ASC_FLAGS) + lib)))
  const wasm = join(dir, `bridge-${hash.slice(0, 16)}.wasm`)
  if (!existsSync(wasm)) {
    const src = join(dir, "bridge_program.ts")
    writeFileSync(src, BRIDGE_PROGRAM)
    const asc = await import("assemblyscript/asc")
    let log = ""
    const sink = { write: (chunk: string | Uint8Array) => { log += String(chunk); return true } }
    const tmp = `${wasm}.${process.pid}.tmp`
    const { error } = await asc.main([".cache/cyberwasm/bridge/bridge_program.ts", "-o", tmp, "--baseDir", root, ...ASC_FLAGS], { stdout: sink, stderr: sink })
    if (error) throw new Error(`asc failed for the bridge program: ${error.message}\n${log}`)
    renameSync(tmp, wasm)
  }
  return new Uint8Array(readFileSync(wasm))
}

const enc = new TextEncoder()
const U = "/cosmwasm.wasm.v1."
/** A contract fixture's bytes (test/fixtures/cosmwasm). */
export const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/cosmwasm/${name}.wasm`, import.meta.url)))

/** A chain with the real VM, `n` funded accounts, and helpers for both kinds of messages. */
export const bridgeChain = async (n = 3) => {
  const { wallet, addresses } = await makeWallet(n)
  const machine = new CyberWasmMachine({ cosmwasm: { vm: makeCosmWasmVm() } })
  const chain = await TestChain.start({
    extraMachines: [machine],
    balances: addresses.map((address) => ({ address, coins: [{ denom: "boot", amount: "1000000000000" }, { denom: "milk", amount: "1000" }] }))
  })
  const client = await SigningStargateClient.offline(wallet, { registry: new Registry([...defaultRegistryTypes, ...wasmTypes, ...cyberwasmRegistryTypes]) })
  const sign = txSigner(chain, client, 20_000_000)
  const tx = async (signer: string, msgs: Array<{ typeUrl: string; value: unknown }>, gas = 20_000_000): Promise<ExecTxResult> => {
    const [r] = await chain.block([await sign(signer, msgs, gas)])
    return r!
  }
  const ok = (r: ExecTxResult): ExecTxResult => {
    if (r.code !== 0) throw new Error(`tx failed: code ${r.code}: ${r.log}`)
    return r
  }
  const responses = (r: ExecTxResult) => TxMsgData.decode(r.data).msgResponses
  const balance = async (address: string, denom = "boot") => BigInt((await chain.queryClient().bank.balance(address, denom)).amount)
  const storeContract = async (from: string, name: string) =>
    MsgStoreCodeResponse.decode(responses(ok(await tx(from, [{ typeUrl: `${U}MsgStoreCode`, value: { sender: from, wasmByteCode: fixture(name) } }], 60_000_000)))[0]!.value).codeId
  const instantiate = async (from: string, codeId: bigint, msg: unknown, funds: Array<{ denom: string; amount: string }> = []) =>
    MsgInstantiateContractResponse.decode(responses(ok(await tx(from, [{ typeUrl: `${U}MsgInstantiateContract`, value: { sender: from, admin: "", codeId, label: "bridge", msg: enc.encode(JSON.stringify(msg)), funds } }])))[0]!.value).address
  const execute = (from: string, contract: string, msg: unknown, funds: Array<{ denom: string; amount: string }> = []) =>
    tx(from, [{ typeUrl: `${U}MsgExecuteContract`, value: { sender: from, contract, msg: enc.encode(JSON.stringify(msg)), funds } }])
  const executeData = (r: ExecTxResult) => MsgExecuteContractResponse.decode(responses(r)[0]!.value).data
  /** Store and instantiate a program with a reserve (boot); returns its address. */
  const deployProgram = async (from: string, wasm: Uint8Array, reserve = 50_000_000n) => {
    ok(await tx(from, [{ typeUrl: M.TypeUrl.storeCode, value: { sender: from, wasmByteCode: wasm } }], 60_000_000))
    const r = ok(await tx(from, [{ typeUrl: M.TypeUrl.instantiate, value: { sender: from, codeHash: sha256(wasm), admin: from, input: new Uint8Array(), reserve, label: "bridge" } }], 60_000_000))
    return M.MsgInstantiateResponse.decode(responses(r)[0]!.value).address
  }
  /** Execute a program with a text input; the tx result and the program's data as text. */
  const run = async (from: string, program: string, input: string, gas = 20_000_000) => {
    const r = await tx(from, [{ typeUrl: M.TypeUrl.execute, value: { sender: from, program, input: enc.encode(input) } }], gas)
    const data = r.code === 0 ? new TextDecoder().decode(M.MsgExecuteResponse.decode(responses(r)[0]!.value).data) : ""
    return { r, data }
  }
  return { chain, machine, addresses, sign, tx, ok, balance, storeContract, instantiate, execute, executeData, deployProgram, run }
}
