/**
 * The CosmWasm VM (implements modules/cyberwasm/cosmwasm/Vm.ts `CosmWasmVm`): contracts built
 * with cosmwasm-std 1.x/2.x run unmodified on V8, metered and stack-bounded by the CyberWasm
 * instrumenter, with cosmwasm-vm 2.2's interface (interface_version_8, regions through
 * allocate/deallocate, the `env` imports).
 *
 * Facts for docs/cosmwasm.md (details and sources in GasConfig.ts):
 * - gas: CW gas = 115 per operator, 1,610 per branch/call/end; SDK gas = CW gas / 140,000
 *   (wasmd DefaultGasMultiplier); storage as the SDK's KVGasConfig (read 1,000 + 3/B, write
 *   2,000 + 30/B, delete 1,000, iterator step 30 + 3/B), charged here (the backend's store is not
 *   metered); address imports 5/4/9 SDK gas; crypto as cosmwasm-vm's GasConfig; query_chain adds
 *   the backend's gasUsed. wasmd's per-call instance cost, compile cost and event costs belong to
 *   the wasmd layer.
 * - limits: 512 pages (32 MiB) memory, table ≤ 2,500, ≤ 20,000 functions, ≤ 100 params, ≤ 1
 *   result, ≤ 100 imports, code ≤ 800 KiB; region limits as cosmwasm-vm (key 64 KiB, value
 *   128 KiB, query request 64 KiB, result 64 MiB); ≤ 1,024 iterators per call; the stack is
 *   bounded by the instrumenter's frame weights (32,768 units), not by V8's native stack, and
 *   nested calls (query_chain -> another contract) share that budget and a 2,048-page (128 MiB)
 *   memory budget for the whole call tree (memory.grow returns -1 past what is left).
 * - floats: allowed; NaN results of float arithmetic are canonicalised (cosmwasm-vm ≥ 1.5);
 *   SIMD, threads, bulk memory and reference-type instructions are refused.
 * - every call runs in a fresh instance (CosmWasm memory does not persist between calls): a new
 *   `WebAssembly.Instance`, or an idle one whose memory did not grow, reset to exactly the state
 *   instantiation gives (memory zeroed and the data segments written, mutable globals restored),
 *   which the contract cannot tell apart and which costs a memory fill instead of an
 *   instantiation (internal/InstancePool.ts).
 *
 * Source: cosmwasm-vm 2.2 packages/vm/src/{calls,instance,imports,memory,environment}.rs;
 * wasmvm 2.x; wasmd x/wasm/types/gas_register.go, x/wasm/keeper/api.go.
 */
import { OutOfGas } from "../../../../chain/ChainError.ts"
import { ProgramFailed, ProgramNotFound, ProgramRejected } from "../../CyberWasmError.ts"
import { sha256, toHex } from "../../../../lib/Bytes.ts"
import type { AnalyzedCode, CosmWasmVm, VmBackend, VmCall, VmOutcome } from "../Vm.ts"
import { ALL_CAPABILITIES, analyzeContract, contractLimits } from "./Analyze.ts"
import { DESERIALIZATION_GAS_PER_BYTE, GAS_MULTIPLIER, MAX_LENGTH } from "./GasConfig.ts"
import { ContractFault, Environment } from "./internal/Environment.ts"
import { DEFAULT_INSTANCE_POOL_BYTES, InstancePool, type PooledInstance } from "./internal/InstancePool.ts"
import { ModuleCache, type ModuleCacheLimits } from "./ModuleCache.ts"

/** Options of {@link makeCosmWasmVm}. */
export interface CosmWasmVmOptions {
  /** Capabilities offered (default {@link ALL_CAPABILITIES}); contracts requiring others are refused at upload. */
  readonly capabilities?: ReadonlyArray<string>
  /** Bounds of the compiled-module cache. */
  readonly cache?: ModuleCacheLimits
  /** Linear-memory bytes of idle instances kept for reuse (default 128 MiB; 0 = a new instance every call). */
  readonly instancePoolBytes?: number
}

/**
 * A contract call that failed (trap, abort, bad region, refused write, missing entry point):
 * ProgramFailed (tag "ProgramFailed") with the chain gas the call used until then, which the
 * wasmd layer still charges.
 */
export class ContractCallFailed extends ProgramFailed {
  readonly gasUsed: bigint
  constructor(log: string, gasUsed: bigint) {
    super({ log })
    this.gasUsed = gasUsed
  }
}

const ARITY = {
  instantiate: 3, execute: 3, migrate: 2, sudo: 2, reply: 2, query: 2,
  ibc_channel_open: 2, ibc_channel_connect: 2, ibc_channel_close: 2, ibc_packet_receive: 2, ibc_packet_ack: 2, ibc_packet_timeout: 2
} as const
const MAX_I64 = (1n << 63n) - 1n
/** Linear memory of all the contract instances of one call tree together: 128 MiB (the program runtime's `maxTreePages`). */
const MAX_TREE_PAGES = 2_048

/** Make a VM: a compiled-module cache and the call machinery. Deterministic and synchronous. */
export const makeCosmWasmVm = (options: CosmWasmVmOptions = {}): CosmWasmVm & { readonly cache: ModuleCache } => {
  const capabilities = [...(options.capabilities ?? ALL_CAPABILITIES)].sort()
  const cache = new ModuleCache(options.cache)

  const analyze = (wasm: Uint8Array): AnalyzedCode => {
    const contract = analyzeContract(wasm, capabilities)
    cache.set(contract)
    return contract.analyzed
  }

  const load = (checksum: Uint8Array, wasm: Uint8Array): void => {
    if (cache.has(checksum)) return
    if (toHex(sha256(wasm)) !== toHex(checksum)) throw new ProgramRejected({ log: "Error calling the VM: Hash doesn't match stored data" })
    cache.set(analyzeContract(wasm, "skip"))
  }

  const pool = new InstancePool(options.instancePoolBytes ?? DEFAULT_INSTANCE_POOL_BYTES)
  // Calls in progress, outermost first: a call made from inside another (query_chain -> wasmd ->
  // a contract query) starts its stack counter where the caller's stands plus the host's frames,
  // so one budget bounds the whole native stack of the tree, whatever the nesting depth (twice the
  // program runtime's host-frame weight: the wasmd layer's JS frames between two calls are more).
  const active: PooledInstance[] = []

  const call = (c: VmCall, backend: VmBackend): VmOutcome => {
    const contract = cache.get(c.checksum) ?? (() => {
      throw new ProgramNotFound({ log: `Error calling the VM: Cache error: code ${toHex(c.checksum)} is not loaded` })
    })()
    const limit = c.gasLimit * GAS_MULTIPLIER > MAX_I64 ? MAX_I64 : c.gasLimit * GAS_MULTIPLIER
    if (!contract.analyzed.entryPoints.includes(c.entry)) {
      throw new ContractCallFailed(`Error calling the VM: Error resolving Wasm function: Could not get export: Missing export ${c.entry}`, 0n)
    }
    const env = new Environment(backend, c.readOnly, contract.program.exportWeights)
    const inst = pool.take(contract)
    const outer = active[active.length - 1]
    const base = outer ? (outer.depth.value as number) + 2 * contractLimits.hostCallWeight : 0
    inst.depth.value = base
    // pages of the whole call tree: the callers' memories and this one's growth share one budget
    const treePages = active.reduce((n, a) => n + (a.memory.buffer.byteLength >>> 16), 0)
    const ownPages = inst.memory.buffer.byteLength >>> 16
    inst.memLimit.value = Math.min(contract.program.maxPages, Math.max(ownPages, MAX_TREE_PAGES - treePages))
    inst.holder.fns = env.functions()
    active.push(inst)
    const { gas, exports } = inst
    gas.value = limit
    env.attach({ memory: inst.memory, gas, depth: inst.depth, exports })
    const used = (): bigint => {
      const left = gas.value as bigint
      const cw = left < 0n ? limit : limit - left
      const internal = cw - env.externalSdkGas * GAS_MULTIPLIER
      const sdk = env.externalSdkGas + (internal > 0n ? internal / GAS_MULTIPLIER : 0n)
      return sdk > c.gasLimit ? c.gasLimit : sdk
    }
    const failed = (msg: string) => new ContractCallFailed(`Error calling the VM: ${msg}`, used())
    let reusable = true
    try {
      if (base + (contract.program.exportWeights[c.entry] ?? 0) > contractLimits.maxStackWeight) {
        throw failed("Error executing Wasm: Wasmer runtime error: RuntimeError: call stack exhausted (nested contract calls)")
      }
      if (treePages + ownPages > MAX_TREE_PAGES) {
        throw failed(`Error executing Wasm: Wasmer runtime error: RuntimeError: the call tree's memory (${treePages} pages) leaves no room for ${ownPages} pages`)
      }
      const arity = (exports[c.entry] as (...a: number[]) => number).length
      const expected = c.entry === "migrate" ? arity : ARITY[c.entry]
      if (c.args.length !== expected || (c.entry === "migrate" && arity !== 2 && arity !== 3)) {
        throw failed(`Error resolving Wasm function: ${c.entry} takes ${arity} arguments, ${c.args.length} given`)
      }
      const ptrs = c.args.map((a) => env.writeToContract(a))
      const res = (env.callExport(c.entry, ptrs) as number) >>> 0
      const result = env.readRegion(res, MAX_LENGTH.result)
      env.callExport("deallocate", [res])
      // wasmvm's DeserializeResponse: 1 SDK gas per result byte (wasmd costJSONDeserialization), internal gas
      const deserialization = BigInt(result.length) * DESERIALIZATION_GAS_PER_BYTE * GAS_MULTIPLIER
      if ((gas.value as bigint) < deserialization) throw failed(`insufficient gas left to deserialize contract execution result (${result.length} bytes)`)
      gas.value = (gas.value as bigint) - deserialization
      return { result, gasUsed: used() }
    } catch (e) {
      if ((gas.value as bigint) < 0n || e instanceof OutOfGas) {
        throw new OutOfGas({ log: `out of gas in contract ${c.entry} (gas limit ${c.gasLimit})` })
      }
      if (e instanceof ContractCallFailed) throw e
      if (e instanceof ContractFault) throw failed(e.message)
      if (e instanceof WebAssembly.RuntimeError) {
        // memory.grow failed below the contract's limit: the host is out of memory, not the contract's fault
        if ((inst.fault.value as number) !== 0) {
          reusable = false
          throw e
        }
        throw failed(`Error executing Wasm: Wasmer runtime error: RuntimeError: ${e.message}`)
      }
      if (e instanceof RangeError && /call stack/i.test(e.message)) throw failed("Error executing Wasm: Wasmer runtime error: RuntimeError: call stack exhausted")
      reusable = false
      throw e
    } finally {
      active.pop()
      inst.holder.fns = undefined
      if (reusable) pool.give(contract, inst)
    }
  }

  return { capabilities, analyze, has: (checksum) => cache.has(checksum), load, call, cache }
}
