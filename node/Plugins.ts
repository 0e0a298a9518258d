/**
 * Plugin machines: packages that bring a chain machine to a node (docs/plugins.md).
 *
 * A plugin is a folder with a package.json whose `cyberkernel` field is its manifest:
 * `{ machine, entry, wit, msgTypeUrls, queryPrefixes, grants }` ({@link PluginManifest}); its
 * version is the package.json `version`. The entry module's default export (or `createMachine`)
 * is a {@link PluginFactory}. A node finds installed copies under `<home>/plugins/<machine>/`
 * (`cyberkernel plugin install <dir>`) and adds them to its machine catalog after the built-in
 * ones; whether a plugin runs is chain state (the machine registry), never this folder.
 *
 * Code hash ({@link pluginCodeHash}): over the plugin's files (every regular file under the folder,
 * skipping entries whose name starts with "." and `node_modules`; a symbolic link is refused),
 * sorted by relative path ("/"-separated, UTF-8 byte order):
 *   sha256( for each file: utf8(path) || 0x00 || sha256(content) )
 * as 64 lowercase hex. The loader sets the machine's `codeHash` to it, so the registry records
 * exactly these bytes, and a node whose copy differs by one byte refuses to run the chain's record.
 *
 * Source: ARCHITECTURE.md "Plugins are packages"; cosmos-sdk x/upgrade (a plan names what the
 * binary must have); npm package.json conventions.
 */
import { Data } from "effect"
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { CAPABILITIES_NAMESPACE, parseCapabilitiesGenesis, type Grant } from "../chain/Capabilities.ts"
import type { Machine } from "../chain/Machine.ts"
import { codeProblem, REGISTRY_NAMESPACE, type MachineRecord } from "../chain/Registry.ts"
import { concatBytes, sha256, toHex } from "../lib/Bytes.ts"
import { moduleAccountBytes } from "../chain/Principal.ts"
import { formatAddress } from "../modules/auth/Address.ts"
import { pluginHost, type PluginFactory } from "../plugins/Host.ts"
import { MACHINE_CATALOG, type CatalogEntry, type LoadContext } from "./Machines.ts"

/** A plugin's package.json is missing, unreadable or its `cyberkernel` manifest is invalid. */
export class PluginManifestError extends Data.TaggedError("PluginManifestError")<{ readonly plugin: string; readonly reason: string }> {
  override get message(): string {
    return `plugin "${this.plugin}": invalid manifest: ${this.reason}`
  }
}

/** A plugin's code cannot be loaded, or the machine it builds differs from its manifest. */
export class PluginLoadError extends Data.TaggedError("PluginLoadError")<{ readonly plugin: string; readonly reason: string }> {
  override get message(): string {
    return `plugin "${this.plugin}" cannot be loaded: ${this.reason}`
  }
}

/** The `cyberkernel` field of a plugin's package.json, plus its version. */
export interface PluginManifest {
  /** Machine (and namespace, and install folder) name, `[a-z0-9][a-z0-9-]*`. */
  readonly machine: string
  /** package.json `version` (semver); must equal the machine's `version`. */
  readonly version: string
  /** Entry module, relative to the plugin folder (default export: the factory). */
  readonly entry: string
  /** The machine's WIT interface file, relative to the plugin folder. */
  readonly wit: string
  /** Message type URLs the machine serves (exactly its `msgTypeUrls`). */
  readonly msgTypeUrls: ReadonlyArray<string>
  /** Query path prefixes it serves (exactly its `queryPrefixes`). */
  readonly queryPrefixes: ReadonlyArray<string>
  /** Capabilities it requests, as the genesis `capabilities` grants (exactly its `grants`). */
  readonly grants: ReadonlyArray<Grant>
}

const NAME = /^[a-z0-9][a-z0-9-]*$/
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/
const enc = new TextEncoder()

/** A relative path that stays inside the plugin folder (no "..", not absolute). */
const insidePath = (p: string): boolean => p !== "" && !p.startsWith("/") && !p.split(/[\\/]/).some((s) => s === ".." || s === "")

const stringList = (v: unknown, field: string, plugin: string): string[] => {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) {
    throw new PluginManifestError({ plugin, reason: `"cyberkernel".${field} must be a list of non-empty strings` })
  }
  if (new Set(v).size !== v.length) throw new PluginManifestError({ plugin, reason: `"cyberkernel".${field} lists an entry twice` })
  return v as string[]
}

/**
 * Parse a plugin manifest from package.json text. `label` names the plugin in errors (its folder)
 * until the manifest gives the machine name. Throws PluginManifestError naming the field.
 */
export const parseManifest = (packageJson: string, label: string): PluginManifest => {
  let pkg: unknown
  try {
    pkg = JSON.parse(packageJson)
  } catch (e) {
    throw new PluginManifestError({ plugin: label, reason: `package.json is not valid JSON: ${(e as Error).message}` })
  }
  if (typeof pkg !== "object" || pkg === null || Array.isArray(pkg)) throw new PluginManifestError({ plugin: label, reason: "package.json must be a JSON object" })
  const ck = (pkg as { cyberkernel?: unknown }).cyberkernel
  if (typeof ck !== "object" || ck === null || Array.isArray(ck)) throw new PluginManifestError({ plugin: label, reason: "package.json has no \"cyberkernel\" object" })
  const m = ck as Record<string, unknown>
  if (typeof m.machine !== "string" || !NAME.test(m.machine)) throw new PluginManifestError({ plugin: label, reason: "\"cyberkernel\".machine must be a machine name ([a-z0-9][a-z0-9-]*)" })
  const plugin = m.machine
  const version = (pkg as { version?: unknown }).version
  if (typeof version !== "string" || !SEMVER.test(version)) throw new PluginManifestError({ plugin, reason: "package.json \"version\" must be semver text" })
  for (const f of ["entry", "wit"] as const) {
    if (typeof m[f] !== "string" || !insidePath(m[f])) throw new PluginManifestError({ plugin, reason: `"cyberkernel".${f} must be a relative path inside the plugin folder` })
  }
  if (!(m.entry as string).endsWith(".ts") && !(m.entry as string).endsWith(".js") && !(m.entry as string).endsWith(".mjs")) {
    throw new PluginManifestError({ plugin, reason: "\"cyberkernel\".entry must be a .ts, .js or .mjs module" })
  }
  if (!(m.wit as string).endsWith(".wit")) throw new PluginManifestError({ plugin, reason: "\"cyberkernel\".wit must name a .wit file" })
  const msgTypeUrls = stringList(m.msgTypeUrls ?? [], "msgTypeUrls", plugin)
  for (const u of msgTypeUrls) if (!u.startsWith("/")) throw new PluginManifestError({ plugin, reason: `message type URL "${u}" must start with "/"` })
  const queryPrefixes = stringList(m.queryPrefixes ?? [], "queryPrefixes", plugin)
  for (const p of queryPrefixes) if (!p.startsWith("/")) throw new PluginManifestError({ plugin, reason: `query prefix "${p}" must start with "/"` })
  let grants: Grant[]
  try {
    grants = parseCapabilitiesGenesis({ grants: m.grants ?? [] })
  } catch (e) {
    throw new PluginManifestError({ plugin, reason: `"cyberkernel".grants: ${(e as { log?: string }).log ?? String(e)}` })
  }
  return { machine: plugin, version, entry: m.entry as string, wit: m.wit as string, msgTypeUrls, queryPrefixes, grants }
}

/** Read and parse `<dir>/package.json`, checking that the entry and WIT files exist. */
export const readManifest = (dir: string): PluginManifest => {
  const label = resolve(dir).split(/[\\/]/).pop() ?? dir
  const file = join(dir, "package.json")
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (e) {
    throw new PluginManifestError({ plugin: label, reason: `cannot read ${file}: ${(e as Error).message}` })
  }
  const m = parseManifest(text, label)
  for (const f of [m.entry, m.wit]) {
    if (!existsSync(join(dir, f))) throw new PluginManifestError({ plugin: m.machine, reason: `file ${f} named in the manifest is missing` })
  }
  return m
}

/** The plugin's files as hashed and installed: relative "/"-separated paths, sorted by UTF-8 bytes. */
export const pluginFiles = (dir: string): string[] => {
  const out: string[] = []
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      if (name.startsWith(".") || name === "node_modules") continue
      const r = rel === "" ? name : `${rel}/${name}`
      const st = lstatSync(join(dir, r))
      if (st.isSymbolicLink()) throw new PluginManifestError({ plugin: dir, reason: `${r} is a symbolic link (plugins are plain files)` })
      if (st.isDirectory()) walk(r)
      else if (st.isFile()) out.push(r)
    }
  }
  walk("")
  return out.sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")))
}

/** The code hash of the plugin folder `dir`, 64 lowercase hex (module doc). */
export const pluginCodeHash = (dir: string): string => {
  const parts: Uint8Array[] = []
  for (const f of pluginFiles(dir)) parts.push(enc.encode(f), Uint8Array.of(0), sha256(new Uint8Array(readFileSync(join(dir, f)))))
  return toHex(sha256(concatBytes(...parts)))
}

const sameList = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => a.length === b.length && a.every((x, i) => x === b[i])
const grantText = (g: Grant): string => JSON.stringify([g.principal, g.capability.interface, g.capability.method, g.capability.constraints.map((c) => [c.field, c.op, c.value])])

/** Why `machine` differs from `manifest`, or undefined when it matches. */
export const manifestMismatch = (manifest: PluginManifest, machine: Machine): string | undefined => {
  if (machine.name !== manifest.machine) return `its factory built machine "${machine.name}", the manifest names "${manifest.machine}"`
  if (machine.version !== manifest.version) return `machine version ${machine.version} differs from package.json version ${manifest.version}`
  if (!sameList(machine.msgTypeUrls, manifest.msgTypeUrls)) return `machine msgTypeUrls [${machine.msgTypeUrls.join(", ")}] differ from the manifest's [${manifest.msgTypeUrls.join(", ")}]`
  if (!sameList(machine.queryPrefixes, manifest.queryPrefixes)) return `machine queryPrefixes [${machine.queryPrefixes.join(", ")}] differ from the manifest's [${manifest.queryPrefixes.join(", ")}]`
  if (!sameList((machine.grants ?? []).map(grantText), manifest.grants.map(grantText))) {
    return `machine grants ${(machine.grants ?? []).map(grantText).join(" ") || "(none)"} differ from the manifest's ${manifest.grants.map(grantText).join(" ") || "(none)"}`
  }
  if (machine.interface !== undefined && machine.interface.name !== manifest.machine) return `machine interface "${machine.interface.name}" differs from its name`
  return undefined
}

/**
 * Names a plugin machine cannot take: the system namespaces, the `authority` interface (governance's
 * `authority.execute` capability) and the machines built into this release.
 */
export const reservedMachineNames = (): ReadonlySet<string> =>
  new Set([REGISTRY_NAMESPACE, CAPABILITIES_NAMESPACE, "authority", ...MACHINE_CATALOG.map((e) => e.name)])

/** Options of {@link loadPlugin}: what the factory is given (plugins/Host.ts PluginOptions less the host). */
export interface LoadPluginOptions {
  readonly bech32Prefix: string
  readonly bondDenom: string
}

/** A loaded plugin: its manifest, code hash and machine (with `codeHash` set). */
export interface LoadedPlugin {
  readonly dir: string
  readonly manifest: PluginManifest
  readonly codeHash: string
  readonly machine: Machine
}

/**
 * Load the plugin in `dir`: manifest, code hash, import the entry, call its factory, check the
 * machine against the manifest and set its `codeHash`. Throws PluginManifestError or
 * PluginLoadError naming the plugin.
 */
export const loadPlugin = async (dir: string, opts: LoadPluginOptions): Promise<LoadedPlugin> => {
  const manifest = readManifest(dir)
  const plugin = manifest.machine
  if (reservedMachineNames().has(plugin)) throw new PluginLoadError({ plugin, reason: `"${plugin}" is a system namespace or a built-in machine of this release` })
  const codeHash = pluginCodeHash(dir)
  let mod: { default?: unknown; createMachine?: unknown }
  try {
    mod = (await import(pathToFileURL(resolve(dir, manifest.entry)).href)) as typeof mod
  } catch (e) {
    throw new PluginLoadError({ plugin, reason: `importing ${manifest.entry} failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` })
  }
  const factory = typeof mod.default === "function" ? mod.default : mod.createMachine
  if (typeof factory !== "function") throw new PluginLoadError({ plugin, reason: `${manifest.entry} exports no factory (default export or createMachine)` })
  let machine: Machine
  try {
    machine = (factory as PluginFactory)({ bech32Prefix: opts.bech32Prefix, bondDenom: opts.bondDenom, host: pluginHost })
  } catch (e) {
    throw new PluginLoadError({ plugin, reason: `its factory failed: ${e instanceof Error ? e.message : String(e)}` })
  }
  if (typeof machine !== "object" || machine === null) throw new PluginLoadError({ plugin, reason: "its factory returned no machine" })
  const problem = manifestMismatch(manifest, machine)
  if (problem) throw new PluginLoadError({ plugin, reason: problem })
  if (machine.codeHash !== undefined && machine.codeHash !== codeHash) {
    throw new PluginLoadError({ plugin, reason: `the machine declares code hash ${machine.codeHash}; its files hash to ${codeHash}` })
  }
  Object.defineProperty(machine, "codeHash", { value: codeHash, enumerable: true, configurable: false, writable: false })
  return { dir, manifest, codeHash, machine }
}

/** Where a node keeps its installed plugins: `<home>/plugins`. */
export const pluginsDir = (home: string): string => join(home, "plugins")

/** `<home>/plugins/.installed.json`: what `install` copied, `{ "<machine>": { "version", "code_hash" } }`. */
const installedIndexPath = (home: string): string => join(pluginsDir(home), ".installed.json")

/** The install index (module doc of {@link installPlugin}); empty when missing or unreadable. */
export const readInstalledIndex = (home: string): Record<string, { version: string; code_hash: string }> => {
  try {
    const v = JSON.parse(readFileSync(installedIndexPath(home), "utf8")) as unknown
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, { version: string; code_hash: string }>) : {}
  } catch {
    return {}
  }
}

/** Installed plugin folders of a home (one per machine name), in name order. */
export const installedPluginDirs = (home: string): string[] => {
  const root = pluginsDir(home)
  if (!existsSync(root)) return []
  return readdirSync(root)
    .filter((n) => !n.startsWith(".") && lstatSync(join(root, n)).isDirectory())
    .sort()
    .map((n) => join(root, n))
}

/**
 * Catalog entries (node/Machines.ts) for the plugins installed in `home`, in name order; the node
 * appends them after the built-in machines. Each entry's name comes from its manifest (read now:
 * a broken manifest stops here, naming the plugin); its loader imports the code. A plugin whose
 * machine name is also a built-in machine is refused by loadMachines (listed twice).
 */
export const pluginCatalog = (home: string, bondDenom: (ctx: LoadContext) => string = (ctx) => ctx.config.chain.feeDenom): CatalogEntry[] =>
  installedPluginDirs(home).map((dir) => {
    const manifest = readManifest(dir)
    const folder = dir.split(/[\\/]/).pop()
    if (folder !== manifest.machine) throw new PluginManifestError({ plugin: manifest.machine, reason: `installed under plugins/${folder}/, expected plugins/${manifest.machine}/` })
    return {
      name: manifest.machine,
      enabled: () => true,
      load: async (ctx: LoadContext) => (await loadPlugin(dir, { bech32Prefix: ctx.config.chain.bech32Prefix, bondDenom: bondDenom(ctx) })).machine
    }
  })

/** Result of {@link installPlugin}. */
export interface InstalledPlugin {
  readonly machine: string
  readonly version: string
  readonly codeHash: string
  readonly dir: string
  /** True when an earlier copy was replaced. */
  readonly replaced: boolean
}

/**
 * Copy the plugin folder `src` to `<home>/plugins/<machine>/` (replacing an earlier copy), after
 * checking its manifest and loading its machine (so a bad plugin is refused before it is copied),
 * and check that the copy hashes as the source. Only the hashed files are copied. The version and
 * code hash are recorded in `<home>/plugins/.installed.json`, which `verify` checks the copy against.
 */
export const installPlugin = async (src: string, home: string, opts: LoadPluginOptions): Promise<InstalledPlugin> => {
  const loaded = await loadPlugin(src, opts)
  const name = loaded.manifest.machine
  const root = pluginsDir(home)
  mkdirSync(root, { recursive: true })
  const dest = join(root, name)
  if (resolve(src) === resolve(dest)) return { machine: name, version: loaded.manifest.version, codeHash: loaded.codeHash, dir: dest, replaced: false }
  const tmp = join(root, `.${name}.installing`)
  rmSync(tmp, { recursive: true, force: true })
  for (const f of pluginFiles(src)) {
    mkdirSync(join(tmp, f, ".."), { recursive: true })
    cpSync(join(src, f), join(tmp, f))
  }
  const copied = pluginCodeHash(tmp)
  if (copied !== loaded.codeHash) {
    rmSync(tmp, { recursive: true, force: true })
    throw new PluginLoadError({ plugin: name, reason: `the installed copy hashes to ${copied}, the source to ${loaded.codeHash} (files changed during the copy?)` })
  }
  const replaced = existsSync(dest)
  if (replaced) rmSync(dest, { recursive: true, force: true })
  renameSync(tmp, dest)
  const index = readInstalledIndex(home)
  index[name] = { version: loaded.manifest.version, code_hash: loaded.codeHash }
  const sorted = Object.fromEntries(Object.keys(index).sort().map((k) => [k, index[k]]))
  writeFileSync(installedIndexPath(home), JSON.stringify(sorted, null, 2) + "\n")
  return { machine: name, version: loaded.manifest.version, codeHash: loaded.codeHash, dir: dest, replaced }
}

/** One installed plugin as `plugin verify` reports it. */
export interface PluginCheck {
  readonly machine: string
  readonly dir: string
  readonly version?: string
  readonly codeHash?: string
  /** Undefined when manifest, code and machine check out; else what is wrong. */
  readonly problem?: string
}

/**
 * Check installed plugins (all, or the one named `name`): manifest, the machine its factory builds
 * against the manifest, and the code hash recomputed from the files against the one recorded at
 * install (`.installed.json`) and, when `chain` is given, against the chain's registry record.
 */
export const verifyPlugins = async (home: string, opts: LoadPluginOptions, name?: string, chain?: ReadonlyArray<MachineRecord>): Promise<PluginCheck[]> => {
  const index = readInstalledIndex(home)
  const dirs = installedPluginDirs(home).filter((d) => name === undefined || d.split(/[\\/]/).pop() === name)
  if (name !== undefined && dirs.length === 0) throw new PluginManifestError({ plugin: name, reason: `not installed in ${pluginsDir(home)}` })
  const out: PluginCheck[] = []
  for (const dir of dirs) {
    const folder = dir.split(/[\\/]/).pop()!
    try {
      const p = await loadPlugin(dir, opts)
      const at = index[folder]
      const rec = chain?.find((r) => r.name === p.manifest.machine)
      const problem = folder !== p.manifest.machine ? `installed under plugins/${folder}/, expected plugins/${p.manifest.machine}/`
        : at === undefined ? "not installed with `cyberkernel plugin install` (no install record)"
        : at.code_hash !== p.codeHash || at.version !== p.manifest.version
          ? `files changed since install: code hash ${p.codeHash}, installed ${at.code_hash} (version ${at.version})`
        : rec !== undefined && (rec.version !== p.manifest.version || toHex(rec.codeHash) !== p.codeHash)
          ? `the chain's registry record is version ${rec.version} code hash ${toHex(rec.codeHash)}; this copy is ${p.manifest.version} ${p.codeHash}`
        : undefined
      out.push({ machine: p.manifest.machine, dir, version: p.manifest.version, codeHash: p.codeHash, ...(problem === undefined ? {} : { problem }) })
    } catch (e) {
      out.push({ machine: folder, dir, problem: e instanceof Error ? e.message : String(e) })
    }
  }
  return out
}

/**
 * The chain is about to run a block in which a machine becomes active that this node cannot run
 * (no code, or another version or code hash): the node stops before proposing it, as a Cosmos
 * node stops at an upgrade plan's height without the upgrade. Nothing of block `height` is saved.
 */
export class MissingMachineCode extends Data.TaggedError("MissingMachineCode")<{
  readonly chainId: string
  readonly machine: string
  readonly version: string
  /** 64 lowercase hex, the code hash recorded in the registry. */
  readonly codeHash: string
  readonly height: number
  readonly reason: string
}> {
  override get message(): string {
    return `chain ${this.chainId} activates machine "${this.machine}" version ${this.version} (code hash ${this.codeHash}) at height ${this.height}: ` +
      `${this.reason}. Stopped before block ${this.height} (last committed height ${this.height - 1}); install plugin "${this.machine}" ` +
      `${this.version} with that code hash (cyberkernel plugin install <folder>) and start again: the node resumes at height ${this.height}`
  }
}

/**
 * The first registry record scheduled at or below `height` that `machines` cannot run, as a
 * {@link MissingMachineCode}; undefined when every due activation has its code here.
 */
export const missingActivation = (
  records: ReadonlyArray<MachineRecord>, machines: ReadonlyArray<Machine>, chainId: string, height: number
): MissingMachineCode | undefined => {
  for (const r of records) {
    if (r.status !== "scheduled" || r.activationHeight > height) continue
    const reason = codeProblem(r, machines.find((m) => m.name === r.name))
    if (reason) return new MissingMachineCode({ chainId, machine: r.name, version: r.version, codeHash: toHex(r.codeHash), height, reason })
  }
  return undefined
}

/** The registry as committed in a node home's state store, for `plugin list`. */
export type ChainRegistry =
  | { readonly available: true; readonly height: number; readonly records: ReadonlyArray<MachineRecord> }
  | { readonly available: false; readonly reason: string }

/**
 * Read the committed machine registry of `home` (data/state). Unavailable when the home has no
 * state yet, or the store cannot be opened (a running node holds its lock).
 */
export const readChainRegistry = async (home: string): Promise<ChainRegistry> => {
  const path = join(home, "data", "state")
  if (!existsSync(path)) return { available: false, reason: "this home has no chain state yet" }
  const { openCommitMultiStore } = await import("../store/IavlMultiStore.ts")
  const { listRecords, REGISTRY_NAMESPACE } = await import("../chain/Registry.ts")
  const { CAPABILITIES_NAMESPACE } = await import("../chain/Capabilities.ts")
  let store
  try {
    store = await openCommitMultiStore({ path, namespaces: [CAPABILITIES_NAMESPACE, REGISTRY_NAMESPACE] })
  } catch (e) {
    return { available: false, reason: `chain state cannot be opened (is the node running?): ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` }
  }
  try {
    return { available: true, height: store.lastCommit().version, records: listRecords(store.store(REGISTRY_NAMESPACE)) }
  } finally {
    await store.close()
  }
}

/** What the chain says about an installed plugin: its registry record against the installed code. */
export const chainStatusText = (installed: { readonly version: string; readonly codeHash: string }, record: MachineRecord | undefined): string => {
  if (!record) return "not on chain"
  const hash = toHex(record.codeHash)
  const status = record.status === "scheduled" ? `scheduled at height ${record.activationHeight}` : `${record.status} since height ${record.activationHeight}`
  if (record.version !== installed.version || hash !== installed.codeHash) return `${status}, but the chain's record is version ${record.version} code hash ${hash}: this copy cannot run it`
  return status
}

/** Options of {@link activationProposal}. */
export interface ProposalOptions {
  readonly bech32Prefix: string
  /** Block whose FinalizeBlock activates the machine; must be above the height at which the proposal passes. */
  readonly height: number
  /** Deposit coins text, e.g. "10000000boot" (SDK default min_deposit). */
  readonly deposit: string
  /** The machine's genesis section; undefined: its defaults. */
  readonly genesis?: unknown
  readonly title?: string
  readonly summary?: string
}

/**
 * The proposal file (SDK v0.50 `tx gov submit-proposal` JSON) that activates the plugin in `dir`:
 * one `/cyberkernel.registry.v1.MsgActivateMachine` (chain/Authority.ts) with the gov module account
 * as authority and the plugin's version, code hash and grants from its manifest.
 */
export const activationProposal = async (dir: string, opts: ProposalOptions & { readonly bondDenom: string }): Promise<Record<string, unknown>> => {
  const p = await loadPlugin(dir, opts)
  if (!Number.isSafeInteger(opts.height) || opts.height < 2) throw new PluginLoadError({ plugin: p.manifest.machine, reason: "the activation height must be an integer above 1" })
  return {
    messages: [{
      "@type": "/cyberkernel.registry.v1.MsgActivateMachine",
      authority: formatAddress(moduleAccountBytes("gov"), opts.bech32Prefix),
      name: p.manifest.machine,
      version: p.manifest.version,
      code_hash: p.codeHash,
      height: String(opts.height),
      grants: p.manifest.grants,
      ...(opts.genesis === undefined ? {} : { genesis: opts.genesis })
    }],
    metadata: "",
    deposit: opts.deposit,
    title: opts.title ?? `Activate plugin ${p.manifest.machine} ${p.manifest.version}`,
    summary: opts.summary ?? `Activates machine "${p.manifest.machine}" version ${p.manifest.version} (plugin code hash ${p.codeHash}) at height ${opts.height}. ` +
      `Every node must install the plugin (cyberkernel plugin install) before that height, or it stops there.`
  }
}
