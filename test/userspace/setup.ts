/**
 * Shared setup of the userspace tests: the fixture component built with componentize-js (cached
 * in .cache/components/ by source hash; the first build takes 20-80 s), a kernel with the runtime
 * modules in a temporary home, and JSON request helpers.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ProcessId } from "../../kernel/Address.ts"
import { type KernelApi, type KernelOptions, makeKernel } from "../../kernel/Kernel.ts"
import { request } from "../../kernel/Message.ts"
import type { ProcessContext } from "../../kernel/Process.ts"
import { prepareComponent } from "../../kernel/userspace/Build.ts"
import { loadProgram, type Program } from "../../kernel/userspace/Program.ts"
import { startRuntime, type Runtime } from "../../runtime/Runtime.ts"

export const SERVICE_SOURCE = new URL("../fixtures/components/service.js", import.meta.url).pathname

let programs = new Map<number, Promise<Program>>()

/** The fixture program, its Wasm memory capped at `memoryLimitBytes` (default 256 MiB). */
export const serviceProgram = (memoryLimitBytes = 256 * 1024 * 1024): Promise<Program> => {
  let p = programs.get(memoryLimitBytes)
  if (p === undefined) programs.set(memoryLimitBytes, (p = prepareComponent(SERVICE_SOURCE).then((t) => loadProgram(t, memoryLimitBytes))))
  return p
}

export const pid = (processName: string, packageName = "demo", publisherNode = "sys"): ProcessId => ({ processName, packageName, publisherNode })

const enc = new TextEncoder()
const dec = new TextDecoder()
export const json = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v))
export const parse = (b: Uint8Array): any => JSON.parse(dec.decode(b))

/** Ask `target` (a process id on this node) with a JSON body; the decoded JSON answer. */
export const ask = async (ctx: ProcessContext, target: ProcessId, body: unknown, timeoutMs = 10_000): Promise<any> => {
  const r = await ctx.request({ node: ctx.our.node, process: target }, request(json(body), timeoutMs))
  return parse(r.response.body)
}

/** A node: kernel + runtime modules in `home` (a fresh temp dir when absent). */
export interface TestNode {
  readonly kernel: KernelApi
  readonly runtime: Runtime
  readonly home: string
  stop(): Promise<void>
}

export const tempHome = (): Promise<string> => mkdtemp(join(tmpdir(), "ck-userspace-"))
export const removeHome = (home: string): Promise<void> => rm(home, { recursive: true, force: true })

export const startNode = async (home?: string, options: Partial<KernelOptions> = {}): Promise<TestNode> => {
  const dir = home ?? (await tempHome())
  const kernel = makeKernel({ node: "alice.os", ...options })
  const runtime = await startRuntime(kernel, dir)
  return {
    kernel,
    runtime,
    home: dir,
    async stop() {
      await runtime.close()
      kernel.shutdown()
    }
  }
}
