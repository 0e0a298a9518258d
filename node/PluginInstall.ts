/**
 * A node home's plugins and the chain's records of them (docs/plugins.md): install a plugin folder
 * under `<home>/plugins/<machine>/` with its install record, verify the installed copies, read the
 * committed machine registry for `plugin list`, write the governance proposal that activates a
 * plugin, and find a due activation this node cannot run. node/Plugins.ts is the public entry;
 * node/PluginPackage.ts reads and loads one plugin folder.
 *
 * Source: cosmos-sdk x/upgrade (a plan names what the binary must have; a node without it stops at
 * the plan's height); SDK v0.50 `tx gov submit-proposal` JSON.
 */
import { Data } from "effect"
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import type { Machine } from "../chain/Machine.ts"
import { codeProblem, type MachineRecord } from "../chain/Registry.ts"
import { toHex } from "../lib/Bytes.ts"
import { moduleAccountBytes } from "../chain/Principal.ts"
import { formatAddress } from "../modules/auth/Address.ts"
import { loadPlugin, nodeRoot, pluginCodeHash, pluginFiles, PluginLoadError, PluginManifestError, readManifest, type LoadPluginOptions } from "./PluginPackage.ts"

/** Where a node keeps its installed plugins: `<home>/plugins`. */
export const pluginsDir = (home: string): string => join(home, "plugins")

/**
 * Link `<home>/plugins/node_modules` to the node's own npm packages, so an installed plugin copy
 * resolves the packages its manifest declares (plugins/Host.ts; versions are checked at load). An
 * existing link is repointed when the node moved; a real folder there is left alone.
 */
export const linkNodeModules = (home: string): void => {
  const root = pluginsDir(home)
  if (!existsSync(root)) return
  const link = join(root, "node_modules")
  const target = join(nodeRoot(), "node_modules")
  let st
  try {
    st = lstatSync(link)
  } catch {
    st = undefined
  }
  if (st !== undefined && !st.isSymbolicLink()) return
  if (st !== undefined && readlinkSync(link) === target) return
  if (st !== undefined) rmSync(link, { force: true })
  symlinkSync(target, link, "dir")
}

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
 * Copy the plugin folder `src` to `<home>/plugins/<machine>/` (replacing an earlier copy): the copy
 * is made beside it first and loaded there (its manifest, npm dependencies and machine checked, so a
 * bad plugin is refused before it replaces anything) and must hash as the source. Only the hashed files are copied. The version and
 * code hash are recorded in `<home>/plugins/.installed.json`, which `verify` checks the copy against.
 */
export const installPlugin = async (src: string, home: string, opts: LoadPluginOptions): Promise<InstalledPlugin> => {
  const name = readManifest(src).machine
  const root = pluginsDir(home)
  mkdirSync(root, { recursive: true })
  linkNodeModules(home)
  const dest = join(root, name)
  if (resolve(src) === resolve(dest)) {
    const loaded = await loadPlugin(dest, opts)
    return { machine: name, version: loaded.manifest.version, codeHash: loaded.codeHash, dir: dest, replaced: false }
  }
  // copy first and load the copy: it resolves its npm packages through <home>/plugins/node_modules
  // wherever the source lies, and a bad plugin is refused before it replaces anything
  const tmp = join(root, `.${name}.installing`)
  rmSync(tmp, { recursive: true, force: true })
  const source = pluginCodeHash(src)
  for (const f of pluginFiles(src)) {
    mkdirSync(join(tmp, f, ".."), { recursive: true })
    cpSync(join(src, f), join(tmp, f))
  }
  let loaded
  try {
    loaded = await loadPlugin(tmp, opts)
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  if (loaded.codeHash !== source) {
    rmSync(tmp, { recursive: true, force: true })
    throw new PluginLoadError({ plugin: name, reason: `the installed copy hashes to ${loaded.codeHash}, the source to ${source} (files changed during the copy?)` })
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
