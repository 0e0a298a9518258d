/**
 * Compiled contracts by checksum, least recently used dropped first, bounded by count and by the
 * instrumented code's bytes (V8's compiled code is some multiple of it). The cache holds node
 * memory only: a miss recompiles from the stored Wasm (`CosmWasmVm.load`), with the same result.
 *
 * Source: cosmwasm-vm packages/vm/src/modules/in_memory_cache.rs (LRU by size) for the role.
 */
import { toHex } from "../../../../lib/Bytes.ts"
import type { AnalyzedContract } from "./Analyze.ts"

/** Bounds of the cache. */
export interface ModuleCacheLimits {
  /** Most modules kept (default 256). */
  readonly maxEntries: number
  /** Most instrumented-code bytes kept (default 256 MiB). */
  readonly maxBytes: number
}

/** Default bounds. */
export const defaultModuleCacheLimits: ModuleCacheLimits = { maxEntries: 256, maxBytes: 256 * 1024 * 1024 }

/** An LRU map checksum -> compiled contract. */
export class ModuleCache {
  private readonly entries = new Map<string, AnalyzedContract>()
  private bytes = 0
  private readonly limits: ModuleCacheLimits
  constructor(limits: ModuleCacheLimits = defaultModuleCacheLimits) {
    this.limits = limits
  }

  get(checksum: Uint8Array): AnalyzedContract | undefined {
    const key = toHex(checksum)
    const hit = this.entries.get(key)
    if (hit) {
      this.entries.delete(key)
      this.entries.set(key, hit)
    }
    return hit
  }

  has(checksum: Uint8Array): boolean {
    return this.entries.has(toHex(checksum))
  }

  set(contract: AnalyzedContract): void {
    const key = toHex(contract.analyzed.checksum)
    const old = this.entries.get(key)
    if (old) {
      this.entries.delete(key)
      this.bytes -= old.program.code.length
    }
    this.entries.set(key, contract)
    this.bytes += contract.program.code.length
    for (const [k, v] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break
      if (k === key) continue
      this.entries.delete(k)
      this.bytes -= v.program.code.length
    }
  }

  /** Number of modules held. */
  get size(): number {
    return this.entries.size
  }
}
