/**
 * The process table of one kernel: live entries by process id (three nested Maps, so that a
 * lookup builds no key string). Plain synchronous code on the message path (`lookup`).
 *
 * Source: Hyperware kernel/src/kernel/mod.rs (the process map keyed by ProcessId).
 */
import type { Address, ProcessId } from "../Address.ts"
import { formatAddress, formatProcessId, isAddress } from "../Address.ts"
import { ProcessNotFound } from "../KernelError.ts"
import { DEAD, type Entry } from "./Entry.ts"

/** processName → packageName → publisherNode → entry, for the node `our`. */
export class ProcessTable {
  readonly our: string
  readonly #table = new Map<string, Map<string, Map<string, Entry>>>()
  /** Entries in the table. */
  count = 0

  constructor(our: string) {
    this.our = our
  }

  /** The entry of `p` (live or dead but not yet unlinked), if any. */
  find(p: ProcessId): Entry | undefined {
    return this.#table.get(p.processName)?.get(p.packageName)?.get(p.publisherNode)
  }

  /** The entry at address `a`; undefined when `a` is on another node. */
  lookup(a: Address): Entry | undefined {
    if (a.node !== this.our) return undefined
    const p = a.process
    return this.#table.get(p.processName)?.get(p.packageName)?.get(p.publisherNode)
  }

  /** The live entry of `holder` (an address or a process id on this node), if any. */
  live(holder: Address | ProcessId): Entry | undefined {
    const e = isAddress(holder) ? this.lookup(holder) : this.find(holder)
    return e === undefined || e.state === DEAD ? undefined : e
  }

  /** The live entry of `holder`. Throws ProcessNotFound. */
  entryOf(holder: Address | ProcessId): Entry {
    const e = this.live(holder)
    if (e === undefined) {
      throw new ProcessNotFound({ process: isAddress(holder) ? formatAddress(holder) : formatProcessId(holder) })
    }
    return e
  }

  /** Whether a live process `id` exists. */
  has(id: ProcessId): boolean {
    const e = this.find(id)
    return e !== undefined && e.state !== DEAD
  }

  /** Add `e` under its id (the caller has checked that the id is free). */
  insert(e: Entry): void {
    const id = e.id
    let a = this.#table.get(id.processName)
    if (a === undefined) this.#table.set(id.processName, (a = new Map()))
    let b = a.get(id.packageName)
    if (b === undefined) a.set(id.packageName, (b = new Map()))
    b.set(id.publisherNode, e)
    this.count++
  }

  /** Remove `e` from the table (no-op when another entry holds its id). */
  unlink(e: Entry): void {
    const a = this.#table.get(e.id.processName)
    const b = a?.get(e.id.packageName)
    if (b?.get(e.id.publisherNode) === e) {
      b.delete(e.id.publisherNode)
      this.count--
      if (b.size === 0) a!.delete(e.id.packageName)
      if (a!.size === 0) this.#table.delete(e.id.processName)
    }
  }

  /** Every entry in the table. */
  *entries(): IterableIterator<Entry> {
    for (const a of this.#table.values()) for (const b of a.values()) yield* b.values()
  }

  /** Process ids in the table. */
  processes(): ProcessId[] {
    const out: ProcessId[] = []
    for (const a of this.#table.values()) for (const b of a.values()) for (const e of b.values()) out.push(e.id)
    return out
  }
}
