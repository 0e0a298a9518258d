/**
 * Process state persisted across node restarts, and the `state:distro:sys` runtime module.
 *
 * `StateStore` is one LevelDB (`<home>/state`) keyed by process id, read fully into memory when
 * opened (so `get` is synchronous for the host's WIT `get-state`) and written through on `set` /
 * `clear`. Userspace processes (kernel/userspace/) take it as `UserspaceOptions.state`: their
 * get/set/clear-state calls are then backed by it, and a process started after a node restart
 * finds its state again.
 *
 * The module answers `{"op":"get"}` → `{"state": base64|null}`, `{"op":"set","state":base64}`,
 * `{"op":"clear"}` for the calling process's own state (native processes use it).
 *
 * Source: Hyperware's state runtime module (hyperware-ai/hyperware kernel/src/state.rs).
 */
import { Schema } from "effect"
import { Level } from "level"
import { formatProcessId, type ProcessId } from "../kernel/Address.ts"
import type { NativeProcess } from "../kernel/Process.ts"
import { jsonModule } from "./Module.ts"

/** Persisted process state: synchronous reads, written-through writes. */
export class StateStore {
  readonly #db: Level<string, Uint8Array>
  readonly #cache = new Map<string, Uint8Array>()
  #writes: Promise<unknown> = Promise.resolve()

  private constructor(db: Level<string, Uint8Array>) {
    this.#db = db
  }

  /** Open (or create) the store in directory `dir` and load it. */
  static async open(dir: string): Promise<StateStore> {
    const db = new Level<string, Uint8Array>(dir, { valueEncoding: "view" })
    await db.open()
    const s = new StateStore(db)
    for await (const [k, v] of db.iterator()) s.#cache.set(k, v)
    return s
  }

  /** The state of `id`, if any. */
  get(id: ProcessId): Uint8Array | undefined {
    return this.#cache.get(formatProcessId(id))
  }

  /** Set the state of `id` (written through, in call order). */
  set(id: ProcessId, bytes: Uint8Array): void {
    const k = formatProcessId(id)
    const v = bytes.slice()
    this.#cache.set(k, v)
    this.#writes = this.#writes.then(() => this.#db.put(k, v))
  }

  /** Remove the state of `id`. */
  clear(id: ProcessId): void {
    const k = formatProcessId(id)
    this.#cache.delete(k)
    this.#writes = this.#writes.then(() => this.#db.del(k))
  }

  /** Wait for pending writes. */
  flush(): Promise<void> {
    return this.#writes.then(() => undefined)
  }

  /** Flush and close. */
  async close(): Promise<void> {
    await this.flush()
    await this.#db.close()
  }
}

/** state module requests. */
export const StateRequest = Schema.Union([
  Schema.Struct({ op: Schema.Literal("get") }),
  Schema.Struct({ op: Schema.Literal("set"), state: Schema.String }),
  Schema.Struct({ op: Schema.Literal("clear") })
])

/** The state module over `store`: each caller reads and writes only its own state. */
export const stateModule = (store: StateStore): NativeProcess =>
  jsonModule(StateRequest, ({ source, req }) => {
    switch (req.op) {
      case "get": {
        const s = store.get(source.process)
        return { state: s === undefined ? null : Buffer.from(s).toString("base64") }
      }
      case "set":
        store.set(source.process, Buffer.from(req.state, "base64"))
        return true
      case "clear":
        store.clear(source.process)
        return true
    }
  })
