/**
 * The operator config: one file (`<home>/config/config.toml`) that says how this node runs and
 * which machines it loads. Validated with `Schema` from `effect`; every field has a default, so
 * an empty file is a valid config. The chain id is not here: it comes from genesis.json.
 *
 * The file uses snake_case keys (as CometBFT's config.toml does); the decoded `NodeConfig` uses
 * camelCase. Unknown keys are rejected, so a typo never silently falls back to a default.
 * Decimal amounts (gas price, damping) are kept as decimal strings, never floats, so nothing
 * consensus-relevant goes through floating point.
 *
 * Every field is documented in docs/operators.md.
 *
 * Source: CometBFT v0.38 config/config.go (moniker, log_level, rpc.laddr, consensus
 * timeout_commit / create_empty_blocks, mempool size / max_tx_bytes, proxy_app), Cosmos SDK
 * server/config/config.go (minimum-gas-prices, pruning keep-recent / interval).
 */
import { Effect, Schema } from "effect"

const int = (min: number, dflt: number) =>
  Schema.Int.pipe(
    Schema.check(Schema.isGreaterThanOrEqualTo(min)),
    Schema.withDecodingDefaultKey(Effect.succeed(dflt))
  )

const withDefault = <S extends Schema.Top>(schema: S, dflt: S["Encoded"]) =>
  schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(dflt)))

/** A decimal string such as "0.001" or "5" (no sign, no exponent). */
const Decimal = Schema.String.annotate({ expected: "a quoted decimal string such as \"0.001\"" }).pipe(
  Schema.check(Schema.isPattern(/^\d+(\.\d+)?$/, { expected: "a decimal string such as \"0.001\"" }))
)

/** `host:port`, or `tcp://host:port` / `unix:///path` for the ABCI socket. */
const ListenAddress = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^(tcp:\/\/)?[A-Za-z0-9.\-_[\]:]+:\d{1,5}$|^unix:\/\/\/.+$/, {
    expected: "a listen address such as \"127.0.0.1:26657\" or \"tcp://0.0.0.0:26658\""
  }))
)

/** Log levels, most verbose first. */
export const LogLevels = ["trace", "debug", "info", "warn", "error", "none"] as const
/** One of {@link LogLevels}. */
export type LogLevel = (typeof LogLevels)[number]

const ChainSection = Schema.Struct({
  /** Bech32 human-readable part of account addresses ("cyber" gives cyber1...). */
  bech32Prefix: withDefault(
    Schema.String.pipe(Schema.check(Schema.isPattern(/^[a-z]{1,20}$/, { expected: "1-20 lowercase letters" }))),
    "cyber"
  ),
  /** Denom in which fees are paid. */
  feeDenom: withDefault(
    Schema.String.pipe(Schema.check(Schema.isPattern(/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/, { expected: "a Cosmos denom (3-128 chars, letter first)" }))),
    "boot"
  ),
  /** Minimum gas price in fee_denom per gas unit (decimal string); CheckTx rejects lower fees. */
  minGasPrice: withDefault(Decimal, "0.01")
})

const ConsensusSection = Schema.Struct({
  /** "embedded": the built-in single-node block producer; "abci": serve ABCI 2.0 to CometBFT. */
  mode: withDefault(Schema.Literals(["embedded", "abci"]), "embedded"),
  /** ABCI socket the node listens on when mode = "abci" (CometBFT's proxy_app). */
  abciListen: withDefault(ListenAddress, "tcp://127.0.0.1:26658"),
  /** Embedded producer: target time between blocks, milliseconds. */
  blockTimeMs: int(1, 1000),
  /** Embedded producer: produce blocks when the mempool is empty. */
  createEmptyBlocks: withDefault(Schema.Boolean, true)
})

const SyncSection = Schema.Struct({
  /**
   * libp2p listen multiaddr of the block sync host (`/cyberkernel/sync/1`, node/sync; e.g.
   * "/ip4/0.0.0.0/tcp/26656"); "" (default) serves no sync. A node started with `--sync-from`
   * dials out either way.
   */
  listen: withDefault(Schema.String.pipe(Schema.check(Schema.isPattern(/^$|^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d{1,5}$/, { expected: "\"\" or a multiaddr such as \"/ip4/0.0.0.0/tcp/26656\"" }))), "")
})

const MempoolSection = Schema.Struct({
  /** Maximum number of transactions held in the mempool. */
  size: int(1, 5000),
  /**
   * Maximum size of one transaction, bytes. Also the auth machine's decode limit, which runs in
   * FinalizeBlock too: every validator of a network must use the same value.
   */
  maxTxBytes: int(1, 1048576),
  /**
   * Most gas CheckTx spends on a new tx's messages; past it a tx with gas limit to spare is
   * admitted on its ante step and pays in the block (chain/Application.ts checkTxGasCap).
   */
  checkTxGasCap: int(0, 1_000_000)
})

const RpcSection = Schema.Struct({
  /** CometBFT-compatible JSON-RPC listen address (embedded mode). */
  listen: withDefault(ListenAddress, "127.0.0.1:26657"),
  /**
   * Largest request body, bytes; 0 (default) derives it from mempool.max_tx_bytes so the largest
   * tx fits a broadcast request after base64 and JSON (node/rpc/Limits.ts bodyBytesForTx:
   * 1,402,200 for 1 MiB). A non-zero value below that is refused at start.
   */
  maxBodyBytes: int(0, 0),
  /** Most requests in one JSON-RPC batch (CometBFT max_request_batch_size). */
  maxBatchRequests: int(1, 100),
  /** Largest response body, bytes; a larger reply is refused with an error, not sent. */
  maxResponseBytes: int(1024, 33_554_432),
  /** Deepest JSON nesting of a request, checked before parsing. */
  maxJsonDepth: int(2, 64),
  /** Most concurrently open RPC connections (CometBFT max_open_connections). */
  maxOpenConnections: int(1, 900),
  /** Most websocket subscriptions per client (CometBFT max_subscriptions_per_client). */
  maxSubscriptionsPerClient: int(1, 5),
  /** Most websocket clients holding subscriptions at once (CometBFT max_subscription_clients). */
  maxSubscriptionClients: int(1, 100),
  /**
   * Messages queued to one websocket client and not yet written to its socket (CometBFT
   * experimental_websocket_write_buffer_size); one more, or more than max_response_bytes queued,
   * disconnects the client.
   */
  websocketWriteBufferSize: int(1, 200),
  /** Serve the dashboard at `/ui` on this listener (node-plane, read-only; docs/dashboard.md). */
  dashboard: withDefault(Schema.Boolean, true)
})

/** A libp2p multiaddr over TCP, optionally with `/p2p/<peer id>`. */
const TcpMultiaddr = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d{1,5}(\/p2p\/[1-9A-HJ-NP-Za-km-z]+)?$/, {
    expected: "a multiaddr such as \"/ip4/0.0.0.0/tcp/26656\" (bootstrap peers end in /p2p/<peer id>)"
  }))
)

/** The network (node/network, docs/network.md): libp2p with Noise between kernels of nodes. */
const P2pSection = Schema.Struct({
  /** Start the network service (libp2p host, kernel messaging to other nodes). */
  enabled: withDefault(Schema.Boolean, false),
  /** Listen multiaddrs (`tcp/0` picks a free port). */
  listen: withDefault(Schema.Array(TcpMultiaddr), ["/ip4/0.0.0.0/tcp/26656"]),
  /** Peers dialled at start and kept connected, each `.../p2p/<peer id>`. */
  bootstrap: withDefault(Schema.Array(TcpMultiaddr), []),
  /** This node's name on the network ("alice.os", registered in the names machine); "" = the node key's address in hex. */
  name: withDefault(
    Schema.String.pipe(Schema.check(Schema.isPattern(/^$|^(?=.{1,253}$)[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$/, { expected: "\"\" or a dotted lowercase name such as \"alice.os\"" }))),
    ""
  ),
  /** Chain RPC (`http://host:port`) whose names machine resolves peers, for a node that does not run the names machine; trusted (docs/network.md). "" = the local application. */
  namesRpc: withDefault(Schema.String.pipe(Schema.check(Schema.isPattern(/^$|^https?:\/\/\S+$/, { expected: "\"\" or an http(s) URL" }))), ""),
  /** Largest kernel frame sent or accepted, bytes. */
  maxFrameBytes: int(1024, 4_194_304),
  /** Most open libp2p connections. */
  maxConnections: int(1, 100),
  /** Frames per second one peer may send, sustained; past it (and the burst) the peer is cut off. */
  peerFramesPerSecond: int(1, 5000),
  /** Frames one peer may send in a burst above the sustained rate. */
  peerFrameBurst: int(1, 20_000),
  /** How long a cut-off peer (flood, oversized or garbled frames) is refused, seconds. */
  cutOffSeconds: int(0, 60),
  /** Bound on one dial to a peer, milliseconds. */
  dialTimeoutMs: int(100, 5000)
})

const PruningSection = Schema.Struct({
  /** Versions kept below the latest; 0 keeps every version (archive node). */
  keepRecent: int(0, 100),
  /** Also keep every Nth version forever; 0 keeps none beyond keep_recent. */
  keepEvery: int(0, 0)
})

const AlwaysOn = Schema.Literal(true).annotate({ expected: "true (this machine is always on)" })

const AuthModule = Schema.Struct({ enabled: withDefault(AlwaysOn, true) })
const BankModule = Schema.Struct({ enabled: withDefault(AlwaysOn, true) })

const GraphModule = Schema.Struct({
  enabled: withDefault(Schema.Boolean, false),
  /** Recompute cyber•rank every N blocks (go-cyber rank param calculation_period). */
  rankPeriodBlocks: int(1, 5),
  /** "cyber": go-cyber's rank algorithm; "pagerank": standard PageRank (modules/graph/rank/RankParams.ts). */
  rankMode: withDefault(Schema.Literals(["cyber", "pagerank"]), "cyber"),
  /** Hard cap on rank iterations per calculation. */
  maxIterations: int(1, 1000),
  /** PageRank damping factor, decimal string in (0, 1) (go-cyber: 0.85). */
  damping: withDefault(
    Schema.String.pipe(Schema.check(Schema.isPattern(/^0\.\d*[1-9]\d*$/, { expected: "a quoted decimal strictly between 0 and 1, such as \"0.85\"" }))),
    "0.85"
  ),
  /** Convergence tolerance, decimal string (go-cyber: 0.001). */
  tolerance: withDefault(
    Decimal.pipe(Schema.check(Schema.isPattern(/[1-9]/, { expected: "a decimal greater than 0" }))),
    "0.001"
  ),
  /** Threads for the native rank kernel (node-local, does not change results). */
  rankThreads: int(1, 2)
})

const CyberwasmModule = Schema.Struct({
  enabled: withDefault(Schema.Boolean, false),
  /**
   * Consensus-relevant: seeds genesis `cyberwasm.params.max_code_bytes` at init; a started node reads
   * the genesis value (node/Machines.ts). Largest accepted Wasm code upload, bytes (wasmd MaxWasmSize: 800 KiB). The code travels in a
   * tx, so it must stay below mempool.max_tx_bytes less the tx envelope: the default is 1 MiB
   * less 16 KiB (docs/operators.md, "Size limits").
   */
  maxCodeBytes: int(1, 1_032_192),
  /** Compiled modules kept in memory (node-local cache). */
  instanceCacheSize: int(0, 100),
  /** Gas limit of one self-scheduled or async invocation (consensus-relevant: seeds genesis `cyberwasm.params.max_call_gas` at init). */
  maxCallGas: int(1, 10_000_000)
})

/** IBC (modules/ibc, docs/ibc.md): off by default; on, the node runs the `ibc` machine with 07-tendermint and ICS-20. */
const IbcModule = Schema.Struct({ enabled: withDefault(Schema.Boolean, false) })

/** Names (modules/names, docs/names.md): off by default; on, the node runs the `names` machine (Hypermap-style names, `os` open zone at init). */
const NamesModule = Schema.Struct({ enabled: withDefault(Schema.Boolean, false) })

/**
 * A machine whose only node-side setting is whether this node has its code (staking, distribution,
 * gov): on by default, so a new chain has proof of stake and governance (`init` puts them in the
 * genesis registry); switch off before `init` for a chain without them.
 */
const SwitchModule = Schema.Struct({ enabled: withDefault(Schema.Boolean, true) })

const ModulesSection = Schema.Struct({
  auth: withDefault(AuthModule, {}),
  bank: withDefault(BankModule, {}),
  staking: withDefault(SwitchModule, {}),
  distribution: withDefault(SwitchModule, {}),
  gov: withDefault(SwitchModule, {}),
  graph: withDefault(GraphModule, {}),
  cyberwasm: withDefault(CyberwasmModule, {}),
  ibc: withDefault(IbcModule, {}),
  names: withDefault(NamesModule, {})
})

/** The Schema of the decoded operator config (camelCase keys). */
export const NodeConfigSchema = Schema.Struct({
  /** Human-readable node name (CometBFT moniker); also the genesis validator's name. */
  moniker: withDefault(Schema.String.pipe(Schema.check(Schema.isMinLength(1))), "cyberkernel"),
  /** Minimum log level. */
  logLevel: withDefault(Schema.Literals(LogLevels), "info"),
  chain: withDefault(ChainSection, {}),
  consensus: withDefault(ConsensusSection, {}),
  mempool: withDefault(MempoolSection, {}),
  rpc: withDefault(RpcSection, {}),
  sync: withDefault(SyncSection, {}),
  p2p: withDefault(P2pSection, {}),
  pruning: withDefault(PruningSection, {}),
  modules: withDefault(ModulesSection, {}),
  /**
   * One table per plugin, `[plugins.<machine>]`, handed to the plugin's service (plugins/Host.ts
   * PluginServiceContext.config, keys back in snake_case); the plugin validates its own table.
   */
  plugins: withDefault(Schema.Record(Schema.String, Schema.Record(Schema.String, Schema.Unknown)), {})
})

/** The decoded, validated operator config. */
export type NodeConfig = typeof NodeConfigSchema.Type

/**
 * Names of the built-in modules' config tables; auth and bank are always on. The machine set
 * itself is open: node/Machines.ts MACHINE_CATALOG (one entry per machine, plugins included).
 */
export type ModuleName = keyof NodeConfig["modules"]

/** The built-in modules this config switches on, in catalog order (node/Machines.ts enabledMachineNames covers plugins too). */
export const enabledModules = (config: NodeConfig): ReadonlyArray<ModuleName> =>
  (["auth", "bank", "distribution", "gov", "staking", "graph", "cyberwasm", "ibc", "names"] as const).filter((m) => config.modules[m].enabled)

/**
 * The min gas price as Cosmos SDK DecCoins text ("0.01boot"), the form app.toml's
 * minimum-gas-prices, CosmJS's `GasPrice.fromString` and modules/auth's `AuthConfig.minGasPrices` take.
 */
export const minGasPricesText = (config: NodeConfig): string => `${config.chain.minGasPrice}${config.chain.feeDenom}`

/**
 * The minimum fee for a gas limit at the config's min gas price, rounded up, in fee_denom
 * (integer arithmetic only). Cosmos SDK x/auth/ante/fee.go: required = ceil(gasPrice * gasLimit).
 */
export const minFee = (config: NodeConfig, gasLimit: bigint): bigint => {
  const [whole, frac = ""] = config.chain.minGasPrice.split(".")
  const scale = 10n ** BigInt(frac.length)
  const num = BigInt(whole! + frac) * gasLimit
  return (num + scale - 1n) / scale
}
