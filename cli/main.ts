/**
 * The `cyberkernel` command line (effect/cli): init, start, keys, tx bank send, query bank
 * balances, query tx, status, ps (userspace processes). Global flags: --home, --node, --output, --keyring-backend.
 * Exit code 0 on success; 1 on a usage error (help and the error are printed) or a failed
 * command (`error: <message>` on stderr).
 *
 * Run: `npx node cli/main.ts <command>`, `npm run cli -- <command>`, or the `cyberkernel` bin.
 */
import { Cause, Effect, Exit } from "effect"
import { CliError, Command } from "effect/cli"
import { CliPlatform } from "./internal/platform.ts"
import { globalFlags } from "./Globals.ts"
import { initCommand } from "./commands/init.ts"
import { startCommand } from "./commands/start.ts"
import { keysCommand } from "./commands/keys.ts"
import { txCommand } from "./commands/tx.ts"
import { queryCommand } from "./commands/query.ts"
import { psCommand } from "./commands/ps.ts"
import { statusCommand } from "./commands/status.ts"
import { packageCommand } from "./commands/package.ts"
import { pluginCommand } from "./commands/plugin.ts"

/** The root command. */
export const cyberkernel = Command.make("cyberkernel").pipe(
  Command.withDescription("cyberkernel: an Effect-based microkernel node for sovereign chains"),
  Command.withSubcommands([initCommand, startCommand, keysCommand, txCommand, queryCommand, statusCommand, psCommand, packageCommand, pluginCommand]),
  Command.withGlobalFlags(globalFlags)
)

/**
 * One line for a failure: its message, or for a tagged error without one (e.g. the node's
 * NodeStartError {stage, reason}) the tag and its fields.
 */
export const describeError = (error: unknown): string => {
  if (typeof error !== "object" || error === null) return String(error)
  const e = error as { message?: unknown; _tag?: unknown }
  if (typeof e.message === "string" && e.message !== "") return e.message
  const fields = Object.entries(error).filter(([k]) => k !== "_tag" && k !== "message" && k !== "stack")
  const tag = typeof e._tag === "string" ? e._tag : "error"
  return fields.length === 0 ? tag : `${tag}: ${fields.map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ")}`
}

/** Run the CLI on `argv` (without node and script); resolves to the process exit code. */
export const runCli = (argv: ReadonlyArray<string>): Promise<number> =>
  Effect.runPromiseExit(
    Command.runWith(cyberkernel, { version: "0.1.0" })(argv).pipe(Effect.provide(CliPlatform))
  ).then((exit) => {
    if (Exit.isSuccess(exit)) return 0
    const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
    const error = failure && failure._tag === "Fail" ? failure.error : undefined
    if (CliError.isCliError(error)) return 1 // already printed with the help text
    process.stderr.write(`error: ${error === undefined ? Cause.pretty(exit.cause) : describeError(error)}\n`)
    return 1
  })

if (import.meta.main) {
  process.exitCode = await runCli(process.argv.slice(2))
  // Everything is closed by now; if a leaked handle still keeps the loop alive, exit anyway.
  setTimeout(() => process.exit(), 5000).unref()
}
