/**
 * `cyberkernel start`: on first run create the home (dev genesis, funded dev key), then start the
 * node (node/Node.ts `startNode`) and run until SIGINT/SIGTERM; the node's scope is closed on
 * the signal, which shuts it down gracefully. A second signal (more than 1 s later) exits at once.
 * After the banner, one status line per committed block (internal/StatusLine.ts) unless `--quiet`
 * or a log level of warn and above (embedded mode: in ABCI mode CometBFT reports its blocks).
 *
 * Source: cometbft `start` / cosmos-sdk `simd start`.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Data, Effect, Option, References } from "effect"
import { Command, Flag, GlobalFlag } from "effect/cli"
import { enabledModules, type LogLevel } from "../../node/config/NodeConfig.ts"
import { openKeyring } from "../../node/keyring/Keyring.ts"
import type { NodeConfig } from "../../node/config/NodeConfig.ts"
import { initHome, loadHome, DEV_KEY_NAME } from "../../node/home/Home.ts"
import type { startNode as StartNodeFn } from "../../node/Node.ts"
import { emit, home, Output } from "../Globals.ts"
import { statusPrinter } from "../internal/StatusLine.ts"

/** The signature of node/Node.ts `startNode` (type-only import: the module itself is loaded on use). */
export type StartNode = typeof StartNodeFn

/** The node stopped making blocks (its block producer halted); `start` exits with code 1. */
export class NodeHalted extends Data.TaggedError("NodeHalted")<{ readonly message: string }> {}

/** node/Node.ts is missing or does not export `startNode`. */
export class NodeNotBuilt extends Data.TaggedError("NodeNotBuilt")<{ readonly message: string }> {}

/** Import node/Node.ts at run time (so the CLI builds and its other commands work without it). */
export const importStartNode: Effect.Effect<StartNode, NodeNotBuilt> = Effect.tryPromise({
  try: async () => {
    const spec = new URL("../../node/Node.ts", import.meta.url).href
    const mod = (await import(spec)) as { startNode?: unknown }
    if (typeof mod.startNode !== "function") throw new Error("node/Node.ts does not export startNode")
    return mod.startNode as StartNode
  },
  catch: (e) => new NodeNotBuilt({
    message: `cannot start: the node runtime (node/Node.ts startNode) is not available: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`
  })
})

const effectLogLevel: Record<LogLevel, "Trace" | "Debug" | "Info" | "Warn" | "Error" | "None"> = {
  trace: "Trace", debug: "Debug", info: "Info", warn: "Warn", error: "Error", none: "None"
}

const untilSignal = Effect.callback<string>((resume) => {
  const onSignal = (sig: NodeJS.Signals) => {
    // A second signal forces exit; one arriving within 1 s is the same Ctrl-C delivered twice
    // (to the process group and forwarded by bin/cyberkernel.mjs) and is ignored.
    const first = performance.now()
    process.on(sig, () => { if (performance.now() - first > 1000) process.exit(130) })
    resume(Effect.succeed(sig))
  }
  process.once("SIGINT", onSignal)
  process.once("SIGTERM", onSignal)
  return Effect.sync(() => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
  })
})

/** Levels at which the per-block status line (an info-level report) is printed. */
const statusLevels: ReadonlySet<string> = new Set(["All", "Trace", "Debug", "Info", "trace", "debug", "info"])

/** `start [--chain-id] [--quiet]`. */
export const startCommand = Command.make("start", {
  chainId: Flag.String("chain-id").pipe(Flag.withDescription("chain id when the home is created on this run (default: cyberkernel-dev-1)"), Flag.optional),
  syncFrom: Flag.String("sync-from").pipe(Flag.withDescription("run as a full node: fetch, verify and re-execute blocks from the peer at this libp2p multiaddr, then follow it (docs/sync.md); a home without genesis.json takes the peer's"), Flag.optional),
  quiet: Flag.Boolean("quiet").pipe(Flag.withDescription("no per-block status line (also off when the log level is warn or above)"), Flag.withDefault(false))
}, (o) =>
  Effect.scoped(Effect.gen(function* () {
    const dir = yield* home
    const syncFrom = Option.getOrUndefined(o.syncFrom)
    if (syncFrom !== undefined && !existsSync(join(dir, "config", "genesis.json"))) {
      const chainId = yield* Effect.tryPromise({
        try: async () => (await import("../../node/sync/GenesisFetch.ts")).fetchGenesis(syncFrom, join(dir, "config", "genesis.json")),
        catch: (e) => new NodeHalted({ message: `cannot fetch genesis from ${syncFrom}: ${e instanceof Error ? e.message : String(e)}` })
      })
      yield* emit({ event: "genesis", home: dir, chain_id: chainId, from: syncFrom }, () => `genesis of chain ${chainId} fetched from ${syncFrom}`)
    }
    const init = yield* initHome({ home: dir, chainId: Option.getOrUndefined(o.chainId) })
    if (init.created.length > 0) {
      yield* emit({ event: "init", home: init.home, chain_id: init.chainId, created: init.created }, () => init.created.map((f) => `created ${f}`).join("\n"))
    }
    const loaded = yield* loadHome(dir)
    const dev = init.devAccount ?? (yield* openKeyring({ home: dir, backend: "test", prefix: loaded.config.chain.bech32Prefix })
      .show(DEV_KEY_NAME).pipe(Effect.orElseSucceed(() => undefined)))
    // config log_level, unless --log-level was given on the command line
    const flagLevel = yield* GlobalFlag.LogLevel
    // one status line per committed block on stdout (embedded producer), opened after the banner
    const level: string = Option.isSome(flagLevel) ? flagLevel.value : loaded.config.logLevel
    let stdoutOpen = true
    const status = o.quiet || !statusLevels.has(level)
      ? undefined
      : statusPrinter(yield* Output, (line) => { if (stdoutOpen) process.stdout.write(line) })
    // a reader that goes away (`start | head`) ends the status lines, not the node (EPIPE)
    if (status) process.stdout.on("error", () => { stdoutOpen = false })
    const node = yield* importStartNode.pipe(
      Effect.flatMap((startNode) => startNode({
        home: loaded.home,
        config: loaded.config,
        genesis: loaded.genesis,
        validatorSeed: loaded.validatorKey.seed,
        onCommitted: status?.onCommitted,
        syncFrom
      })),
      Option.isSome(flagLevel) ? (e) => e : Effect.provideService(References.MinimumLogLevel, effectLogLevel[loaded.config.logLevel]),
      // never lose a freshly generated dev mnemonic: print it even when the node fails to start
      Effect.tapError(() => Effect.sync(() => {
        if (init.devAccount?.mnemonic) process.stderr.write(`dev account ${init.devAccount.address} mnemonic (test keyring): ${init.devAccount.mnemonic}\n`)
      }))
    )
    const modules = enabledModules(loaded.config)
    yield* emit(
      { event: "started", home: loaded.home, chain_id: node.chainId, rpc: node.rpcAddress, dashboard: node.dashboardUrl ?? null, height: node.height(), modules, dev_address: dev?.address ?? null, sync_from: syncFrom ?? null },
      () => [
        `cyberkernel node started`,
        `  home:     ${loaded.home}`,
        `  chain id: ${node.chainId}`,
        loaded.config.consensus.mode === "abci"
          ? `  abci:     ${node.rpcAddress} (point CometBFT's proxy_app here; CometBFT serves RPC)`
          : `  rpc:      ${node.rpcAddress}`,
        ...(node.dashboardUrl ? [`  dashboard: ${node.dashboardUrl}`] : []),
        ...(syncFrom ? [`  full node: syncing from ${syncFrom} (produces no blocks)`] : []),
        `  modules:  ${modules.join(", ")}`,
        ...(dev ? [`  dev account: ${dev.address} (key "${DEV_KEY_NAME}", test keyring)`] : []),
        ...(init.devAccount?.mnemonic ? [`  dev mnemonic (shown once, test only): ${init.devAccount.mnemonic}`] : []),
        `press Ctrl-C to stop`
      ].join("\n")
    )
    status?.open()
    // Run until a signal, or until the block producer halts (then exit non-zero with its reason).
    const halted = node.halted
    const stop = yield* halted === undefined
      ? untilSignal
      : Effect.raceFirst(untilSignal, Effect.promise(() => halted.then((reason) => ({ halted: reason }))))
    if (typeof stop !== "string") return yield* new NodeHalted({ message: `node stopped at height ${node.height()}: ${stop.halted}` })
    process.stderr.write(`${stop}: shutting down at height ${node.height()}\n`)
  }))
).pipe(Command.withDescription("Start the node (creates the home with a dev genesis on first run); runs until SIGINT/SIGTERM"))
