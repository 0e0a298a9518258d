/**
 * Global CLI flags (accepted before or after any subcommand) and the helpers commands share:
 * `--home` (node home), `--node` (CometBFT RPC URL), `--output json|text`,
 * `--keyring-backend test|file`; output printing; the operator config of the home (or defaults
 * when the home has no config yet); the keyring with its passphrase source.
 *
 * Source: cosmos-sdk client/flags (--home, --node, --output, --keyring-backend).
 */
import { createInterface } from "node:readline"
import { existsSync } from "node:fs"
import { Data, Effect, Option } from "effect"
import { Flag, GlobalFlag } from "effect/cli"
import { toHex } from "../lib/Bytes.ts"
import { configPath, defaultConfig, loadConfig, type ConfigError } from "../node/config/ConfigFile.ts"
import type { NodeConfig } from "../node/config/NodeConfig.ts"
import { resolveHome } from "../node/home/Home.ts"
import { KeyringBackends, openKeyring, type Keyring } from "../node/keyring/Keyring.ts"

/** `--home <dir>`: node home (default $CYBERKERNEL_HOME, else ~/.cyberkernel). */
export const Home = GlobalFlag.Setting("home")({
  flag: Flag.String("home").pipe(
    Flag.withDescription("node home directory (default: $CYBERKERNEL_HOME, else ~/.cyberkernel)"),
    Flag.optional
  )
})

/** `--node <url>`: CometBFT RPC endpoint of the node to talk to. */
export const NodeFlag = GlobalFlag.Setting("node")({
  flag: Flag.String("node").pipe(
    Flag.withDescription("RPC endpoint of the node (default: http://127.0.0.1:26657; tcp:// is read as http://, as Cosmos CLIs do)"),
    Flag.withDefault("http://127.0.0.1:26657")
  )
})

/** The `--node` URL for CosmJS: `tcp://` (CometBFT's spelling) becomes `http://`; a bare host:port gets `http://`. */
export const NodeUrl = Effect.gen(function* () {
  const raw = yield* NodeFlag
  return raw.startsWith("tcp://") ? "http://" + raw.slice(6) : /^[a-z]+:\/\//.test(raw) ? raw : "http://" + raw
})

/** `--output json|text`. */
export const Output = GlobalFlag.Setting("output")({
  flag: Flag.Literals("output", ["text", "json"]).pipe(
    Flag.withDescription("output format: text or json"),
    Flag.withDefault("text" as const)
  )
})

/** `--keyring-backend test|file`. */
export const KeyringBackend = GlobalFlag.Setting("keyring-backend")({
  flag: Flag.Literals("keyring-backend", KeyringBackends).pipe(
    Flag.withDescription("keyring backend: test (unencrypted, dev only) or file (passphrase-encrypted; passphrase from $CYBERKERNEL_KEYRING_PASSPHRASE or typed)"),
    Flag.withDefault("test" as const)
  )
})

/** All global settings, for Command.withGlobalFlags on the root command. */
export const globalFlags = [Home, NodeFlag, Output, KeyringBackend] as const

/** A command failed for a reason the user can fix; printed as `error: <message>`, exit code 1. */
export class CliFailure extends Data.TaggedError("CliFailure")<{ readonly message: string }> {}

/** The resolved home directory. */
export const home = Effect.gen(function* () {
  return resolveHome(Option.getOrUndefined(yield* Home))
})

/** JSON.stringify with bigints (decimal) and byte arrays (upper-case hex, as CometBFT prints HexBytes) made printable. */
export const toJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? toHex(x).toUpperCase() : x, 2)

/** Print `json` (as JSON) or `text` lines, as `--output` says. */
export const emit = (json: unknown, text: () => string) =>
  Effect.gen(function* () {
    const o = yield* Output
    process.stdout.write((o === "json" ? toJson(json) : text()) + "\n")
  })

/** The config of the home, or the defaults when the home has no config file yet. */
export const configOrDefault = (dir: string): Effect.Effect<NodeConfig, ConfigError> =>
  existsSync(configPath(dir)) ? loadConfig(dir) : Effect.succeed(defaultConfig)

let lines: AsyncIterator<string> | undefined

/**
 * Read one line from stdin (prompt on stderr when stdin is a terminal). One line reader serves
 * every call, so piped input ("mnemonic\npassphrase\n") is read line by line.
 */
export const readLine = async (prompt: string): Promise<string> => {
  if (process.stdin.isTTY) process.stderr.write(prompt)
  lines ??= createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]()
  const next = await lines.next()
  if (next.done) throw new Error("no input")
  return next.value
}

/** Read a secret: from a terminal without echo, else one line of stdin. */
export const readSecret = (prompt: string): Promise<string> => {
  if (!process.stdin.isTTY || lines) return readLine(prompt)
  return new Promise((resolve, reject) => {
    const stdin = process.stdin
    process.stderr.write(prompt)
    stdin.setRawMode(true)
    stdin.resume()
    let value = ""
    const done = (err?: Error) => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off("data", onData)
      process.stderr.write("\n")
      err ? reject(err) : resolve(value)
    }
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done()
        if (ch === "\u0003" || ch === "\u0004") return done(new Error("cancelled"))
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1)
        else value += ch
      }
    }
    stdin.on("data", onData)
  })
}

/** The keyring chosen by the global flags, with the home's bech32 prefix. */
export const keyring = Effect.gen(function* () {
  const dir = yield* home
  const backend = yield* KeyringBackend
  const config = yield* configOrDefault(dir)
  const k: Keyring = openKeyring({
    home: dir,
    backend,
    prefix: config.chain.bech32Prefix,
    passphrase: async () => process.env.CYBERKERNEL_KEYRING_PASSPHRASE ?? readSecret("Keyring passphrase: ")
  })
  return { keyring: k, config, home: dir }
})

/** A Promise as an Effect that fails with CliFailure `<what>: <error message>`. */
export const cliPromise = <A>(what: string, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new CliFailure({ message: `${what}: ${e instanceof Error ? e.message : String(e)}` }) })

/** abci_query `path` with `data` on `--node`; fails with the node's code and log on a non-zero code. */
export const abciQuery = (path: string, data: Uint8Array) =>
  Effect.gen(function* () {
    const node = yield* NodeUrl
    const { connectComet } = yield* Effect.promise(() => import("@cosmjs/tendermint-rpc"))
    const comet = yield* cliPromise(`cannot connect to ${node}`, () => connectComet(node))
    yield* Effect.addFinalizer(() => Effect.sync(() => comet.disconnect()))
    const r = yield* cliPromise("query failed", () => comet.abciQuery({ path, data }))
    if (r.code !== 0) return yield* Effect.fail(new CliFailure({ message: `query failed with code ${r.code}: ${r.log ?? ""}` }))
    return r.value
  }).pipe(Effect.scoped)
