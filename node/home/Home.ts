/**
 * The node home directory (CometBFT layout):
 *
 * ```
 * <home>/config/config.toml             operator config (node/config)
 * <home>/config/genesis.json            genesis document (Genesis.ts)
 * <home>/config/priv_validator_key.json validator ed25519 key, mode 0600
 * <home>/config/node_key.json           node ed25519 key, mode 0600
 * <home>/data/                          chain data (store, block store)
 * <home>/keyring-test/, keyring-file/   account keys (node/keyring)
 * ```
 *
 * The home is `--home`, else $CYBERKERNEL_HOME, else `~/.cyberkernel`. `initHome` creates what
 * is missing and never overwrites an existing file, so running it twice changes nothing.
 *
 * Source: cometbft v0.38 cmd/cometbft/commands/init.go; cosmos-sdk `simd init` + `keys add` +
 * `genesis add-genesis-account` (done in one step here for a dev chain).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { join, resolve } from "node:path"
import { Data, Effect } from "effect"
import { ConfigError, configPath, defaultConfig, loadConfig, writeConfig } from "../config/ConfigFile.ts"
import type { NodeConfig } from "../config/NodeConfig.ts"
import { openKeyring, type KeyringError } from "../keyring/Keyring.ts"
import { DEFAULT_UNBONDING_TIME, makeGenesis, readGenesis, stakingGenesisSection, type Genesis } from "./Genesis.ts"
import { generateEd25519, readEd25519KeyFile, writeNodeKey, writeValidatorKey, type Ed25519Key } from "./ValidatorKey.ts"

/** A home file is missing, unreadable or malformed, or cannot be written. */
export class HomeError extends Data.TaggedError("HomeError")<{ readonly path: string; readonly message: string }> {}

/** Default chain id of a dev chain. */
export const DEV_CHAIN_ID = "cyberkernel-dev-1"
/** Name of the funded dev key in the test keyring. */
export const DEV_KEY_NAME = "dev"
/** Dev account balance, in the fee denom. */
export const DEV_BALANCE = "1000000000000000"

/** Consensus power of the genesis validator (staking: this many 10^6 tokens bonded). */
export const GENESIS_VALIDATOR_POWER = 10n

/** Paths of the files in a home. */
export const homePaths = (home: string) => ({
  home,
  config: configPath(home),
  genesis: join(home, "config", "genesis.json"),
  validatorKey: join(home, "config", "priv_validator_key.json"),
  nodeKey: join(home, "config", "node_key.json"),
  data: join(home, "data")
})

/** Resolve the home directory: flag, then $CYBERKERNEL_HOME, then ~/.cyberkernel ("~/" expanded). */
export const resolveHome = (flag?: string | undefined, env: NodeJS.ProcessEnv = process.env): string => {
  const raw = flag ?? env.CYBERKERNEL_HOME ?? join(homedir(), ".cyberkernel")
  return resolve(raw === "~" ? homedir() : raw.startsWith("~/") ? join(homedir(), raw.slice(2)) : raw)
}

/** Options of {@link initHome}. */
export interface InitHomeOptions {
  readonly home: string
  /** Chain id of a new genesis (default cyberkernel-dev-1). Ignored when genesis.json exists. */
  readonly chainId?: string | undefined
  /** Moniker written into a new config.toml and the genesis validator name. */
  readonly moniker?: string | undefined
  /** Config for a new config.toml (default: defaults). Ignored when config.toml exists. */
  readonly config?: NodeConfig | undefined
  /** Fund a "dev" key of the test keyring in a new genesis (default true). */
  readonly devAccount?: boolean | undefined
  /** Genesis time, RFC 3339 (default now). */
  readonly genesisTime?: string | undefined
  /**
   * Unbonding period of a new genesis with staking enabled, as a JSON duration (default "1814400s",
   * 21 days). The node's validator key is then the one genesis validator, self-delegated from the dev account.
   */
  readonly unbondingTime?: string | undefined
}

/** The dev account: a test-keyring key funded in genesis. `mnemonic` is set only when this init created the key. */
export interface DevAccount {
  readonly name: string
  readonly address: string
  readonly mnemonic: string | undefined
  readonly coins: ReadonlyArray<{ readonly denom: string; readonly amount: string }>
}

/** What {@link initHome} found or made. `created` lists the files it wrote. */
export interface InitResult {
  readonly home: string
  readonly chainId: string
  readonly created: ReadonlyArray<string>
  readonly devAccount: DevAccount | undefined
}

const tryHome = <A>(path: string, f: () => A): Effect.Effect<A, HomeError> =>
  Effect.try({ try: f, catch: (e) => new HomeError({ path, message: `${path}: ${e instanceof Error ? e.message : String(e)}` }) })

/**
 * Create the home: directories, config.toml, validator and node keys, and (when genesis.json is
 * missing) a dev genesis with one validator and a funded dev account whose key is stored in the
 * test keyring as "dev" (its mnemonic is returned once, when the key is created), and bank denom
 * metadata for the fee denom (CoinMetadata.ts). Existing files
 * are kept as they are.
 */
export const initHome = (o: InitHomeOptions): Effect.Effect<InitResult, HomeError | ConfigError | KeyringError> =>
  Effect.gen(function* () {
    const p = homePaths(resolve(o.home))
    const created: Array<string> = []
    yield* tryHome(p.home, () => {
      for (const d of [p.home, join(p.home, "config"), p.data]) {
        if (!existsSync(d)) mkdirSync(d, { recursive: true, mode: 0o700 })
      }
    })
    if (!existsSync(p.config)) {
      const base = o.config ?? defaultConfig
      const config = o.moniker !== undefined ? { ...base, moniker: o.moniker } : base
      yield* tryHome(p.config, () => writeConfig(p.home, config))
      created.push(p.config)
    }
    const config = yield* loadConfig(p.home)
    if (!existsSync(p.validatorKey)) {
      yield* tryHome(p.validatorKey, () => writeValidatorKey(p.validatorKey, generateEd25519()))
      created.push(p.validatorKey)
    }
    if (!existsSync(p.nodeKey)) {
      yield* tryHome(p.nodeKey, () => writeNodeKey(p.nodeKey, generateEd25519()))
      created.push(p.nodeKey)
    }
    const validator = yield* tryHome(p.validatorKey, () => readEd25519KeyFile(p.validatorKey))

    if (existsSync(p.genesis)) {
      const genesis = yield* tryHome(p.genesis, () => readGenesis(p.genesis))
      return { home: p.home, chainId: genesis.chain_id, created, devAccount: undefined }
    }

    let devAccount: DevAccount | undefined
    if (o.devAccount ?? true) {
      const keyring = openKeyring({ home: p.home, backend: "test", prefix: config.chain.bech32Prefix })
      const existing = yield* keyring.show(DEV_KEY_NAME).pipe(Effect.catchTag("KeyNotFound", () => Effect.succeed(undefined)))
      const coins = [{ denom: config.chain.feeDenom, amount: DEV_BALANCE }]
      if (existing) {
        devAccount = { name: DEV_KEY_NAME, address: existing.address, mnemonic: undefined, coins }
      } else {
        const { info, mnemonic } = yield* keyring.add(DEV_KEY_NAME)
        devAccount = { name: DEV_KEY_NAME, address: info.address, mnemonic, coins }
      }
    }
    const chainId = o.chainId ?? DEV_CHAIN_ID
    const genesisTime = o.genesisTime ?? new Date().toISOString()
    // With staking, the producer's own key is the genesis validator (so it keeps producing), bonded
    // with its genesis power in tokens and self-delegated from the dev account.
    const staking = config.modules.staking.enabled && devAccount
      ? yield* tryHome(p.genesis, () => stakingGenesisSection({
        validator, operator: devAccount.address, bech32Prefix: config.chain.bech32Prefix, bondDenom: config.chain.feeDenom,
        tokens: GENESIS_VALIDATOR_POWER * 1_000_000n, unbondingTime: o.unbondingTime ?? DEFAULT_UNBONDING_TIME, moniker: config.moniker, genesisTime
      }))
      : undefined
    const genesis = yield* tryHome(p.genesis, () =>
      makeGenesis({
        chainId,
        genesisTime,
        validator,
        validatorName: config.moniker,
        validatorPower: GENESIS_VALIDATOR_POWER,
        accounts: devAccount ? [{ address: devAccount.address, coins: devAccount.coins }] : [],
        feeDenom: config.chain.feeDenom
      })
    )
    // the pool is a module account: a bank balance only, no auth BaseAccount
    const bank = staking ? { bank: { ...genesis.app_state.bank, balances: [...genesis.app_state.bank.balances, staking.bondedPool] } } : {}
    // The config's machine set becomes the genesis registry; consensus params go to genesis.
    const machineSections = yield* Effect.tryPromise({
      try: () => genesisMachineSections(config),
      catch: (e) => new HomeError({ path: p.genesis, message: `${p.genesis}: loading the enabled machines: ${e instanceof Error ? e.message : String(e)}` })
    })
    const stakingSection = staking ? { staking: staking.staking } : {}
    yield* tryHome(p.genesis, () => writeGenesisFile(p.genesis, { ...genesis, app_state: { ...genesis.app_state, ...bank, ...machineSections, ...stakingSection } }))
    created.push(p.genesis)
    return { home: p.home, chainId, created, devAccount }
  })

/**
 * The genesis sections a new chain gets from this node's config: `registry` (every enabled
 * machine active from height 1, node/Machines.ts genesisRegistrySection) and the chain params of
 * the enabled machines from this config: `graph.params`, `cyberwasm.params` (chain state from then on).
 */
export const genesisMachineSections = async (config: NodeConfig): Promise<Record<string, unknown>> => {
  const { cyberwasmGenesisParams, genesisRegistrySection, graphGenesisParams, loadMachines } = await import("../Machines.ts")
  const set = await loadMachines(config)
  const out: Record<string, unknown> = { registry: genesisRegistrySection(set) }
  if (set.machines.some((m) => m.machine.name === "graph")) out.graph = { params: await graphGenesisParams(config) }
  if (set.machines.some((m) => m.machine.name === "cyberwasm")) out.cyberwasm = { params: cyberwasmGenesisParams(config) }
  // names: the open zone `os`, where anyone registers a free name (docs/names.md)
  if (set.machines.some((m) => m.machine.name === "names")) out.names = { names: [{ name: "os", owner: "", open: true, notes: [] }] }
  return out
}

const writeGenesisFile = (file: string, g: Genesis) =>
  writeFileSync(file, JSON.stringify(g, null, 2) + "\n", { mode: 0o644, flag: "wx" })

/** Everything `start` needs from a home. */
export interface LoadedHome {
  readonly home: string
  readonly config: NodeConfig
  readonly genesis: Genesis
  readonly validatorKey: Ed25519Key
  readonly nodeKey: Ed25519Key
}

/** Read config, genesis and keys of an initialised home. */
export const loadHome = (home: string): Effect.Effect<LoadedHome, HomeError | ConfigError> =>
  Effect.gen(function* () {
    const p = homePaths(resolve(home))
    const config = yield* loadConfig(p.home)
    for (const f of [p.genesis, p.validatorKey, p.nodeKey]) {
      if (!existsSync(f)) return yield* Effect.fail(new HomeError({ path: f, message: `${f} not found (run \`cyberkernel init\`)` }))
    }
    const genesis = yield* tryHome(p.genesis, () => readGenesis(p.genesis))
    const validatorKey = yield* tryHome(p.validatorKey, () => readEd25519KeyFile(p.validatorKey))
    const nodeKey = yield* tryHome(p.nodeKey, () => readEd25519KeyFile(p.nodeKey))
    return { home: p.home, config, genesis, validatorKey, nodeKey }
  })
