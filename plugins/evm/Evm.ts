/**
 * The EVM plugin machine `evm` (docs/evm.md): Ethereum transactions and Solidity contracts on the
 * chain, run by @ethereumjs/vm (hardfork Prague) in a worker the machine blocks on
 * (internal/Bridge.ts), with EVM state in the machine's IAVL namespace and balances in bank.
 *
 * - Transactions: raw Ethereum txs are block txs (internal/EthTx.ts; chain/TxPipeline.ts TxFormat);
 *   each carries one message `/cyberkernel.evm.v1.MsgEthereumTx` whose value is the raw tx. Nonce,
 *   intrinsic gas, fees, refunds and reverts are @ethereumjs/vm runTx's (Ethereum's rules); an
 *   invalid tx (nonce, funds, gas) is refused and changes nothing; an executed tx has result code 0
 *   with its EVM status in the `ethereum_tx` event and the response, whether it succeeded or not.
 * - Gas: the chain gas of an Ethereum tx is its EVM gas (gas wanted = its gas limit, gas used = the
 *   receipt's gasUsed); the KV gas of the store and bank work the EVM does is not charged again.
 * - Coins: one wei is one base unit of params.denom (the bond denom by default); an address's EVM
 *   balance is its bank balance. Fees (base fee and tip) go to the fee collector.
 * - Precompiles (internal/PrecompileAbi.ts): bank, graph and zk as the calling contract's principal.
 * - Queries (JSON bodies): /cyberkernel.evm.v1.Query/{Params,Account,Code,Storage,Call,EstimateGas}.
 * - Interface `evm` (wit/evm.wit): `call` (read-only eth_call) for other machines.
 * - Genesis: `{ "params": { "chain_id", "denom", "base_fee", "min_tip", "block_gas_limit" },
 *   "accounts": [ { "address": "0x..", "nonce": "1", "code": "0x..", "storage": [ { "slot": "0x..", "value": "0x.." } ] } ] }`.
 *
 * Source: issue 11; Ethereum yellow paper; EIP-155/1559/2930; Ethermint's x/evm for the mapping of
 * Ethereum txs onto a Cosmos chain (one message per tx, the ethereum_tx event, code 0 on revert).
 */
import { keccak_256 } from "@noble/hashes/sha3.js"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Grant } from "../../chain/Capabilities.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import type { BlockContext, ExecContext, Machine, MsgContext, MsgResult, QueryContext, ValidatorUpdate } from "../../chain/Machine.ts"
import type { DecodedTx, TxFormat, TxMode } from "../../chain/TxPipeline.ts"
import type { PluginFactory, PluginHost, PluginOptions } from "../Host.ts"
import { answer, bech32Of, execEnv, queryEnv, type AnswerEnv } from "./internal/Answers.ts"
import { effectivePrice, ethAnte } from "./internal/Ante.ts"
import { TX_GAS_CAP } from "./internal/Rules.ts"
import { applyChanges, FEE_COLLECTOR, sweepEscrow } from "./internal/Apply.ts"
import { Bridge, BRIDGE_TIMEOUT_MS, type RunLimits } from "./internal/Bridge.ts"
import { decodeEthTx, isEthTx, MSG_ETHEREUM_TX } from "./internal/EthTx.ts"
import { evmCodecs, revertReason, type EvmCodecs } from "./internal/Codecs.ts"
import { exportGenesis, parseGenesis } from "./internal/Genesis.ts"
import type { EvmBlock, JobResult } from "./internal/Protocol.ts"
import { EvmStore, type EvmParams } from "./internal/Store.ts"
import { evmQuery, EVM_QUERY, QUERY_BUDGET_MS } from "./internal/Queries.ts"

export { MSG_ETHEREUM_TX } from "./internal/EthTx.ts"
/** The node-side service: the Ethereum JSON-RPC endpoint (docs/evm-rpc.md), started once evm is active. */
export { createEthRpcService as createService } from "./rpc/Server.ts"
export { EVM_QUERY } from "./internal/Queries.ts"
export { PRECOMPILES, PRECOMPILE_GAS } from "./internal/PrecompileAbi.ts"

/** Plugin version (must equal package.json "version"). */
export const EVM_VERSION = "0.1.0"
/** Type URL of the response of MsgEthereumTx. */
export const MSG_ETHEREUM_TX_RESPONSE = "/cyberkernel.evm.v1.MsgEthereumTxResponse"

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")
const grant = (principal: string, iface: string, method: string, constraints: Grant["capability"]["constraints"] = []): Grant => ({ principal, capability: { interface: iface, method, constraints } })

/** The capabilities the EVM asks for (package.json "cyberkernel".grants lists the same). */
export const EVM_GRANTS: ReadonlyArray<Grant> = [
  grant("machine:evm", "bank", "balance"),
  grant("machine:evm", "bank", "send", [{ field: "from", op: "self", value: "" }]),
  grant("machine:evm", "bank", "send", [{ field: "from", op: "signer", value: "" }]),
  grant("evm:*", "bank", "balance"),
  grant("evm:*", "bank", "send", [{ field: "from", op: "self", value: "" }]),
  grant("evm:*", "graph", "link", [{ field: "neuron", op: "self", value: "" }]),
  grant("evm:*", "graph", "rank"),
  grant("evm:*", "zk", "verify"),
  grant("program:*", "evm", "call")
]

/** The EVM machine (module doc). */
export class EvmMachine implements Machine {
  readonly name = "evm"
  readonly version = EVM_VERSION
  readonly msgTypeUrls = [MSG_ETHEREUM_TX]
  readonly queryPrefixes = [EVM_QUERY]
  readonly hosts = ["evm"] as const
  readonly grants = EVM_GRANTS
  readonly interface: InterfaceSpec
  readonly txFormat: TxFormat
  private readonly host: PluginHost
  private readonly prefix: string
  private readonly bondDenom: string
  private readonly store: EvmStore
  private readonly codecs: EvmCodecs
  private readonly bridge = new Bridge()

  constructor(opts: PluginOptions) {
    this.host = opts.host
    this.prefix = opts.bech32Prefix
    this.bondDenom = opts.bondDenom
    this.store = new EvmStore(opts.host)
    this.codecs = evmCodecs(opts.host)
    this.interface = {
      name: "evm",
      methods: { call: { name: "call", readOnly: true, request: this.codecs.callRequest, response: this.codecs.callResponse } }
    }
    const machine = this
    this.txFormat = {
      msgTypeUrls: [MSG_ETHEREUM_TX],
      matches: isEthTx,
      decode: (bytes): DecodedTx => {
        const tx = decodeEthTx(machine.host, bytes)
        return { bytes, msgs: [{ typeUrl: MSG_ETHEREUM_TX, value: bytes }], gasLimit: Number(tx.gasLimit), memo: "" }
      },
      txSigners: (tx) => [machine.senderBech32(tx.bytes)],
      ante: (ctx, tx, _mode: TxMode) => {
        const eth = decodeEthTx(machine.host, tx.bytes)
        ethAnte(ctx, machine.host, machine.store, machine.params(ctx), machine.prefix, eth)
        return { signers: [machine.senderBech32(tx.bytes)] }
      }
    }
  }

  private senderBech32(raw: Uint8Array): string {
    return bech32Of({ host: this.host, bech32Prefix: this.prefix }, decodeEthTx(this.host, raw).sender)
  }

  private params(ctx: { store: ExecContext["store"]; rawStore?: ExecContext["store"] }): EvmParams {
    return this.store.params(ctx.rawStore ?? ctx.store, this.bondDenom)
  }

  /** The EVM's view of a block: number, time, fee collector as coinbase, base fee, entropy. */
  private block(b: Pick<BlockContext, "height" | "time" | "blockHash">, params: EvmParams): EvmBlock {
    return {
      number: BigInt(b.height), timestamp: b.time.seconds, coinbase: FEE_COLLECTOR,
      baseFee: params.baseFee, gasLimit: params.blockGasLimit, prevRandao: b.blockHash.length === 32 ? b.blockHash : new Uint8Array(32)
    }
  }

  private env(params: EvmParams, sender?: string): Omit<AnswerEnv, "read" | "write" | "store"> {
    return { evmStore: this.store, params, host: this.host, bech32Prefix: this.prefix, ...(sender !== undefined ? { sender } : {}) }
  }

  signers(msg: Any): ReadonlyArray<string> {
    if (msg.typeUrl !== MSG_ETHEREUM_TX) throw new this.host.errors.UnknownRequest({ log: `evm has no message ${msg.typeUrl}` })
    return [this.senderBech32(msg.value)]
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    const eth = decodeEthTx(this.host, msg.value)
    const params = this.params(ctx)
    // the ante took the nonce and escrowed the most the tx can pay: the EVM sees the account as before it
    const escrow = eth.gasLimit * effectivePrice(eth.tx as never, params.baseFee)
    const env = execEnv(ctx, { ...this.env(params, eth.sender), ante: { address: eth.sender, escrow } })
    const result = this.bridge.run({ t: "tx", chainId: params.chainId, raw: eth.raw, sender: eth.sender, block: this.block(ctx, params) }, (req) => answer(env, req), this.inBlock(ctx.height))
    if (result.t === "invalid") throw this.refusal(result.reason)
    if (result.tainted) {
      throw new this.host.errors.InvalidRequest({ log: "EVM: a call frame that changed another machine's state through a precompile reverted; such a transaction cannot be applied consistently and is refused" })
    }
    applyChanges(ctx, env, result.changes, eth.sender, escrow)
    ctx.gas.refund(ctx.gas.consumed())
    ctx.gas.consume(Number(result.gasUsed), "evm")
    const hash = `0x${hex(eth.hash)}`
    const reason = result.status === 0 ? revertReason(result.returnValue, result.error) : ""
    const created = result.createdAddress && result.status === 1 ? `0x${result.createdAddress}` : ""
    const price = effectivePrice(eth.tx as never, params.baseFee)
    ctx.emit({
      type: "ethereum_tx",
      attributes: [
        { key: "hash", value: hash, index: true },
        { key: "from", value: `0x${eth.sender}`, index: true },
        { key: "to", value: eth.to ? `0x${eth.to}` : "", index: true },
        { key: "contract_address", value: created, index: true },
        { key: "nonce", value: eth.nonce.toString(), index: false },
        { key: "gas_limit", value: eth.gasLimit.toString(), index: false },
        { key: "gas_used", value: result.gasUsed.toString(), index: false },
        { key: "effective_gas_price", value: price.toString(), index: false },
        { key: "status", value: String(result.status), index: true },
        { key: "revert_reason", value: reason, index: false },
        { key: "return_data", value: result.status === 0 ? `0x${hex(result.returnValue)}` : "", index: false },
        { key: "tx_type", value: String(eth.type), index: false }
      ]
    })
    result.logs.forEach((log, i) => ctx.emit({
      type: "ethereum_log",
      attributes: [
        { key: "address", value: `0x${log.address}`, index: true },
        { key: "topics", value: log.topics.map((t) => `0x${hex(t)}`).join(","), index: false },
        { key: "data", value: `0x${hex(log.data)}`, index: false },
        { key: "log_index", value: String(i), index: false }
      ]
    }))
    return {
      typeUrl: MSG_ETHEREUM_TX_RESPONSE,
      value: this.codecs.txResponse.encode({ hash, status: result.status, gasUsed: result.gasUsed, returnData: result.returnValue, contractAddress: created, revertReason: reason })
    }
  }

  /** An invalid tx's refusal with the code Ethereum tools expect to read (nonce, funds). */
  private refusal(reason: string): Error {
    const log = `ethereum tx refused: ${reason}`
    if (/nonce/i.test(reason)) return new this.host.errors.InvalidSequence({ log })
    if (/balance|funds|upfront cost/i.test(reason)) return new this.host.errors.InsufficientFunds({ log })
    if (/gas/i.test(reason)) return new this.host.errors.OutOfGas({ log })
    return new this.host.errors.InvalidRequest({ log })
  }

  /** A read-only EVM call (eth_call / eth_estimateGas / the `call` interface method); for internal/Queries.ts. @internal */
  runCall(env: AnswerEnv, block: EvmBlock, job: { t: "call" | "estimate"; from: string; to?: string; data: Uint8Array; value: bigint; gas: bigint }, limits: RunLimits = this.asQuery): JobResult {
    return this.bridge.run({ ...job, chainId: env.params.chainId, block }, (req) => answer(env, req), limits)
  }

  /** Limits of a job that decides a result in a block: how long it takes must never matter, so a fault stops the node. */
  private inBlock(height: number): RunLimits {
    return { timeoutMs: BRIDGE_TIMEOUT_MS, onFault: (detail) => new this.host.NodeFault(`evm: ${detail}`, height) }
  }

  /** Limits of a query (eth_call, eth_estimateGas): node plane, so a wall-clock budget answers an error. */
  private readonly asQuery: RunLimits = {
    timeoutMs: QUERY_BUDGET_MS,
    onFault: (detail) => new this.host.errors.InvalidRequest({ log: `evm query stopped: ${detail} (a query may run ${QUERY_BUDGET_MS} ms)` })
  }

  onCall(ctx: ExecContext, caller: string, method: string, body: Uint8Array): Uint8Array {
    if (method !== "call") throw new this.host.errors.UnknownRequest({ log: `evm has no method "${method}"` })
    const req = this.codecs.callRequest.decode(body) as { to: string; data: Uint8Array; gas: bigint }
    const params = this.params(ctx)
    const env = execEnv(ctx, this.env(params))
    const to = req.to.replace(/^0x/, "").toLowerCase()
    if (!/^[0-9a-f]{40}$/.test(to)) throw new this.host.errors.InvalidRequest({ log: `evm.call: "to" must be a 20-byte hex address` })
    // the caller pays the EVM gas from its own meter, so the call can use at most what it has left
    const limit = [req.gas > 0n ? req.gas : TX_GAS_CAP, TX_GAS_CAP, params.blockGasLimit, BigInt(ctx.gas.remaining())].reduce((a, b) => (a < b ? a : b))
    // msg.sender is the caller's own account: its 20 bytes, or keccak256 of a longer (32-byte program) address, last 20 bytes
    const account = this.host.address.parse(callerAccount(caller, this.host, this.prefix), this.prefix, "caller")
    const from = hex(account.length === 20 ? account : keccak_256(account).subarray(12))
    const r = this.runCall({ ...env, write: undefined }, this.block(ctx, params), { t: "call", from, to, data: req.data, value: 0n, gas: limit }, this.inBlock(ctx.height))
    if (r.t === "invalid") throw new this.host.errors.InvalidRequest({ log: `evm.call: ${r.reason}` })
    ctx.gas.consume(Number(r.gasUsed), "evm.call")
    return this.codecs.callResponse.encode({ status: r.status, returnData: r.returnValue, gasUsed: r.gasUsed, revertReason: r.status === 0 ? revertReason(r.returnValue, r.error) : "" })
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    const params = this.store.params(ctx.store, this.bondDenom)
    return evmQuery(this, ctx, path, data, params, queryEnv(ctx, this.env(params)), (height, seconds) => this.block({ height, time: { seconds, nanos: 0 }, blockHash: new Uint8Array(32) }, params))
  }

  /**
   * Hand the evm module account's coins to the fee collector: between txs it holds only the escrow
   * of txs refused after they ran (internal/Ante.ts), which are fees.
   */
  endBlock(ctx: ExecContext): ReadonlyArray<ValidatorUpdate> {
    sweepEscrow(ctx, execEnv(ctx, this.env(this.params(ctx))))
    return []
  }

  initGenesis(ctx: ExecContext, genesis: unknown): void {
    const g = parseGenesis(this.host, genesis, this.bondDenom)
    const store = ctx.rawStore ?? ctx.store
    this.store.setParams(store, g.params)
    for (const a of g.accounts) {
      this.store.setCode(store, a.codeHash, a.code)
      this.store.setAccount(store, a.address, { nonce: a.nonce, codeHash: a.codeHash })
      for (const [slot, value] of a.storage) this.store.setStorage(store, a.address, slot, value)
    }
  }

  exportGenesis(ctx: QueryContext): unknown {
    return exportGenesis(this.store, ctx.store, this.bondDenom)
  }

  /** Stop the worker (tests and node shutdown). */
  close(): Promise<void> {
    return this.bridge.close()
  }
}

/** The bech32 account a calling principal speaks as (its self address). */
const callerAccount = (caller: string, host: PluginHost, prefix: string): string => {
  const i = caller.indexOf(":")
  const kind = caller.slice(0, i)
  const id = caller.slice(i + 1)
  if (kind === "program" || kind === "contract" || kind === "evm") return id
  return host.address.format(host.sha256(kind === "authority" ? "gov" : id).subarray(0, 20), prefix)
}

/** The plugin's factory (package.json "cyberkernel".entry, default export). */
const createMachine: PluginFactory = (opts) => new EvmMachine(opts)
export default createMachine
