/**
 * The runtime modules of a node, spawned as public native processes `kv:distro:sys`,
 * `timer:distro:sys`, `state:distro:sys` and `vfs:distro:sys`, with their storage under `home`
 * (`kv/`, `state/`, `vfs/`).
 *
 * Usage: `const rt = await startRuntime(kernel, home)`; pass `rt.state` to userspace processes;
 * `await rt.close()` before the kernel shuts down (closes the LevelDB databases).
 */
import { mkdir } from "node:fs/promises"
import { join } from "node:path"
import type { KernelApi } from "../kernel/Kernel.ts"
import { kvModule } from "./Kv.ts"
import { runtimeId } from "./Module.ts"
import { StateStore, stateModule } from "./State.ts"
import { timerModule } from "./Timer.ts"
import { vfsModule } from "./Vfs.ts"

/** The started runtime. */
export interface Runtime {
  readonly state: StateStore
  /** Kill the modules and close their databases. */
  close(): Promise<void>
}

/** Spawn the four runtime modules on `kernel`, storing under `home`. */
export const startRuntime = async (kernel: KernelApi, home: string): Promise<Runtime> => {
  await mkdir(join(home, "vfs"), { recursive: true })
  const state = await StateStore.open(join(home, "state"))
  const kv = kvModule(kernel, join(home, "kv"))
  kernel.spawn({ id: runtimeId("kv"), process: kv, public: true })
  kernel.spawn({ id: runtimeId("timer"), process: timerModule(), public: true })
  kernel.spawn({ id: runtimeId("state"), process: stateModule(state), public: true })
  kernel.spawn({ id: runtimeId("vfs"), process: vfsModule(kernel, join(home, "vfs")), public: true })
  return {
    state,
    async close() {
      for (const name of ["kv", "timer", "state", "vfs"]) if (kernel.has(runtimeId(name))) kernel.kill(runtimeId(name))
      await kv.close()
      await state.close()
    }
  }
}
