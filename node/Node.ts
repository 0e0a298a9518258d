/**
 * Node assembly: opens the home's stores, builds the kernel and registers every enabled machine
 * as a kernel process with its call capabilities, creates the multiplexer (chain/Application.ts)
 * and runs it under the embedded block producer with the CometBFT RPC, or serves it over ABCI
 * to an external CometBFT. Everything is acquired in the caller's Scope and released in reverse
 * order when it closes (RPC, producer, block store, state store, kernel).
 *
 * Source: cosmos-sdk server/start.go (startInProcess / startStandAlone); cometbft node/node.go.
 */
import { Data, Effect, type Scope } from "effect"
import { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params"
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import { join } from "node:path"
import { mkdirSync } from "node:fs"
import { Application } from "../chain/Application.ts"
import { genesisRecords as genesisRecordsOf, listRecords, MachineCodeMismatch, parseRegistryGenesis, REGISTRY_NAMESPACE, type MachineRecord } from "../chain/Registry.ts"
import type { BlockStore } from "../chain/BlockStore.ts"
import { machineProcessId, type ProcessId } from "../kernel/Address.ts"
import { makeKernel, type KernelApi } from "../kernel/Kernel.ts"
import { response } from "../kernel/Message.ts"
import type { NativeProcess } from "../kernel/Process.ts"
import { NodeKey } from "../capabilities/NodeKey.ts"
import { toHex } from "../lib/Bytes.ts"
import { makeProducer, type CommittedBlock, type ProducerGenesis } from "../modules/consensus/producer/Producer.ts"
import { serveAbci } from "../modules/consensus/abci/AbciServer.ts"
import { openCommitMultiStore } from "../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../store/KVStore.ts"
import { whenIndexedWithin } from "./blockstore/IndexingBlockStore.ts"
import { openLevelBlockStore } from "./blockstore/LevelBlockStore.ts"
import type { NodeConfig } from "./config/NodeConfig.ts"
import type { Genesis } from "./home/Genesis.ts"
import { homePaths } from "./home/Home.ts"
import { readEd25519KeyFile } from "./home/ValidatorKey.ts"
import { loadMachines, MACHINE_CATALOG, type MachineSet } from "./Machines.ts"
import { missingActivation, pluginCatalog } from "./Plugins.ts"
import { startPluginServices } from "./PluginServices.ts"
import type { NetworkApi } from "./network/Network.ts"
import { serveRpc } from "./rpc/RpcServer.ts"
import { verifierName, verifierPool } from "../modules/auth/VerifierPool.ts"
import { rpcLimitsFromConfig } from "./rpc/Limits.ts"

/** The node could not start; `stage` names the step that failed. */
export class NodeStartError extends Data.TaggedError("NodeStartError")<{ readonly stage: string; readonly reason: string }> {
  override get message(): string {
    return `node start failed at ${this.stage}: ${this.reason}`
  }
}

/** A running node. */
export interface RunningNode {
  readonly chainId: string
  /** `http://host:port` of the RPC (embedded mode), or the ABCI address (abci mode). */
  readonly rpcAddress: string
  /** Last committed height. */
  height(): number
  readonly kernel: KernelApi
  readonly app: Application
  /**
   * Resolves with the reason when the block producer halts (an application failure, or a block
   * that activates a machine this node has no code for); `start` then exits non-zero. Absent in
   * ABCI mode (CometBFT drives the blocks).
   */
  readonly halted?: Promise<string>
  /** `http://host:port/ui` when the dashboard is served (embedded mode, `[rpc] dashboard = true`). */
  readonly dashboardUrl?: string
  /** The network service (node/network, docs/network.md), when `[p2p] enabled`. */
  readonly network?: NetworkApi
}

/** Options of {@link startNode}. */
export interface StartNodeOptions {
  readonly home: string
  readonly config: NodeConfig
  readonly genesis: Genesis
  /** 32-byte ed25519 seed of the validator key. */
  readonly validatorSeed: Uint8Array
  /** Called once per committed block (embedded mode only; see Producer.ts `onCommitted`). */
  readonly onCommitted?: ((block: CommittedBlock) => void) | undefined
  /**
   * Run as a full node: fetch, verify and re-execute blocks from the peer at this multiaddr
   * (node/sync, docs/sync.md) instead of producing them.
   */
  readonly syncFrom?: string | undefined
}

const step = <A>(stage: string, f: () => Promise<A> | A): Effect.Effect<A, NodeStartError> =>
  Effect.tryPromise({
    try: async () => f(),
    catch: (e) => new NodeStartError({ stage, reason: causeText(e) })
  })

/**
 * The kernel process of a machine: node-plane processes query it by message. Request body: a
 * protobuf `tendermint.abci.RequestQuery` whose path is one of the machine's gRPC paths;
 * response body: the `ResponseQuery`. Queries are read-only and outside consensus.
 */
const machineProcess = (app: () => Application, prefixes: ReadonlyArray<string>): NativeProcess => ({
  onRequest: async (ctx, _source, request) => {
    const req = RequestQuery.decode(request.body)
    const res: ResponseQuery = prefixes.some((p) => req.path.startsWith(p))
      ? await app().query(req)
      : { code: 6, codespace: "sdk", log: `path ${req.path} is not served by this machine`, info: "", index: 0n, key: new Uint8Array(), value: new Uint8Array(), height: 0n }
    ctx.respond(response(ResponseQuery.encode(res).finish()))
  }
})

/**
 * Register every machine as the public kernel process `<name>:chain:sys`, through which
 * node-plane processes query it. Chain-plane calls between machines are not kernel messages:
 * the executor checks them against the capability table in chain state (chain/Capabilities.ts).
 */
export const registerMachines = (kernel: KernelApi, set: MachineSet, app: () => Application): void => {
  for (const { machine } of set.machines) {
    kernel.registerMachine(machine.name, machineProcess(app, machine.queryPrefixes), { public: true, grants: [] })
  }
}

/** RFC 3339 (with up to 9 fractional digits) to a protobuf Timestamp. */
export const parseRfc3339 = (text: string): Timestamp => {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text)
  if (!m) throw new Error(`not an RFC 3339 time: "${text}"`)
  const ms = Date.parse(`${m[1]}${m[3]}`)
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: "${text}"`)
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: Number((m[2] ?? "").padEnd(9, "0")) }
}

/** Protobuf Timestamp to RFC 3339 as CometBFT prints it (UTC, fractional digits trimmed). */
export const formatRfc3339 = (t: Timestamp): string => {
  const base = new Date(Number(t.seconds) * 1000).toISOString().slice(0, 19)
  const frac = t.nanos === 0 ? "" : "." + String(t.nanos).padStart(9, "0").replace(/0+$/, "")
  return `${base}${frac}Z`
}

const consensusParams = (g: Genesis["consensus_params"]): ConsensusParams => ({
  block: { maxBytes: BigInt(g.block.max_bytes), maxGas: BigInt(g.block.max_gas) },
  evidence: {
    maxAgeNumBlocks: BigInt(g.evidence.max_age_num_blocks),
    maxAgeDuration: { seconds: BigInt(g.evidence.max_age_duration) / 1_000_000_000n, nanos: Number(BigInt(g.evidence.max_age_duration) % 1_000_000_000n) },
    maxBytes: BigInt(g.evidence.max_bytes)
  },
  validator: { pubKeyTypes: [...g.validator.pub_key_types] },
  version: { app: BigInt(g.version.app) },
  abci: { voteExtensionsEnableHeight: BigInt(g.abci.vote_extensions_enable_height) }
})

/** The producer's view of genesis.json. */
export const producerGenesis = (g: Genesis): ProducerGenesis => ({
  time: parseRfc3339(g.genesis_time),
  initialHeight: BigInt(g.initial_height),
  appState: new TextEncoder().encode(JSON.stringify(g.app_state)),
  validators: g.validators.map((v) => ({ pubKeyEd25519: new Uint8Array(Buffer.from(v.pub_key.value, "base64")), power: BigInt(v.power) })),
  consensusParams: consensusParams(g.consensus_params)
})

const txLookup = (blocks: BlockStore) => async (hash: Uint8Array) => {
  let found = await blocks.tx(hash)
  if (!found) {
    // the index trails the saved results by a moment (docs/rpc.md "Block store"): wait for it
    await whenIndexedWithin(blocks, blocks.resultsHeight(), 3_000)
    found = await blocks.tx(hash)
  }
  if (!found) return undefined
  const block = await blocks.block(found.height)
  return { tx: found.tx, height: found.height, result: found.result, timestamp: block?.header.time ? formatRfc3339(block.header.time) : "" }
}

/** The innermost message of an error chain (Effect's UnknownError keeps the thrown value in `cause`). */
const causeText = (e: unknown): string => {
  let cur: unknown = e
  while (typeof cur === "object" && cur !== null && "cause" in cur && cur.cause !== undefined) cur = cur.cause
  return cur instanceof Error ? cur.message : String(cur)
}

/** The start failure for a machine this node lacks or runs at another version (like a missing Cosmos upgrade handler). */
const registryError = (e: MachineCodeMismatch, chainId: string, height: number): NodeStartError =>
  new NodeStartError({
    stage: "machine registry",
    reason: `chain ${chainId} at height ${height} runs machine "${e.machine}" version ${e.version} (active since height ${e.height}): ${e.reason}`
  })

/** Run `f` (building the Application), mapping a registry mismatch to its NodeStartError. */
const registryStep = <A>(store: CommitMultiStore, genesis: Genesis, f: () => A): Effect.Effect<A, NodeStartError> =>
  Effect.try({
    try: f,
    catch: (e) => e instanceof MachineCodeMismatch ? registryError(e, genesis.chain_id, store.lastCommit().version) : new NodeStartError({ stage: "application", reason: causeText(e) })
  })

/**
 * Before InitChain: the genesis registry must name only machines this node has, at their versions.
 * Returns its records (undefined once the chain has started, or without a registry section).
 */
const checkGenesisRegistry = (store: CommitMultiStore, genesis: Genesis, set: MachineSet): Effect.Effect<ReadonlyArray<MachineRecord> | undefined, NodeStartError> =>
  store.lastCommit().version !== 0 || genesis.app_state[REGISTRY_NAMESPACE] === undefined
    ? Effect.succeed(undefined)
    : registryStep(store, genesis, () =>
        genesisRecordsOf(parseRegistryGenesis(genesis.app_state[REGISTRY_NAMESPACE]), set.machines.map((m) => m.machine))
      )

/** What the node prints for a machine it has code for that the chain does not run. */
export const inertNotice = (name: string, version: string, chainId: string): string =>
  `machine "${name}" ${version} is enabled in config.toml but not active on chain ${chainId}: loaded inert ` +
  `(no messages, queries or state). Activating it is a chain decision: a governance proposal that schedules it ` +
  `in the machine registry (chain/Registry.ts scheduleActivation; the CLI command comes with governance), see docs/registry.md`

/** Start the node in the current scope; fails with NodeStartError naming the step. */
export const startNode = (opts: StartNodeOptions): Effect.Effect<RunningNode, NodeStartError, Scope.Scope> =>
  Effect.gen(function* () {
    const { config, genesis } = opts
    const paths = homePaths(opts.home)
    const nodeKey = yield* step("node key", () => readEd25519KeyFile(paths.nodeKey))
    const nodeId = toHex(nodeKey.address)
    // The network (node/network) starts before the kernel, which sends through it; peers' names
    // resolve in this node's app once it exists (or through [p2p] names_rpc).
    let namesApp: Application | undefined
    const network = config.p2p.enabled
      ? yield* Effect.promise(() => import("./network/NodeNetwork.ts")).pipe(
          Effect.flatMap(({ startNodeNetwork }) => startNodeNetwork(config, nodeKey, nodeId, () => namesApp)),
          Effect.mapError((e) => new NodeStartError({ stage: "network", reason: e.message }))
        )
      : undefined
    const our = network?.our ?? nodeId
    // RPC net_info lists the network's connected kernel peers
    const peersOf = network ? (yield* Effect.promise(() => import("./network/NodeNetwork.ts"))).connectedPeers : undefined
    // Light-guest packages run on one worker pool per node (workers start on first use). It is
    // acquired before the kernel so it closes after the kernel has stopped every process.
    const litePool = yield* Effect.acquireRelease(
      step("light-guest pool", async () => new (await import("../kernel/userspace/LitePool.ts")).LitePool()),
      (pool) => Effect.promise(() => pool.close())
    )
    const kernel = yield* Effect.acquireRelease(
      step("kernel", () => makeKernel({ node: our, key: NodeKey.fromSecret(nodeKey.seed) })),
      (k) => Effect.sync(() => k.shutdown())
    )
    // Messages to other nodes go through the network; capabilities they issued verify against
    // their ~net-key from the names directory (docs/kernel.md "Remote messaging").
    if (network) {
      const directory = network.directory
      const logged = new Map<string, number>() // at most one drop line per peer per 10 s
      kernel.attachTransport(network.transport, {
        resolveKey: async (name) => (await directory.resolve(name))?.netKey,
        onDrop: (node, reason) => {
          network.transport.penalize(node, reason) // garbage counts against the peer (docs/network.md)
          const now = Date.now()
          if (now - (logged.get(node) ?? 0) < 10_000) return
          logged.set(node, now)
          Effect.runFork(Effect.logWarning(`kernel: dropped from ${node}: ${reason} (see kernel remoteStats)`))
        }
      })
    }
    // Node-plane runtime modules (kv, timer, state, vfs) under data/userspace.
    const runtime = yield* Effect.acquireRelease(
      step("runtime modules", async () => {
        const { startRuntime } = await import("../runtime/Runtime.ts")
        return startRuntime(kernel, join(paths.data, "userspace"))
      }),
      (rt) => Effect.promise(() => rt.close())
    )
    // Built-in machines, then the plugins installed in <home>/plugins (node/Plugins.ts).
    const set = yield* step("machines", () => loadMachines(config, genesis.app_state, [...MACHINE_CATALOG, ...pluginCatalog(opts.home)]))
    yield* step("data dir", () => mkdirSync(paths.data, { recursive: true }))
    const store: CommitMultiStore = yield* Effect.acquireRelease(
      step("state store", () =>
        openCommitMultiStore({ path: join(paths.data, "state"), namespaces: Application.namespaces(), pruning: config.pruning })
      ),
      (s) => Effect.promise(() => s.close())
    )
    const blockStore = yield* Effect.acquireRelease(
      step("block store", () => openLevelBlockStore(join(paths.data, "blocks"))),
      (b) => Effect.promise(() => b.close())
    )
    let app: Application | undefined
    const getApp = () => app!
    // Gas per machine per block for the dashboard (node plane; chain/GasAttribution.ts).
    const gasHistory = config.rpc.dashboard && config.consensus.mode === "embedded"
      ? yield* step("gas history", async () => new (await import("./ui/GasHistory.ts")).GasHistory())
      : undefined
    yield* step("kernel processes", () => registerMachines(kernel, set, getApp))
    const genesisRecords = yield* checkGenesisRegistry(store, genesis, set)
    app = yield* registryStep(store, genesis, () =>
      new Application({
        chainId: genesis.chain_id,
        store,
        machines: set.machines.map((m) => m.machine),
        pipeline: set.pipeline,
        bech32Prefix: config.chain.bech32Prefix,
        txLookup: txLookup(blockStore),
        blockMaxGas: BigInt(genesis.consensus_params.block.max_gas),
        checkTxGasCap: config.mempool.checkTxGasCap,
        ...(gasHistory ? { gasObserver: gasHistory } : {})
      })
    )
    const application = app
    namesApp = application
    // Package zips this node publishes, served to peers on /cyberkernel/package/1 (docs/names.md).
    if (network) {
      yield* step("package protocol", async () => {
        const { servePackages } = await import("./network/protocols/packages.ts")
        const { publishedLookup } = await import("../packages/Published.ts")
        const { appNameRecords, rpcNameRecords } = await import("../modules/names/NodeRecord.ts")
        const names = config.p2p.namesRpc !== "" ? rpcNameRecords(config.p2p.namesRpc) : appNameRecords(application)
        await servePackages(network.libp2p as never, publishedLookup(opts.home, names, network.our))
      })
    }
    // Before InitChain the genesis registry decides; afterwards the committed one.
    const records = genesisRecords ?? listRecords(store.store(REGISTRY_NAMESPACE))
    const inert = genesisRecords
      ? set.machines.map((m) => m.machine).filter((m) => !genesisRecords.some((r) => r.name === m.name && r.status === "active"))
      : application.inertMachines()
    for (const m of inert) {
      const scheduled = records.find((r) => r.name === m.name && r.status === "scheduled")
      yield* scheduled
        ? Effect.logInfo(`machine "${m.name}" ${scheduled.version} is scheduled to activate on chain ${genesis.chain_id} at height ${scheduled.activationHeight}; inert until then`)
        : Effect.logWarning(inertNotice(m.name, m.version, genesis.chain_id))
    }
    for (const r of records) {
      if (r.status !== "scheduled" || set.machines.some((m) => m.machine.name === r.name)) continue
      yield* Effect.logWarning(
        `chain ${genesis.chain_id} activates machine "${r.name}" ${r.version} at height ${r.activationHeight}, but this node does not have its code: ` +
        `it will stop before that height unless its module is enabled or its plugin installed (cyberkernel plugin install) before then`
      )
    }
    // Installed userspace packages run again with the capabilities they had; the installer
    // process takes installs while the node runs. Capabilities are snapshotted at stop.
    const installer = yield* Effect.acquireRelease(
      step("packages", async () => {
        const { bootPackages, INSTALLER_ID, Installer, installerProcess } = await import("../packages/Installer.ts")
        const installer = await Installer.open(opts.home)
        kernel.spawn({ id: INSTALLER_ID, process: installerProcess(kernel, installer, { state: runtime.state, pool: litePool }) })
        await bootPackages(kernel, installer, { state: runtime.state, pool: litePool })
        return installer
      }),
      (installer) => Effect.promise(() => installer.snapshotCapabilities(kernel))
    )
    // Signatures of broadcast txs (and of replayed or received blocks) are verified on worker
    // threads into the auth verification cache; the ante step still decides (modules/auth/VerifierPool.ts).
    const signatures = yield* verifierPool()
    const preverify = async (txs: ReadonlyArray<Uint8Array>): Promise<void> => {
      await signatures.verify(await application.signatureChecks(txs))
    }
    if (config.consensus.mode === "abci" && opts.syncFrom !== undefined) {
      return yield* new NodeStartError({ stage: "sync", reason: "--sync-from runs the node as a full node of the embedded producer's chain; consensus.mode is \"abci\" (CometBFT syncs its own blocks)" })
    }
    if (config.consensus.mode === "abci") {
      const server = yield* serveAbci({ app: application, address: config.consensus.abciListen, preverify }).pipe(
        Effect.mapError((e) => new NodeStartError({ stage: "abci server", reason: e.reason }))
      )
      yield* Effect.logInfo(`ABCI 2.0 server listening on ${server.address}; point CometBFT's proxy_app at it`)
      return { chainId: genesis.chain_id, rpcAddress: server.address, height: () => store.lastCommit().version, kernel, app: application, ...(network ? { network } : {}) }
    }
    let onHalted: (reason: string) => void = () => undefined
    const halted = new Promise<string>((resolve) => (onHalted = resolve))
    const machines = set.machines.map((m) => m.machine)
    // Block sync (node/sync) runs on the network service's libp2p host when there is one ([p2p]
    // enabled); otherwise on its own host when sync is served ([sync] listen) or followed (--sync-from).
    const ownSyncHost = network === undefined && (config.sync.listen !== "" || opts.syncFrom !== undefined)
      ? yield* Effect.acquireRelease(
          step(`sync host on ${config.sync.listen || "(dial only)"}`, async () => (await import("./sync/SyncHost.ts")).startSyncHost(nodeKey.seed, config.sync.listen || undefined)),
          (h) => Effect.promise(() => h.stop())
        )
      : undefined
    const sync = network !== undefined
      ? { libp2p: network.libp2p as unknown as NonNullable<typeof ownSyncHost>["libp2p"], pubsub: network.libp2p.services.pubsub as unknown as NonNullable<typeof ownSyncHost>["pubsub"], addresses: () => network.libp2p.getMultiaddrs().map((a) => a.toString()) }
      : ownSyncHost
    const serveSyncHere = network !== undefined || config.sync.listen !== ""
    if (sync && serveSyncHere) yield* Effect.logInfo(`block sync (/cyberkernel/sync/1) on ${sync.addresses().join(", ")}`)
    const publishBlock = sync?.pubsub
      ? yield* step("block gossip", async () => {
          const { blocksTopic, encodeSyncBlock } = await import("./sync/SyncProtocol.ts")
          const pubsub = sync.pubsub!
          const topic = blocksTopic(genesis.chain_id)
          return (b: CommittedBlock) => { pubsub.publish(topic, encodeSyncBlock({ block: b.block })).catch(() => undefined) }
        })
      : undefined
    const producer = opts.syncFrom !== undefined
      ? yield* Effect.gen(function* () {
          const { makeSyncer } = yield* step("sync", () => import("./sync/Syncer.ts"))
          const { SyncClient } = yield* step("sync", () => import("./sync/SyncClient.ts"))
          const peer = yield* step(`sync peer ${opts.syncFrom}`, () => SyncClient.connect(sync!.libp2p, opts.syncFrom!))
          yield* Effect.addFinalizer(() => Effect.promise(() => peer.close()))
          return yield* makeSyncer({
            app: application, blockStore, chainId: genesis.chain_id, genesis: producerGenesis(genesis), genesisDoc: genesis, peer, pubsub: sync!.pubsub,
            pollMs: Math.max(50, Math.min(1000, Math.floor(config.consensus.blockTimeMs / 2))), preverify,
            ...(opts.onCommitted ? { onCommitted: opts.onCommitted } : {}),
            onHalt: (e) => {
              process.stderr.write(`${e.message}\n`)
              process.exitCode = 1
              onHalted(e.message)
            },
            beforeApply: (height) => {
              const missing = missingActivation(listRecords(store.store(REGISTRY_NAMESPACE)), machines, genesis.chain_id, Number(height))
              if (missing) throw missing
            }
          }).pipe(Effect.mapError((e) => new NodeStartError({ stage: "sync", reason: e.reason })))
        })
      : yield* makeProducer({
      preverify,
      app: application,
      blockStore,
      chainId: genesis.chain_id,
      validatorKey: opts.validatorSeed,
      blockTimeMs: config.consensus.blockTimeMs,
      createEmptyBlocks: config.consensus.createEmptyBlocks,
      mempool: { maxTxs: config.mempool.size, maxTxBytes: config.mempool.maxTxBytes },
      genesis: producerGenesis(genesis),
      ...(opts.onCommitted || publishBlock ? { onCommitted: (b: CommittedBlock) => { opts.onCommitted?.(b); publishBlock?.(b) } } : {}),
      onHalt: (e) => {
        process.stderr.write(`consensus halted: ${e.reason}\n`)
        process.exitCode = 1
        onHalted(e.reason)
      },
      // Stop before a block that activates a machine this node lacks, so nothing of it is saved.
      beforePropose: (height) => {
        const missing = missingActivation(listRecords(store.store(REGISTRY_NAMESPACE)), machines, genesis.chain_id, Number(height))
        if (missing) throw missing
      }
    }).pipe(Effect.mapError((e) => new NodeStartError({ stage: "block producer", reason: e.reason })))
    if (sync && serveSyncHere) {
      const { serveSync } = yield* step("sync server", () => import("./sync/SyncServer.ts"))
      yield* step("sync server", () => serveSync(sync.libp2p, {
        chainId: genesis.chain_id, genesis, blockStore, tip: () => producer.tip(), latestCommit: () => producer.latestCommit()
      }))
    }
    const rpcLimits = yield* step("rpc limits", () => rpcLimitsFromConfig(config))
    // The dashboard (node/ui): read-only pages and JSON routes on the RPC listener under /ui.
    const dashboard = config.rpc.dashboard
      ? yield* step("dashboard", async () => {
          const { makeDashboard } = await import("./ui/Dashboard.ts")
          const { machineClient } = await import("./ui/MachineClient.ts")
          return makeDashboard({ context: { queryMachine: machineClient(kernel), app: application, kernel, blockStore, engine: producer, store, config, machines, websocket: producer.events !== undefined, installer,
            ...(gasHistory ? { gasHistory } : {}) } })
        })
      : undefined
    const rpc = yield* serveRpc({
      address: config.rpc.listen,
      app: application,
      engine: producer,
      blockStore,
      nodeInfo: {
        nodeId, moniker: config.moniker, listenAddr: network?.listenAddresses()[0] ?? "tcp://0.0.0.0:26656",
        other: {
          secp256k1_verifier: verifierName(), signature_workers: String(signatures.threads),
          ...(network ? { p2p_peer_id: network.peerId.toString(), p2p_name: network.our, p2p_listen: network.listenAddresses().join(",") } : {})
        },
        ...(network && peersOf ? { peers: () => peersOf(network) } : {}),
        processes: async () => (await import("../kernel/userspace/ProcessStats.ts")).collectProcessStats(kernel, installer.running())
      },
      genesis,
      latestCommit: () => producer.latestCommit(),
      maxTxBytes: config.mempool.maxTxBytes,
      limits: rpcLimits,
      ...(dashboard ? { extraRoutes: dashboard.handle } : {})
    }).pipe(Effect.mapError((e) => new NodeStartError({ stage: `rpc server on ${config.rpc.listen}`, reason: causeText(e) })))
    // Plugin services (an Ethereum JSON-RPC endpoint...) start once their machine is active on chain.
    yield* Effect.acquireRelease(
      Effect.sync(() => startPluginServices({
        machines, app: application, engine: producer, blockStore, config, chainId: genesis.chain_id,
        bondDenom: config.chain.feeDenom, log: (line) => Effect.runFork(Effect.logInfo(line))
      })),
      (s) => Effect.promise(() => s.close())
    )
    if (dashboard && !dashboard.built) yield* Effect.logWarning("dashboard not built (ui/dist is missing): run `npm install` or `npx node ui/build.ts`; /ui answers 503 until then")
    return {
      chainId: genesis.chain_id, rpcAddress: rpc.url, height: () => producer.tip().height, kernel, app: application, halted,
      ...(dashboard ? { dashboardUrl: `${rpc.url}/ui` } : {}),
      ...(network ? { network } : {})
    }
  })
