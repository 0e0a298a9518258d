/**
 * `cyberkernel ps [--json]`: the userspace processes of a running node (`--node`), one row each:
 * host (light or javascript), worker, CPU time, memory, kernel mailbox depth, messages in
 * flight, received and sent. Reads the node's `processes` RPC method (all pages);
 * `--json` (or `--output json`) prints the rows as JSON.
 *
 * Source: issue 16 ("Observability"); the columns are kernel/userspace/ProcessStats.ts.
 */
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import type { ProcessStats } from "../../kernel/userspace/ProcessStats.ts"
import { CliFailure, NodeUrl, Output, toJson } from "../Globals.ts"

/** Rows per `processes` request (the RPC's page bound). */
const PER_PAGE = 1000

const fetchPage = async (node: string, page: number): Promise<{ processes: ProcessStats[]; total: number }> => {
  const r = await fetch(`${node}/processes?page=${page}&per_page=${PER_PAGE}`)
  const j = (await r.json()) as { result?: { processes: ProcessStats[]; total: number }; error?: { message?: string; data?: string } }
  if (j.error !== undefined || j.result === undefined) throw new Error(j.error?.data ?? j.error?.message ?? `HTTP ${r.status}`)
  return j.result
}

const mib = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1)

/** The table `cyberkernel ps` prints. */
export const psTable = (rows: ReadonlyArray<ProcessStats>): string => {
  const head = ["PROCESS", "HOST", "WORKER", "CPU_MS", "MEM_MIB", "MAILBOX", "IN_FLIGHT", "RECEIVED", "SENT"]
  const body = rows.map((r) => [r.process, r.host, String(r.worker), r.cpuMs.toFixed(1), mib(r.memoryBytes), String(r.mailbox), String(r.inFlight), String(r.received), String(r.sent)])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd()
  return [line(head), ...body.map(line), `${rows.length} process${rows.length === 1 ? "" : "es"}`].join("\n")
}

/** `ps`. */
export const psCommand = Command.make("ps", {
  json: Flag.Boolean("json").pipe(Flag.withDescription("print the rows as JSON (as --output json)"), Flag.withDefault(false))
}, ({ json }) =>
  Effect.gen(function* () {
    const node = yield* NodeUrl
    const rows = yield* Effect.tryPromise({
      try: async () => {
        const all: ProcessStats[] = []
        for (let page = 1; ; page++) {
          const r = await fetchPage(node, page)
          all.push(...r.processes)
          if (all.length >= r.total || r.processes.length === 0) return all
        }
      },
      catch: (e) => new CliFailure({ message: `processes from ${node}: ${e instanceof Error ? e.message : String(e)}` })
    })
    const o = yield* Output
    process.stdout.write((json || o === "json" ? toJson(rows) : psTable(rows)) + "\n")
  })
).pipe(Command.withDescription("list the node's userspace processes: CPU time, memory, mailbox depth, messages"))
