/**
 * `GET /ui/api/kernel`: the node's kernel (kernel/KernelApi.ts): every process with its mailbox
 * (queued, blocked senders, capacity), capability count and kind (chain machine, runtime module,
 * userspace package process); the kernel's counters (delivered, timeouts, crashes, ...); the
 * installed userspace packages (packages/Installer.ts) with their processes, visibility and
 * on-exit; and the node process's CPU time and memory (node:process). The kernel exposes no
 * per-process CPU, memory or restart count; its `crashes` counter covers all processes.
 */
import { formatProcessId, type ProcessId } from "../../../kernel/Address.ts"
import type { ApiRoute } from "./Route.ts"

/** One process row of the answer. */
export interface ProcessRow {
  /** `process:package:publisher`. */
  readonly id: string
  /** "machine" (`<name>:chain:sys`), "runtime" (other `*:*:sys`), or "userspace". */
  readonly kind: "machine" | "runtime" | "userspace"
  /** The installed package it belongs to (`package:publisher`), if any. */
  readonly package: string | null
  readonly mailbox: { readonly queued: number; readonly blocked: number; readonly capacity: number }
  readonly capabilities: number
}

const kindOf = (p: ProcessId): ProcessRow["kind"] =>
  p.publisherNode !== "sys" ? "userspace" : p.packageName === "chain" ? "machine" : "runtime"

/** The route. Answer: `{node, stats, processes: ProcessRow[], packages, host: {cpuUserMs, cpuSystemMs, rssBytes, heapUsedBytes, uptimeS}}`. */
export const kernel: ApiRoute = {
  name: "kernel",
  description: "kernel processes with mailbox depth, kernel counters, installed packages, node CPU and memory",
  params: {},
  handle: (ctx) => {
    const k = ctx.kernel
    const packages = (ctx.installer?.list() ?? []).map((p) => ({
      id: p.id,
      name: p.packageName,
      publisher: p.publisher,
      installedAt: p.installedAt,
      processes: p.manifest.map((e) => ({
        id: `${e.process_name}:${p.packageName}:${p.publisher}`,
        public: e.public,
        onExit: typeof e.on_exit === "string" ? e.on_exit : Object.keys(e.on_exit as object)[0] ?? "?"
      }))
    }))
    const packageOf = new Map(packages.flatMap((p) => p.processes.map((q) => [q.id, `${p.name}:${p.publisher}`] as const)))
    const processes: ProcessRow[] = k.processes().map((pid) => {
      const id = formatProcessId(pid)
      let mailbox = { queued: 0, blocked: 0, capacity: 0 }
      try {
        mailbox = { ...k.mailbox(pid) }
      } catch {
        // exited between processes() and mailbox()
      }
      return { id, kind: kindOf(pid), package: packageOf.get(id) ?? null, mailbox, capabilities: k.capabilitiesOf(pid).length }
    })
    processes.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const cpu = process.cpuUsage()
    const mem = process.memoryUsage()
    return {
      node: k.our,
      stats: k.stats(),
      processes,
      packages,
      host: { cpuUserMs: Math.round(cpu.user / 1000), cpuSystemMs: Math.round(cpu.system / 1000), rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, uptimeS: Math.round(process.uptime()) }
    }
  }
}
