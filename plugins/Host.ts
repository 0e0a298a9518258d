/**
 * The plugin host API: what the kernel hands a plugin's machine factory. A plugin package is
 * installed as a copy under `<home>/plugins/<name>/`, outside this repository, so at run time it
 * cannot import kernel modules by relative path; the kernel services it needs come in
 * {@link PluginHost}. It may import kernel *types* (`import type`, erased before the code runs),
 * which is how plugins/hello typechecks against chain/Machine.ts. It may import the npm packages its
 * package.json lists under `dependencies` at exact versions the node has installed: the installer
 * links `<home>/plugins/node_modules` to the node's packages and the loader checks the versions
 * (node/PluginPackage.ts checkDependencies).
 *
 * Besides its machine, a plugin may export `createService` ({@link PluginServiceFactory}): node-side
 * work (an Ethereum JSON-RPC endpoint) that the node starts once the machine is active on the chain
 * and stops at shutdown. Services are node plane: not deterministic, never part of the app hash.
 *
 * The host API is part of the release (not of the plugin's code hash): the chain error classes
 * (so a plugin's refusals carry the SDK codes), the protobuf reader/writer the SDK wire format
 * needs, bech32 account addresses and sha256.
 *
 * Source: docs/plugins.md; ARCHITECTURE.md "Plugins are packages ... that export a Machine".
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import type { RequestQuery, ResponseCheckTx, ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import type { BlockStore } from "../chain/BlockStore.ts"
import { NodeFault } from "../chain/internal/TxResult.ts"
import * as errors from "../chain/ChainError.ts"
import type { Machine } from "../chain/Machine.ts"
import { sha256 } from "../lib/Bytes.ts"
import { canonicalAddress, formatAddress, parseAddress } from "../modules/auth/Address.ts"

/** Runtime services a plugin gets from the kernel (see module doc). */
export interface PluginHost {
  /** chain/ChainError.ts: every chain error class, `chainErrorClass` and `isChainError`. */
  readonly errors: typeof errors
  /** cosmjs-types protobuf reader and writer (the SDK wire format). */
  readonly protobuf: { readonly BinaryReader: typeof BinaryReader; readonly BinaryWriter: typeof BinaryWriter }
  /** Bech32 account addresses (modules/auth/Address.ts): parse (InvalidAddress, code 7), format, canonical text. */
  readonly address: {
    readonly parse: typeof parseAddress
    readonly format: typeof formatAddress
    readonly canonical: typeof canonicalAddress
  }
  /** sha256 of bytes or UTF-8 text (32 bytes). */
  readonly sha256: (data: Uint8Array | string) => Uint8Array
  /**
   * A host fault (chain/internal/TxResult.ts NodeFault(detail, height)): the node itself failed, so
   * the outcome would depend on this host. Thrown from a block it stops the node before Commit;
   * nothing turns it into a tx result.
   */
  readonly NodeFault: typeof NodeFault
}

/** Options a plugin factory is called with. */
export interface PluginOptions {
  /** Bech32 prefix of account addresses on this chain, e.g. "cyber". */
  readonly bech32Prefix: string
  /** The staking (bond) denom of this chain, e.g. "boot". */
  readonly bondDenom: string
  /** The kernel's runtime services. */
  readonly host: PluginHost
}

/** What a plugin's entry module exports as `default` (or as `createMachine`): one machine per call. */
export type PluginFactory = (opts: PluginOptions) => Machine

/** What the node gives a plugin's service (node plane: the node's stores and RPC facilities). */
export interface PluginServiceContext {
  readonly host: PluginHost
  readonly bech32Prefix: string
  readonly bondDenom: string
  /** The Cosmos chain id (genesis `chain_id`). */
  readonly chainId: string
  /**
   * The plugin's table of config.toml, `[plugins.<machine>]`, keys as written there (snake_case), values
   * as TOML gives them; empty when absent. The service validates it.
   */
  readonly config: Readonly<Record<string, unknown>>
  /** The node's block store: blocks, block results and the tx index (chain/BlockStore.ts). */
  readonly blockStore: BlockStore
  /** CheckTx then mempool admission, as CometBFT's broadcast_tx_sync (code != 0: refused, with the log). */
  broadcastTx(tx: Uint8Array): Promise<ResponseCheckTx>
  /** An ABCI query against the committed state (height 0/absent: latest), as CometBFT's abci_query. */
  abciQuery(req: Pick<RequestQuery, "path" | "data"> & { readonly height?: bigint }): Promise<ResponseQuery>
  /** Write a line to the node's log. */
  log(line: string): void
}

/** A running plugin service. `start` resolves once it serves; `stop` releases everything it holds. */
export interface PluginService {
  start(): Promise<void>
  stop(): Promise<void>
}

/** What a plugin's entry module may export as `createService` (see module doc). */
export type PluginServiceFactory = (ctx: PluginServiceContext) => PluginService

/** The host API of this release. */
export const pluginHost: PluginHost = Object.freeze({
  errors,
  protobuf: Object.freeze({ BinaryReader, BinaryWriter }),
  address: Object.freeze({ parse: parseAddress, format: formatAddress, canonical: canonicalAddress }),
  sha256,
  NodeFault
})
