/**
 * Reading and writing the operator config file `<home>/config/config.toml` (TOML, parsed with
 * smol-toml). The file's snake_case keys map to NodeConfig's camelCase fields; validation errors
 * name the offending field as it is spelled in the file (e.g. `consensus.block_time_ms`).
 *
 * Source: CometBFT config.toml conventions (snake_case keys, one file per node).
 */
import { readFileSync, writeFileSync, existsSync } from "node:fs"
import { join } from "node:path"
import { Data, Effect, Exit, Schema, SchemaIssue } from "effect"
import { parse as parseToml, TomlError } from "smol-toml"
import { NodeConfigSchema, type NodeConfig } from "./NodeConfig.ts"

/** One validation problem: the field as spelled in the file (dotted path) and what is wrong. */
export interface ConfigIssue {
  readonly field: string
  readonly message: string
}

/**
 * The config file is missing, unreadable, not valid TOML, or fails validation. `issues` names
 * each bad field; `message` is a readable summary listing them.
 */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly file: string
  readonly issues: ReadonlyArray<ConfigIssue>
  readonly message: string
}> {}

/** Path of the config file inside a home directory. */
export const configPath = (home: string): string => join(home, "config", "config.toml")

const snakeToCamel = (k: string): string => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
/** camelCase back to the file's snake_case (a plugin's config table is handed on as written). */
export const camelToSnake = (k: string): string => k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())

const RAW = "\u0000"

/** Rename snake_case keys to camelCase; a key that is not snake_case is kept as written so it is reported as unknown. */
const camelize = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(camelize)
  if (v !== null && typeof v === "object" && !(v instanceof Date)) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[/[A-Z]/.test(k) ? RAW + k : snakeToCamel(k)] = camelize(x)
    return out
  }
  return v
}

const fieldName = (k: string): string => (k.startsWith(RAW) ? `${k.slice(1)} (keys are snake_case)` : camelToSnake(k))

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Validate a parsed config object (snake_case keys, as in the file). Missing fields take their
 * defaults; unknown fields and bad values fail with ConfigError naming each field.
 */
export const decodeConfig = (raw: unknown, file = "<config>"): Effect.Effect<NodeConfig, ConfigError> => {
  const exit = Schema.decodeUnknownExit(NodeConfigSchema)(camelize(raw ?? {}), {
    onExcessProperty: "error",
    errors: "all"
  })
  if (Exit.isSuccess(exit)) return Effect.succeed(exit.value)
  const error = exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error : undefined)).find((e) => e !== undefined)
  const issues: Array<ConfigIssue> = error
    ? formatter(error.issue).issues.map((i) => ({
      field: (i.path ?? []).map((p) => fieldName(String(typeof p === "object" ? p.key : p))).join(".") || "(root)",
      message: i.message
    }))
    : [{ field: "(root)", message: String(exit.cause) }]
  return Effect.fail(new ConfigError({
    file,
    issues,
    message: `invalid config ${file}: ` + issues.map((i) => `${i.field}: ${i.message}`).join("; ")
  }))
}

/** Parse TOML text and validate it. TOML syntax errors name the line and column. */
export const parseConfig = (text: string, file = "<config>"): Effect.Effect<NodeConfig, ConfigError> => {
  let raw: unknown
  try {
    raw = parseToml(text)
  } catch (e) {
    const where = e instanceof TomlError ? `line ${e.line}, column ${e.column}` : "(file)"
    const msg = e instanceof Error ? e.message.split("\n")[0]! : String(e)
    return Effect.fail(new ConfigError({ file, issues: [{ field: where, message: msg }], message: `invalid TOML in ${file} at ${where}: ${msg}` }))
  }
  return decodeConfig(raw, file)
}

/**
 * Load and validate `<home>/config/config.toml`. A missing file is an error (run `init` first);
 * use {@link defaultConfig} for a node without a file.
 */
export const loadConfig = (home: string): Effect.Effect<NodeConfig, ConfigError> =>
  Effect.suspend(() => {
    const file = configPath(home)
    if (!existsSync(file)) {
      return Effect.fail(new ConfigError({ file, issues: [{ field: "(file)", message: "not found" }], message: `config file ${file} not found (run \`cyberkernel init\`)` }))
    }
    let text: string
    try {
      text = readFileSync(file, "utf8")
    } catch (e) {
      return Effect.fail(new ConfigError({ file, issues: [{ field: "(file)", message: String(e) }], message: `cannot read ${file}: ${String(e)}` }))
    }
    return parseConfig(text, file)
  })

/** The config every field of which has its default value (what an empty file decodes to). */
export const defaultConfig: NodeConfig = Effect.runSync(decodeConfig({}, "<defaults>"))

const s = (v: string) => JSON.stringify(v)

/** RPC limit defaults, for configs built in code with a partial `rpc` section. */
const rpcDefaults = defaultConfig.rpc

/**
 * Render a config as commented TOML (what `init` writes). `parseConfig(renderConfig(c))` gives
 * back `c`.
 */
export const renderConfig = (c: NodeConfig): string => `# cyberkernel operator config. Every field is optional; documentation: docs/operators.md.
# The chain id is not set here: it comes from genesis.json.

# Node name (CometBFT moniker).
moniker = ${s(c.moniker)}
# trace | debug | info | warn | error | none
log_level = ${s(c.logLevel)}

[chain]
# Bech32 prefix of account addresses.
bech32_prefix = ${s(c.chain.bech32Prefix)}
# Denom fees are paid in, and the minimum gas price in that denom per gas unit (decimal string).
fee_denom = ${s(c.chain.feeDenom)}
min_gas_price = ${s(c.chain.minGasPrice)}

[consensus]
# "embedded": built-in single-node block producer. "abci": serve ABCI 2.0 to a real CometBFT.
mode = ${s(c.consensus.mode)}
# ABCI socket (mode = "abci"); point CometBFT's proxy_app here.
abci_listen = ${s(c.consensus.abciListen)}
# Embedded producer: milliseconds between blocks, and whether to produce blocks with no txs.
block_time_ms = ${c.consensus.blockTimeMs}
create_empty_blocks = ${c.consensus.createEmptyBlocks}

[mempool]
size = ${c.mempool.size}
max_tx_bytes = ${c.mempool.maxTxBytes}
# Most gas CheckTx spends running a new tx's messages; a tx past it with gas to spare is admitted
# and pays in the block (docs/chain.md "Gas limits").
check_tx_gas_cap = ${c.mempool.checkTxGasCap}

[rpc]
# CometBFT-compatible JSON-RPC (embedded mode).
listen = ${s(c.rpc.listen)}
# Limits (docs/operators.md, "Size limits"). max_body_bytes = 0 derives it from mempool.max_tx_bytes.
max_body_bytes = ${c.rpc.maxBodyBytes ?? rpcDefaults.maxBodyBytes}
max_batch_requests = ${c.rpc.maxBatchRequests ?? rpcDefaults.maxBatchRequests}
max_response_bytes = ${c.rpc.maxResponseBytes ?? rpcDefaults.maxResponseBytes}
max_json_depth = ${c.rpc.maxJsonDepth ?? rpcDefaults.maxJsonDepth}
max_open_connections = ${c.rpc.maxOpenConnections ?? rpcDefaults.maxOpenConnections}
# Websocket (/websocket): subscriptions per client, subscribing clients, unsent messages per client.
max_subscriptions_per_client = ${c.rpc.maxSubscriptionsPerClient ?? rpcDefaults.maxSubscriptionsPerClient}
max_subscription_clients = ${c.rpc.maxSubscriptionClients ?? rpcDefaults.maxSubscriptionClients}
websocket_write_buffer_size = ${c.rpc.websocketWriteBufferSize ?? rpcDefaults.websocketWriteBufferSize}
# The dashboard at http://<listen>/ui (read-only pages and /ui/api routes; docs/dashboard.md).
dashboard = ${c.rpc.dashboard ?? rpcDefaults.dashboard}

[sync]
# libp2p listen multiaddr serving block sync to full nodes (/cyberkernel/sync/1, docs/sync.md);
# "" serves none. Full nodes start with \`cyberkernel start --sync-from <multiaddr>\`.
listen = ${s((c.sync as NodeConfig["sync"] | undefined)?.listen ?? "")}

[p2p]
# The network: libp2p (TCP, Noise, yamux) between nodes' kernels (docs/network.md).
enabled = ${c.p2p?.enabled ?? false}
listen = ${JSON.stringify(c.p2p?.listen ?? ["/ip4/0.0.0.0/tcp/26656"])}
# Peers kept connected, each "/ip4/<ip>/tcp/<port>/p2p/<peer id>".
bootstrap = ${JSON.stringify(c.p2p?.bootstrap ?? [])}
# This node's registered name ("alice.os"); "" = the node key's address in hex.
name = ${s(c.p2p?.name ?? "")}
# Chain RPC resolving names when this node does not run the names machine (trusted); "" = local.
names_rpc = ${s(c.p2p?.namesRpc ?? "")}
# Limits: frame size (bytes), connections, per-peer frames/s and burst, cut-off back-off (s), dial bound (ms).
max_frame_bytes = ${c.p2p?.maxFrameBytes ?? 4194304}
max_connections = ${c.p2p?.maxConnections ?? 100}
peer_frames_per_second = ${c.p2p?.peerFramesPerSecond ?? 5000}
peer_frame_burst = ${c.p2p?.peerFrameBurst ?? 20000}
cut_off_seconds = ${c.p2p?.cutOffSeconds ?? 60}
dial_timeout_ms = ${c.p2p?.dialTimeoutMs ?? 5000}

[pruning]
# Versions kept below the latest (0 = keep all), and every Nth version kept forever (0 = none).
keep_recent = ${c.pruning.keepRecent}
keep_every = ${c.pruning.keepEvery}

# Machines. A machine switched off is not loaded at all. auth and bank are always on.
[modules.auth]
enabled = true

[modules.bank]
enabled = true

# Proof-of-stake and governance (Cosmos SDK x/staking, x/distribution, x/gov semantics).
[modules.staking]
enabled = ${c.modules.staking.enabled}

[modules.distribution]
enabled = ${c.modules.distribution.enabled}

[modules.gov]
enabled = ${c.modules.gov.enabled}

[modules.graph]
enabled = ${c.modules.graph.enabled}
rank_period_blocks = ${c.modules.graph.rankPeriodBlocks}
rank_mode = ${s(c.modules.graph.rankMode)}
max_iterations = ${c.modules.graph.maxIterations}
damping = ${s(c.modules.graph.damping)}
tolerance = ${s(c.modules.graph.tolerance)}
rank_threads = ${c.modules.graph.rankThreads}

[modules.cyberwasm]
enabled = ${c.modules.cyberwasm.enabled}
max_code_bytes = ${c.modules.cyberwasm.maxCodeBytes}
instance_cache_size = ${c.modules.cyberwasm.instanceCacheSize}
max_call_gas = ${c.modules.cyberwasm.maxCallGas}

# IBC (ibc-go v8 compatible core, 07-tendermint client, ICS-20 transfer; docs/ibc.md).
[modules.ibc]
enabled = ${c.modules.ibc.enabled}

# Names on chain (Hypermap/HNS: names, owners, notes such as ~net-key; docs/names.md).
[modules.names]
enabled = ${c.modules.names.enabled}

# Plugin services read their own table, e.g. the EVM plugin's Ethereum JSON-RPC endpoint:
# [plugins.evm]
# rpc_address = "127.0.0.1:8545"
${renderPlugins(c.plugins)}`

/** `[plugins.<machine>]` tables: scalar values as TOML (strings quoted), keys back in snake_case. */
const renderPlugins = (plugins: NodeConfig["plugins"]): string =>
  Object.keys(plugins).sort().map((name) => {
    const t = plugins[name]!
    const lines = Object.keys(t).sort().map((k) => {
      const v = t[k]
      return `${camelToSnake(k)} = ${typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(String(v))}`
    })
    return `[plugins.${name}]\n${lines.join("\n")}\n`
  }).join("\n")

/** Write a config file (mode 0644). Overwrites: callers check existence first. */
export const writeConfig = (home: string, config: NodeConfig): void => {
  writeFileSync(configPath(home), renderConfig(config), { mode: 0o644 })
}
