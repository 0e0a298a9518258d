/**
 * `cyberkernel plugin install <dir> | list | verify [name] | proposal <dir> --height H`: manage the plugin machines of a node
 * home (node/Plugins.ts, docs/plugins.md). Install checks the manifest and the machine its code
 * builds, then copies the plugin to `<home>/plugins/<machine>/`; list shows name, version, code
 * hash and, when the home has chain state (node stopped), the machine's status in the chain's
 * registry; verify recomputes code hashes and checks them against the install record and the
 * chain's registry record (when the node is stopped), and checks manifests (exit code 1 when one fails).
 * An installed plugin is available code: whether it runs is chain state (a governance proposal
 * activates it: `plugin proposal <dir> --height H` prints that proposal's file, docs/plugins.md).
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { readFileSync } from "node:fs"
import { activationProposal, chainStatusText, installPlugin, readChainRegistry, verifyPlugins, type LoadPluginOptions } from "../../node/Plugins.ts"
import { toHex } from "../../lib/Bytes.ts"
import { MACHINE_CATALOG } from "../../node/Machines.ts"
import { CliFailure, configOrDefault, emit, home } from "../Globals.ts"

const fail = (e: unknown) => new CliFailure({ message: e instanceof Error ? e.message : String(e) })

/** The factory options from the home's config (the node's own, so a check loads what start loads). */
const loadOptions = (dir: string) =>
  configOrDefault(dir).pipe(
    Effect.map((c): LoadPluginOptions => ({ bech32Prefix: c.chain.bech32Prefix, bondDenom: c.chain.feeDenom })),
    Effect.mapError(fail)
  )

const install = Command.make("install", {
  dir: Argument.String("dir").pipe(Argument.withDescription("plugin folder (its package.json has a \"cyberkernel\" manifest)"))
}, ({ dir }) =>
  Effect.gen(function* () {
    const h = yield* home
    const opts = yield* loadOptions(h)
    const p = yield* Effect.tryPromise({ try: () => installPlugin(dir, h, opts), catch: fail })
    yield* emit(
      { installed: p.machine, version: p.version, code_hash: p.codeHash, dir: p.dir, replaced: p.replaced },
      () => `installed plugin ${p.machine} ${p.version} (code hash ${p.codeHash}) in ${p.dir}${p.replaced ? ", replacing the earlier copy" : ""}; ` +
        `the node loads it at its next start, and runs it once the chain activates it`
    )
  })
).pipe(Command.withDescription("Install a plugin folder into the node home (refuses a bad manifest or a machine that differs from it)"))

const list = Command.make("list", {}, () =>
  Effect.gen(function* () {
    const h = yield* home
    const opts = yield* loadOptions(h)
    const chain = yield* Effect.promise(() => readChainRegistry(h))
    const checks = yield* Effect.tryPromise({ try: () => verifyPlugins(h, opts), catch: fail })
    const rows = checks.map((c) => ({
      name: c.machine,
      version: c.version ?? null,
      code_hash: c.codeHash ?? null,
      problem: c.problem ?? null,
      chain: !chain.available ? null
        : c.version === undefined ? "unknown (plugin does not load)"
        : chainStatusText({ version: c.version, codeHash: c.codeHash! }, chain.records.find((r) => r.name === c.machine))
    }))
    // Machines the chain runs or schedules that are neither built in nor installed here: what to install.
    const builtIn = new Set(MACHINE_CATALOG.map((e) => e.name))
    const needed = !chain.available ? [] : chain.records
      .filter((r) => (r.status === "active" || r.status === "scheduled") && !builtIn.has(r.name) && !checks.some((c) => c.machine === r.name))
      .map((r) => ({ name: r.name, version: r.version, code_hash: toHex(r.codeHash), chain: `${chainStatusText({ version: r.version, codeHash: toHex(r.codeHash) }, r)}, NOT INSTALLED here` }))
    const where = chain.available ? `chain state at height ${chain.height}` : `local only: ${chain.reason}`
    yield* emit({ plugins: rows, missing: needed, chain_state: chain.available ? { height: chain.height } : { unavailable: chain.reason } }, () =>
      [
        rows.length === 0 ? `no plugins installed (${where})` : `plugins (${where}):`,
        ...rows.map((r) => `  ${r.name}  ${r.version ?? "?"}  ${r.code_hash ?? "?"}${r.chain ? `  ${r.chain}` : ""}${r.problem ? `  BROKEN: ${r.problem}` : ""}`),
        ...(needed.length === 0 ? [] : ["the chain runs machines this node does not have (install these plugins):", ...needed.map((r) => `  ${r.name}  ${r.version}  ${r.code_hash}  ${r.chain}`)])
      ].join("\n"))
  })
).pipe(Command.withDescription("List installed plugins: name, version, code hash, and their status on the chain when the node is stopped"))

const verify = Command.make("verify", {
  name: Argument.String("name").pipe(Argument.withDescription("plugin (machine) name; default: every installed plugin"), Argument.optional)
}, ({ name }) =>
  Effect.gen(function* () {
    const h = yield* home
    const opts = yield* loadOptions(h)
    const chain = yield* Effect.promise(() => readChainRegistry(h))
    const checks = yield* Effect.tryPromise({ try: () => verifyPlugins(h, opts, Option.getOrUndefined(name), chain.available ? chain.records : undefined), catch: fail })
    const bad = checks.filter((c) => c.problem !== undefined)
    yield* emit(
      checks.map((c) => ({ name: c.machine, version: c.version ?? null, code_hash: c.codeHash ?? null, ok: c.problem === undefined, problem: c.problem ?? null })),
      () => checks.length === 0 ? "no plugins installed" : checks.map((c) => c.problem ? `FAIL ${c.machine}: ${c.problem}` : `ok   ${c.machine} ${c.version} ${c.codeHash}`).join("\n")
    )
    if (bad.length > 0) return yield* new CliFailure({ message: `${bad.length} plugin(s) failed verification: ${bad.map((c) => c.machine).join(", ")}` })
  })
).pipe(Command.withDescription("Recompute installed plugins' code hashes and check their manifests and machines"))

const proposal = Command.make("proposal", {
  dir: Argument.String("dir").pipe(Argument.withDescription("plugin folder")),
  height: Flag.Int("height").pipe(Flag.withDescription("block height at which the machine activates (after the proposal passes)")),
  deposit: Flag.String("deposit").pipe(Flag.withDescription("deposit coins (default: 10000000<fee denom>, the SDK's min_deposit)"), Flag.optional),
  genesis: Flag.String("genesis").pipe(Flag.withDescription("JSON file with the machine's genesis section (default: its defaults)"), Flag.optional)
}, ({ dir, height, deposit, genesis }) =>
  Effect.gen(function* () {
    const h = yield* home
    const c = yield* configOrDefault(h).pipe(Effect.mapError(fail))
    const gen = Option.getOrUndefined(genesis)
    const file = yield* Effect.tryPromise({
      try: async () => activationProposal(dir, {
        bech32Prefix: c.chain.bech32Prefix, bondDenom: c.chain.feeDenom, height,
        deposit: Option.getOrElse(deposit, () => `10000000${c.chain.feeDenom}`),
        ...(gen === undefined ? {} : { genesis: JSON.parse(readFileSync(gen, "utf8")) as unknown })
      }),
      catch: fail
    })
    process.stdout.write(JSON.stringify(file, null, 2) + "\n")
  })
).pipe(Command.withDescription("Print the governance proposal file (tx gov submit-proposal) that activates this plugin at --height"))

/** `plugin` and its subcommands. */
export const pluginCommand = Command.make("plugin").pipe(
  Command.withDescription("Manage plugin machines installed in the node home (docs/plugins.md)"),
  Command.withSubcommands([install, list, verify, proposal])
)
