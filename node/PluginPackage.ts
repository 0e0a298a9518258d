/**
 * A plugin package on disk (docs/plugins.md): its manifest, its files and code hash, and loading
 * its machine. node/Plugins.ts is the public entry; node/PluginInstall.ts installs and checks copies.
 *
 * A plugin is a folder with a package.json whose `cyberkernel` field is its manifest:
 * `{ machine, entry, wit, msgTypeUrls, queryPrefixes, grants }` ({@link PluginManifest}); its
 * version is the package.json `version`. The entry module's default export (or `createMachine`)
 * is a {@link PluginFactory}.
 *
 * Code hash ({@link pluginCodeHash}): over the plugin's files (every regular file under the folder,
 * skipping entries whose name starts with "." and `node_modules`; a symbolic link is refused),
 * sorted by relative path ("/"-separated, UTF-8 byte order):
 *   sha256( for each file: utf8(path) || 0x00 || sha256(content) )
 * as 64 lowercase hex. The loader sets the machine's `codeHash` to it, so the registry records
 * exactly these bytes, and a node whose copy differs by one byte refuses to run the chain's record.
 *
 * Source: ARCHITECTURE.md "Plugins are packages"; npm package.json conventions.
 */
import { Data } from "effect"
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { CAPABILITIES_NAMESPACE, parseCapabilitiesGenesis, type Grant } from "../chain/Capabilities.ts"
import type { Machine } from "../chain/Machine.ts"
import { REGISTRY_NAMESPACE } from "../chain/Registry.ts"
import { concatBytes, sha256, toHex } from "../lib/Bytes.ts"
import { pluginHost, type PluginFactory, type PluginServiceFactory } from "../plugins/Host.ts"
import { MACHINE_CATALOG } from "./Machines.ts"

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
  /**
   * npm packages the plugin imports at run time (package.json `dependencies`), name -> exact version.
   * The node must have exactly that version installed ({@link checkDependencies}); being in package.json,
   * the versions are part of the code hash the chain records.
   */
  readonly dependencies: Readonly<Record<string, string>>
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
  const deps = (pkg as { dependencies?: unknown }).dependencies ?? {}
  if (typeof deps !== "object" || deps === null || Array.isArray(deps)) throw new PluginManifestError({ plugin, reason: "package.json \"dependencies\" must be an object of name -> exact version" })
  const dependencies: Record<string, string> = {}
  for (const [name, v] of Object.entries(deps as Record<string, unknown>)) {
    if (typeof v !== "string" || !SEMVER.test(v)) {
      throw new PluginManifestError({ plugin, reason: `dependency "${name}" must name an exact version (semver text such as "1.2.3"), got ${JSON.stringify(v)}` })
    }
    dependencies[name] = v
  }
  return { machine: plugin, version, entry: m.entry as string, wit: m.wit as string, msgTypeUrls, queryPrefixes, grants, dependencies }
}

/**
 * The version of npm package `name` as Node resolves it from `dir` (the nearest
 * `node_modules/<name>/package.json` walking up), or undefined when none is installed.
 */
export const installedVersion = (dir: string, name: string): string | undefined => {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const file = join(d, "node_modules", name, "package.json")
    if (existsSync(file)) {
      try {
        const v = (JSON.parse(readFileSync(file, "utf8")) as { version?: unknown }).version
        return typeof v === "string" ? v : undefined
      } catch {
        return undefined
      }
    }
    if (dirname(d) === d) return undefined
  }
}

/** The folder of this node's installation, whose `node_modules` holds the packages plugins may use. */
export const nodeRoot = (): string => fileURLToPath(new URL("..", import.meta.url))

/**
 * Check that every dependency the manifest declares is installed in the node (`nodeRoot()`) at
 * exactly the declared version; an installed copy resolves them through `<home>/plugins/node_modules`,
 * a link to the node's packages (node/PluginInstall.ts linkNodeModules). Throws PluginLoadError
 * naming the package and both versions.
 */
export const checkDependencies = (manifest: PluginManifest): void => {
  for (const [name, want] of Object.entries(manifest.dependencies)) {
    const have = installedVersion(nodeRoot(), name)
    if (have !== want) {
      throw new PluginLoadError({
        plugin: manifest.machine,
        reason: have === undefined
          ? `it needs npm package ${name}@${want}, which this node does not have installed`
          : `it needs npm package ${name}@${want}; this node has ${have}`
      })
    }
  }
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
  /** The entry's `createService` export (plugins/Host.ts PluginServiceFactory), when it has one. */
  readonly service?: PluginServiceFactory
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
  checkDependencies(manifest)
  let mod: { default?: unknown; createMachine?: unknown; createService?: unknown }
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
  if (mod.createService !== undefined && typeof mod.createService !== "function") throw new PluginLoadError({ plugin, reason: `${manifest.entry} exports createService that is not a function` })
  const service = mod.createService as PluginServiceFactory | undefined
  if (service) pluginServices.set(machine, service)
  return { dir, manifest, codeHash, machine, ...(service ? { service } : {}) }
}

const pluginServices = new WeakMap<Machine, PluginServiceFactory>()

/** The node-side service factory of a machine loaded by {@link loadPlugin}, if its plugin exports one. */
export const pluginServiceOf = (machine: Machine): PluginServiceFactory | undefined => pluginServices.get(machine)
