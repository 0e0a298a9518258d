/**
 * The EVM worker thread: runs @ethereumjs/vm (hardfork Prague) for the EVM machine, one job at a
 * time, while the machine's thread waits (plugins/evm/internal/Bridge.ts). State comes from the
 * machine on demand (WorkerState); precompiles ask the machine to act (Precompiles.ts). Every
 * job starts from a fresh state view, so nothing carries over between transactions but the code
 * cache (code is immutable per hash).
 *
 * Wire: `workerData` {control: SharedArrayBuffer(8), port: MessagePort}. Int32 0 is raised by the
 * worker when it posted a message, Int32 1 by the machine when it posted one; each side reads its
 * messages with receiveMessageOnPort, never through the event loop.
 *
 * Source: @ethereumjs/vm runTx, @ethereumjs/evm runCall (v10); EIP-155/2930/1559 tx rules as
 * those implement them.
 */
import { createBlock } from "@ethereumjs/block"
import type { Common } from "@ethereumjs/common"
import { createEVM, EVMError, type ExecResult, type Message } from "@ethereumjs/evm"
import { createTx, createTxFromRLP } from "@ethereumjs/tx"
import { bytesToHex, createAddressFromString, type Address } from "@ethereumjs/util"
import { createVM, runTx } from "@ethereumjs/vm"
import { receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads"
import { PRECOMPILES, type PrecompileSpec } from "./PrecompileAbi.ts"
import type { EvmBlock, JobResult, PrecompileAnswer, WorkerJob, WorkerRequest } from "./Protocol.ts"
import { evmCommon } from "./Rules.ts"
import { WorkerState, type LoadedAccount } from "./WorkerState.ts"

const control = new Int32Array(workerData.control as SharedArrayBuffer)
const port = workerData.port as MessagePort

const post = (msg: unknown): void => {
  port.postMessage(msg)
  Atomics.store(control, 0, 1)
  Atomics.notify(control, 0)
}

const receive = (): { id: number; [k: string]: unknown } => {
  for (;;) {
    Atomics.wait(control, 1, 0)
    Atomics.store(control, 1, 0)
    const m = receiveMessageOnPort(port)
    if (m) return m.message as { id: number }
  }
}

/** The number of the job being run: every message of it carries it. */
let current = 0

/** Set when the machine answered a request with a fault: the job's result is void. */
let faulted = false

/** Ask the machine, blocking until it answers. */
const ask = <T>(req: WorkerRequest): T => {
  post({ t: "request", id: current, req })
  const res = receive() as unknown as { ok: true; value: T } | { fault: string }
  if ("fault" in res) {
    faulted = true
    throw new Error(`host fault: ${res.fault}`)
  }
  return res.value
}

const hex = (a: Address): string => a.toString().slice(2).toLowerCase()

/** The state loader of a job: every load is a blocking request to the machine. */
const loader = () => ({
  account: (address: string) => ask<LoadedAccount>({ t: "account", address }),
  code: (address: string) => ask<Uint8Array>({ t: "code", address }),
  storage: (address: string, slot: string) => ask<Uint8Array>({ t: "storage", address, slot })
})

/** An EVM over a fresh state view, with the chain precompiles bound to its message frames. */
const evmOver = async (common: Common) => {
  const state = new WorkerState(loader())
  const frames: Message[] = []
  const customPrecompiles = PRECOMPILES.map((spec) => ({
    address: createAddressFromString(spec.address),
    function: (input: { data: Uint8Array; gasLimit: bigint }) => precompile(spec, input, frames, state)
  }))
  // EIP-4844's point evaluation (0x0a) needs a KZG setup this node does not load: the call fails as
  // an exceptional halt (its gas spent) instead of the engine throwing out of the whole tx
  customPrecompiles.push({
    address: createAddressFromString("0x000000000000000000000000000000000000000a"),
    function: (input: { data: Uint8Array; gasLimit: bigint }) => ({ executionGasUsed: input.gasLimit, returnValue: new Uint8Array(), exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) })
  })
  const evm = await createEVM({ common, stateManager: state, customPrecompiles })
  evm.events!.on("beforeMessage", (m: Message) => {
    frames.push(m)
    if (m.to) state.ran(hex(m.to))
  })
  evm.events!.on("newContract", (e: { address: Address }) => void state.ran(hex(e.address)))
  evm.events!.on("afterMessage", () => void frames.pop())
  return { state, evm }
}

/** A view of a (frozen) tx whose sender is `sender`: the machine's recovery, or eth_call's `from`. */
const speakingAs = <T extends object>(tx: T, sender: Address): T =>
  new Proxy(tx, {
    get: (t, k) => {
      if (k === "getSenderAddress") return () => sender
      const v = Reflect.get(t, k, t)
      return typeof v === "function" ? v.bind(t) : v
    }
  })

/** Run one job against a fresh state view. */
const run = async (job: WorkerJob): Promise<JobResult> => {
  const common = evmCommon(job.chainId)
  const { state, evm } = await evmOver(common)
  const block = blockOf(job.block, common)
  if (job.t === "tx") {
    let tx
    try {
      tx = speakingAs(createTxFromRLP(job.raw, { common }), createAddressFromString(`0x${job.sender}`))
    } catch (e) {
      return { t: "invalid", reason: (e as Error).message }
    }
    const vm = await createVM({ common, stateManager: state, evm })
    let r
    try {
      r = await runTx(vm, { tx, block, skipBlockGasLimitValidation: true, skipHardForkValidation: true })
    } catch (e) {
      if (faulted) throw e
      return { t: "invalid", reason: (e as Error).message.split("\n")[0]!.replace(/ \((vm|block) hf=.*$/, "") }
    }
    return done(state, r.execResult, r.totalGasSpent, r.createdAddress)
  }
  // eth_call / eth_estimateGas: runTx over an unsigned tx speaking as `from` (no nonce or balance
  // check), so intrinsic gas, EIP-7623's calldata floor and refunds are exactly a real tx's
  const caller = createAddressFromString(`0x${job.from}`)
  const attempt = async (gas: bigint, over = { state, evm }) => {
    const tx = createTx({
      type: 2, gasLimit: gas, maxFeePerGas: job.block.baseFee, maxPriorityFeePerGas: 0n, data: job.data, value: job.value,
      ...(job.to !== undefined ? { to: createAddressFromString(`0x${job.to}`) } : {})
    }, { common })
    const asCaller = speakingAs(tx, caller)
    const vm = await createVM({ common, stateManager: over.state, evm: over.evm })
    return runTx(vm, { tx: asCaller, block, skipNonce: true, skipBalance: true, skipBlockGasLimitValidation: true, skipHardForkValidation: true })
  }
  let r
  try {
    r = await attempt(job.gas)
  } catch (e) {
    if (faulted) throw e
    return { t: "invalid", reason: (e as Error).message.split("\n")[0]!.replace(/ \((vm|block) hf=.*$/, "") }
  }
  if (job.t === "call" || r.execResult.exceptionError) return done(state, r.execResult, r.totalGasSpent, r.createdAddress)
  // estimate: a gas limit that succeeds, within 1.5% of the least one (go-ethereum's eth_estimateGas:
  // refunds and the 63/64 rule make gasUsed too little). First the optimistic guess geth tries,
  // (used + refund + call stipend) x 64/63, which usually settles it in one more run; then bisection.
  const ok = async (gas: bigint): Promise<boolean> => {
    const t = await attempt(gas, await evmOver(common)).then((x) => !x.execResult.exceptionError, () => false)
    if (faulted) throw new Error("host fault")
    return t
  }
  let lo = r.totalGasSpent - 1n
  let hi = job.gas
  const optimistic = ((r.totalGasSpent + r.gasRefund + 2300n) * 64n) / 63n
  if (optimistic < hi) {
    if (await ok(optimistic)) hi = optimistic
    else lo = optimistic
  }
  while (hi - lo > 1n && ((hi - lo) * 1000n) / hi > 15n) {
    const mid = (lo + hi) / 2n
    if (await ok(mid)) hi = mid
    else lo = mid
  }
  return done(state, r.execResult, hi, r.createdAddress)
}

const blockOf = (b: EvmBlock, common: Common) =>
  createBlock({
    header: {
      number: b.number, timestamp: b.timestamp, coinbase: createAddressFromString(`0x${b.coinbase}`),
      baseFeePerGas: b.baseFee, gasLimit: b.gasLimit, mixHash: b.prevRandao
    }
  }, { common, skipConsensusFormatValidation: true })

const done = (state: WorkerState, r: ExecResult, gasUsed: bigint, created?: Address): JobResult => ({
  t: "done",
  status: r.exceptionError ? 0 : 1,
  gasUsed,
  returnValue: r.returnValue,
  error: r.exceptionError ? r.exceptionError.error : "",
  ...(created ? { createdAddress: hex(created) } : {}),
  logs: (r.logs ?? []).map(([address, topics, data]) => ({ address: bytesToHex(address).slice(2), topics, data })),
  changes: state.changes(),
  tainted: state.tainted
})

/** Run precompile `spec` for the frame on top of `frames`, asking the machine for the chain effect. */
const precompile = (spec: PrecompileSpec, input: { data: Uint8Array; gasLimit: bigint }, frames: Message[], state: WorkerState): ExecResult => {
  const frame = frames[frames.length - 1]
  const revert = (reason: string, gas = input.gasLimit): ExecResult => ({
    executionGasUsed: gas < input.gasLimit ? gas : input.gasLimit,
    returnValue: spec.revertData(reason),
    exceptionError: new EVMError(EVMError.errorMessages.REVERT)
  })
  if (!frame) return revert("precompile called outside a message")
  if (frame.delegatecall) return revert(`${spec.name}: DELEGATECALL to a precompile is refused (it would act for the wrong account)`)
  if (frame.value > 0n) return revert(`${spec.name}: precompiles take no value`)
  let call
  try {
    call = spec.decode(input.data)
  } catch (e) {
    return revert(`${spec.name}: ${(e as Error).message.split("\n")[0]}`)
  }
  if (call.gas > input.gasLimit) return { executionGasUsed: input.gasLimit, returnValue: new Uint8Array(), exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) }
  if (call.mutates && frame.isStatic) return revert(`${spec.name}: state change in a static call`, call.gas)
  const caller = frame.caller.toString().slice(2).toLowerCase()
  const answer = ask<PrecompileAnswer>({ t: "precompile", caller, call: call.op })
  if (!answer.ok) return revert(answer.reason, call.gas)
  if (call.mutates) state.noteEffect()
  return { executionGasUsed: call.gas, returnValue: spec.encode(call.fn, answer.value) }
}

const loop = async (): Promise<void> => {
  for (;;) {
    const { id, job } = receive() as unknown as { id: number; job: WorkerJob }
    current = id
    faulted = false
    try {
      post({ t: "result", id, result: await run(job) })
    } catch (e) {
      // the engine refusing an input is deterministic (a tx result); only a failed host answer or
      // a host limit (stack depth, memory: RangeError) is a fault
      if (faulted || e instanceof RangeError) post({ t: "fault", id, message: e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e) })
      else post({ t: "result", id, result: { t: "invalid", reason: e instanceof Error ? e.message.split("\n")[0]!.slice(0, 300) : String(e) } })
    }
  }
}

post({ t: "ready", id: 0 })
void loop()
