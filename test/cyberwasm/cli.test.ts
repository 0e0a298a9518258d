// The cyberwasm CLI commands mounted under a root like the node CLI's: argument validation and the
// failure path when no node answers (no node loads the machine yet, so no round trip here).
import { Effect, Exit } from "effect"
import { Command } from "effect/cli"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { globalFlags } from "../../cli/Globals.ts"
import { CliPlatform } from "../../cli/internal/platform.ts"
import { cyberwasmQueryCommand, cyberwasmTxCommand } from "../../modules/cyberwasm/cli/Commands.ts"

const root = Command.make("cyberkernel").pipe(
  Command.withSubcommands([
    Command.make("tx").pipe(Command.withSubcommands([cyberwasmTxCommand])),
    Command.make("query").pipe(Command.withSubcommands([cyberwasmQueryCommand]))
  ]),
  Command.withGlobalFlags(globalFlags)
)

const run = async (argv: string[]): Promise<{ ok: boolean; error: string; out: string }> => {
  let out = ""
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk)
    return true
  }) as typeof process.stdout.write
  try {
    const exit = await Effect.runPromiseExit(Command.runWith(root, { version: "0" })(argv).pipe(Effect.provide(CliPlatform)))
    if (Exit.isSuccess(exit)) return { ok: true, error: "", out }
    const fail = exit.cause.reasons.find((r) => r._tag === "Fail")
    const e = fail && fail._tag === "Fail" ? (fail.error as { message?: string }) : undefined
    return { ok: false, error: e?.message ?? String(exit.cause), out }
  } finally {
    process.stdout.write = write
  }
}

const test = suite("cyberwasm cli")

test("help lists the transactions and queries", async () => {
  const tx = await run(["tx", "cyberwasm", "--help"])
  for (const c of ["store", "instantiate", "execute", "deposit", "upgrade"]) assert.ok(tx.out.includes(c), `tx help lists ${c}`)
  const q = await run(["query", "cyberwasm", "--help"])
  for (const c of ["program", "reserve", "schedule", "page", "dispatch"]) assert.ok(q.out.includes(c), `query help lists ${c}`)
})

test("bad arguments fail before any network access", async () => {
  const r = await run(["tx", "cyberwasm", "instantiate", "alice", "nothex"])
  assert.not.ok(r.ok)
  assert.match(r.error, /invalid code hash "nothex"/)
  const d = await run(["query", "cyberwasm", "dispatch", "cyber1x", "zz", "--hex"])
  assert.not.ok(d.ok)
  assert.match(d.error, /invalid hex input/)
})

test("a query with no node answering fails with a clear error", async () => {
  const r = await run(["query", "cyberwasm", "reserve", "cyber1x", "--node", "http://127.0.0.1:9"])
  assert.not.ok(r.ok)
  assert.match(r.error, /cannot connect|query failed/)
})

test.run()
