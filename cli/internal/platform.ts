/**
 * The services `effect/cli` needs to parse and run commands (Command.Environment), provided
 * without @effect/platform-node: the CLI reads no file arguments and spawns no processes through
 * Effect, so FileSystem and ChildProcessSpawner are no-ops; help and errors go through Console.
 */
import { Effect, FileSystem, Layer, Path, Stdio, Terminal } from "effect"
import { ChildProcessSpawner } from "effect/process"

/** Layer of Command.Environment for a Node process. */
export const CliPlatform = Layer.mergeAll(
  FileSystem.layerNoop({}),
  Path.layer,
  Stdio.layerTest({ args: Effect.sync(() => process.argv.slice(2)) }),
  Layer.succeed(Terminal.Terminal, Terminal.make({
    columns: Effect.sync(() => process.stdout.columns ?? 100),
    rows: Effect.sync(() => process.stdout.rows ?? 24),
    size: Effect.die("terminal size: not supported"),
    readInput: Effect.die("terminal input: not supported"),
    readLine: Effect.die("terminal input: not supported"),
    display: (text) => Effect.sync(() => { process.stdout.write(text) })
  })),
  Layer.succeed(
    ChildProcessSpawner.ChildProcessSpawner,
    ChildProcessSpawner.make(() => Effect.die("child processes: not supported by this CLI"))
  )
)
