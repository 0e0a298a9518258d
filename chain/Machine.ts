/**
 * The Machine contract: what every chain-plane machine (native, Wasm or plugin) implements.
 *
 * A machine owns one store namespace (its `name`), handles the transaction messages whose
 * type URLs it declares, answers queries on its gRPC paths, and takes part in begin/end block.
 * Its state root is the IAVL root of its namespace; the app hash is the root over all
 * namespaces (see store/KVStore.ts). Handlers are synchronous and deterministic: no Date,
 * Math.random, timers, floats or host I/O (scripts/lint-determinism.ts enforces it); time and
 * randomness come from the BlockContext.
 *
 * Every machine is also a kernel process `<name>:chain:sys`; cross-machine calls go through
 * `ctx.call`, which the executor checks against the capabilities the *calling principal* holds in
 * chain state (chain/Capabilities.ts), decoding the body with the callee's WIT interface first.
 *
 * Source: ARCHITECTURE.md "Chain plane"; Cosmos SDK AppModule (BeginBlock/EndBlock/InitGenesis/
 * ExportGenesis), baseapp MsgServiceRouter and GRPCQueryRouter; CyberWasm multiplexer design.
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Event } from "cosmjs-types/tendermint/abci/types"
import type { KVStore } from "../store/KVStore.ts"
import type { Grant } from "./Capabilities.ts"
import type { GasMeter } from "./Gas.ts"
import type { InterfaceSpec } from "./Interface.ts"
import type { PrincipalKind } from "./Principal.ts"
import type { TxFormat } from "./TxPipeline.ts"

/** Block header facts every handler may read (from the block, never from the host). */
export interface BlockContext {
  readonly chainId: string
  readonly height: number
  /** Block time from the header: seconds and nanoseconds since the Unix epoch. */
  readonly time: { readonly seconds: bigint; readonly nanos: number }
  /** Proposer's consensus address (20 bytes); empty at genesis. */
  readonly proposer: Uint8Array
  /** Hash of the block being executed (32 bytes, deterministic entropy for machines). */
  readonly blockHash: Uint8Array
  /**
   * The validators of the block's decided last commit (ABCI FinalizeBlock `decided_last_commit.votes`),
   * signed or absent alike: consensus address (20 bytes) and the power recorded there. Empty at
   * height 1, outside FinalizeBlock, and where the consensus engine gives none. Distribution weights
   * fee rewards by it, as the SDK does.
   */
  readonly lastCommit?: ReadonlyArray<{ readonly address: Uint8Array; readonly power: bigint }>
}

/** A cross-machine request: the target machine's method and its canonical binary body. */
export interface ChainCall {
  /** Target machine name, e.g. "bank". */
  readonly target: string
  /** WIT method name in the target's interface (wit/chain/<target>.wit), e.g. "send", "balance". */
  readonly method: string
  /** Request body: the method's WIT request record, protobuf-encoded (chain/Interface.ts). */
  readonly body: Uint8Array
}

/**
 * The context a machine sees while executing. `store` is the machine's own namespace inside
 * the current branch (tx branch in handle, block branch in begin/end block), gas-metered when
 * `gas` has a finite limit.
 */
export interface ExecContext extends BlockContext {
  readonly store: KVStore
  /**
   * The same namespace without per-access gas (absent where the executor gives none), for machines
   * that price their own storage: CyberWasm writes 64 KiB memory pages priced per page, where
   * KVGasConfig's 30 gas per byte would make one page cost about 2 M gas. A machine using it must
   * charge `gas` itself.
   */
  readonly rawStore?: KVStore
  readonly gas: GasMeter
  /** The principal this context acts as (`machine:<name>`, or a hosted `program:<address>`). */
  readonly principal: string
  /** Signers of the enclosing transaction (bech32), empty outside a transaction. */
  readonly txSigners: ReadonlyArray<string>
  /** Emit an ABCI event (kept only if the message succeeds). */
  emit(event: Event): void
  /**
   * Synchronous call into another machine as {@link principal}: the executor decodes the body
   * with the target's interface and checks the principal's capability and its constraints before
   * the callee runs (throws CapabilityMissing, code 4, naming principal, capability and failed
   * constraint; UnknownRequest for an unknown machine or method; InvalidRequest for a malformed
   * body). Runs in the same branch and gas meter. Returns the response body bytes.
   */
  call(call: ChainCall): Uint8Array
  /**
   * A read-only call: like {@link call} but only for methods the interface marks read-only
   * (UnknownRequest otherwise); still capability-checked.
   */
  query(call: ChainCall): Uint8Array
  /**
   * Asynchronous send as {@link principal}: checked now, queued in a deterministic FIFO and
   * delivered (as `onCall`) after all transactions of the block, before endBlock. Failures are
   * reported as events, not reverted into the sender.
   */
  send(call: ChainCall): void
  /**
   * The same context acting as `principal`, which must be of a kind this machine hosts
   * ({@link Machine.hosts}): only the runtime that hosts a principal sets its identity. Throws
   * CapabilityMissing otherwise.
   */
  actAs(principal: string): ExecContext
  /**
   * Run `f` in a sub-branch of every namespace (a cache over this context's branch, as the SDK's
   * `CacheContext`): what `f` writes, emits and queues is kept when it returns and dropped when it
   * throws (the throw passes through). Same principal, gas meter and call depth. The CosmWasm layer
   * runs each submessage this way (wasmd msg_dispatcher.go). Optional: contexts built outside the
   * executor may lack it.
   */
  branch?<A>(f: (ctx: ExecContext) => A): A
  /** Whether machine `name` is active on the chain (registry state), e.g. to skip an optional hook. */
  hasMachine(name: string): boolean
  /**
   * Run transaction messages as the governance authority (`authority:gov`, address = the gov module
   * account, chain/Principal.ts): each is routed like a tx message (or is a system authority message,
   * chain/Authority.ts) and every signer it declares must be that address. Only a principal holding
   * capability `authority.execute` may (genesis grants it to `machine:gov`). All-or-nothing: the
   * messages run in a sub-branch written only when all succeed; otherwise the failing message's chain
   * error is thrown with its log prefixed `message <i> (<type URL>): ` and nothing is written.
   * Events of the messages are emitted into this context on success.
   */
  execute(msgs: ReadonlyArray<Any>): ReadonlyArray<MsgResult>
  /**
   * Check without running that `msgs` could be executed by the authority: each has a route (or is a
   * system authority message) and declares only the authority as signer. Throws the chain error
   * (UnknownRequest, Unauthorized, TxDecodeError) naming the message index otherwise.
   */
  executable(msgs: ReadonlyArray<Any>): void
}

/** Context of a transaction message: signers already verified by the auth ante step. */
export interface MsgContext extends ExecContext {
  /** Hash of the transaction (sha256 of the tx bytes, 32 bytes). */
  readonly txHash: Uint8Array
  /**
   * Position of the transaction among the block's transactions (0-based, every tx counted);
   * set in FinalizeBlock only, absent in CheckTx, simulation and governance execution.
   */
  readonly txIndex?: number
  /** Bech32 addresses that signed the transaction, in signer-info order. */
  readonly signers: ReadonlyArray<string>
}

/** Result of a handled message: the data returned in the tx result (Any-wrapped response). */
export interface MsgResult {
  /** The protobuf-encoded Msg response (e.g. MsgSendResponse), type URL given by the machine. */
  readonly typeUrl: string
  readonly value: Uint8Array
}

/** Read-only query context at a height: the namespace as of that version. */
export interface QueryContext {
  readonly chainId: string
  readonly height: number
  /**
   * Time of the latest block this node executed (an approximation for older heights), where the
   * context builder knows it: the CosmWasm layer's query `env.block.time`.
   */
  readonly time?: { readonly seconds: bigint; readonly nanos: number }
  readonly store: KVStore
  /** Read-only cross-machine query on a gRPC path (no capability needed: gRPC queries are public). */
  query(target: string, path: string, data: Uint8Array): Uint8Array
  /**
   * A read-only interface method of another machine called as `principal` (only a principal
   * kind the calling machine hosts, as with ExecContext.actAs), checked against that principal's
   * capabilities, over a throwaway branch of this snapshot: what a program's `query_machine`
   * uses outside a block. Throws like ExecContext.query.
   */
  callAs(principal: string, call: ChainCall): Uint8Array
}

/**
 * Context of {@link Machine.prepareBlock}: the height about to be finalized and the machine's
 * namespace as of the last commit (read it, never write it: writes here are not part of a block).
 */
export interface PrepareContext {
  readonly chainId: string
  readonly height: number
  readonly store: KVStore
}

/** A validator set change returned from endBlock (ABCI ValidatorUpdate shape). */
export interface ValidatorUpdate {
  /** ed25519 public key bytes (32). */
  readonly pubKeyEd25519: Uint8Array
  /** Voting power, 0 removes the validator. */
  readonly power: bigint
}

/**
 * A chain-plane machine. Throw a chain error (chain/ChainError.ts) to reject; any other thrown
 * value is an internal error (code 1, "internal") and the message branch is discarded.
 */
export interface Machine {
  /** Namespace and process name, lowercase [a-z0-9-]+, e.g. "bank". */
  readonly name: string
  /**
   * Version of this machine's code, semver text ("0.1.0"). Recorded in the machine registry
   * (chain/Registry.ts); a node whose version differs from the chain's active record refuses to start.
   */
  readonly version: string
  /**
   * Optional declared code hash: 64 lowercase hex characters, sha256 of the machine's code artifact
   * (a plugin's package bytes, a Wasm module). Absent for native machines of the release, whose
   * registry code hash is sha256("cyberkernel-machine:<name>@<version>") (chain/Registry.ts).
   */
  readonly codeHash?: string
  /** Transaction message type URLs routed here, e.g. "/cosmos.bank.v1beta1.MsgSend". */
  readonly msgTypeUrls: ReadonlyArray<string>
  /** Query path prefixes served here, e.g. "/cosmos.bank.v1beta1.Query/". */
  readonly queryPrefixes: ReadonlyArray<string>
  /**
   * Signers of a message (bech32 addresses) as the Cosmos SDK `cosmos.msg.v1.signer` option
   * gives them; used by the ante step. Throws TxDecodeError / InvalidAddress on bad input.
   */
  signers(msg: Any): ReadonlyArray<string>
  /** Execute one message inside its tx branch. */
  handle(ctx: MsgContext, msg: Any): MsgResult
  /**
   * The machine's call API: its WIT interface (generated from wit/chain/<name>.wit). Calls to a
   * machine without one are refused.
   */
  readonly interface?: InterfaceSpec
  /**
   * A transaction encoding this machine serves besides Cosmos TxRaw (chain/TxPipeline.ts TxFormat):
   * the EVM plugin's Ethereum transactions. Consulted only while the machine is active.
   */
  readonly txFormat?: TxFormat
  /** Principal kinds this machine runs and may act as through `ctx.actAs` (cyberwasm: "program"). */
  readonly hosts?: ReadonlyArray<PrincipalKind>
  /**
   * Capabilities this machine asks for at genesis: its own (`machine:<name>`) and the defaults of
   * the principals it hosts (`program:*`). A genesis without a `capabilities` section grants them.
   */
  readonly grants?: ReadonlyArray<Grant>
  /**
   * Handle an async send or a sync call (method + body) already checked against the calling
   * principal's capabilities. `caller` is that principal's text (chain/Principal.ts); `request`,
   * when given, is `body` already decoded with this machine's interface (the executor decodes it
   * for the capability check; a dispatcher uses it instead of decoding again).
   */
  onCall?(ctx: ExecContext, caller: string, method: string, body: Uint8Array, request?: unknown): Uint8Array
  /** Answer a query (path is the full gRPC path). Returns protobuf response bytes. */
  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array
  /**
   * Write genesis state (from the machine's section of genesis.json) into the namespace. A machine
   * that owns the validator set (staking) returns the genesis validators; InitChain returns them to
   * consensus (ResponseInitChain.validators). Ignored at a later activation.
   */
  initGenesis(ctx: ExecContext, genesis: unknown): void | ReadonlyArray<ValidatorUpdate>
  /** Export the namespace as genesis JSON (the inverse of initGenesis). */
  exportGenesis(ctx: QueryContext): unknown
  /**
   * Optional asynchronous step awaited by the multiplexer at the start of FinalizeBlock, before any
   * beginBlock: the one place a machine may wait for host-side work it started earlier (the graph
   * machine waits here for an off-block rank calculation that must be published in this block).
   * It must not change state and must not decide anything from timing: when it resolves, the
   * block executes exactly as it would have with the work already done.
   */
  prepareBlock?(ctx: PrepareContext): Promise<void>
  beginBlock?(ctx: ExecContext): void
  endBlock?(ctx: ExecContext): ReadonlyArray<ValidatorUpdate>
  /** Called just before the store commits: flush any derived state into the namespace. */
  precommit?(ctx: ExecContext): void
}
