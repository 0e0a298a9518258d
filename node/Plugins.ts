/**
 * Plugin machines: packages that bring a chain machine to a node (docs/plugins.md).
 *
 * A plugin is a folder with a package.json whose `cyberkernel` field is its manifest:
 * `{ machine, entry, wit, msgTypeUrls, queryPrefixes, grants }` ({@link PluginManifest}); its
 * version is the package.json `version`. The entry module's default export (or `createMachine`)
 * is a PluginFactory (plugins/Host.ts). A node finds installed copies under `<home>/plugins/<machine>/`
 * (`cyberkernel plugin install <dir>`) and adds them to its machine catalog after the built-in
 * ones; whether a plugin runs is chain state (the machine registry), never this folder.
 *
 * This module is the public entry: the plugin package (manifest, code hash, loading:
 * node/PluginPackage.ts), a home's installed copies, install and verify, the chain's registry and
 * activation proposals (node/PluginInstall.ts), and the catalog below.
 *
 * Source: ARCHITECTURE.md "Plugins are packages"; cosmos-sdk x/upgrade (a plan names what the
 * binary must have); npm package.json conventions.
 */
import type { CatalogEntry, LoadContext } from "./Machines.ts"
import { installedPluginDirs, linkNodeModules } from "./PluginInstall.ts"
import { loadPlugin, PluginManifestError, readManifest } from "./PluginPackage.ts"

export {
  checkDependencies, installedVersion, loadPlugin, manifestMismatch, pluginServiceOf, parseManifest, pluginCodeHash, pluginFiles, PluginLoadError, PluginManifestError, readManifest, reservedMachineNames,
  type LoadedPlugin, type LoadPluginOptions, type PluginManifest
} from "./PluginPackage.ts"
export {
  activationProposal, chainStatusText, installedPluginDirs, installPlugin, linkNodeModules, missingActivation, MissingMachineCode, pluginsDir, readChainRegistry,
  readInstalledIndex, verifyPlugins, type ChainRegistry, type InstalledPlugin, type PluginCheck, type ProposalOptions
} from "./PluginInstall.ts"

/**
 * Catalog entries (node/Machines.ts) for the plugins installed in `home`, in name order; the node
 * appends them after the built-in machines. Each entry's name comes from its manifest (read now:
 * a broken manifest stops here, naming the plugin); its loader imports the code. A plugin whose
 * machine name is also a built-in machine is refused by loadMachines (listed twice).
 */
export const pluginCatalog = (home: string, bondDenom: (ctx: LoadContext) => string = (ctx) => ctx.config.chain.feeDenom): CatalogEntry[] => {
  linkNodeModules(home)
  return installedPluginDirs(home).map((dir) => {
    const manifest = readManifest(dir)
    const folder = dir.split(/[\\/]/).pop()
    if (folder !== manifest.machine) throw new PluginManifestError({ plugin: manifest.machine, reason: `installed under plugins/${folder}/, expected plugins/${manifest.machine}/` })
    return {
      name: manifest.machine,
      enabled: () => true,
      load: async (ctx: LoadContext) => (await loadPlugin(dir, { bech32Prefix: ctx.config.chain.bech32Prefix, bondDenom: bondDenom(ctx) })).machine
    }
  })
}
