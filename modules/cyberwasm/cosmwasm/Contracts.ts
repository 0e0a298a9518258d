/**
 * The CosmWasm keeper: store code, instantiate (classic and instantiate2), execute, migrate and
 * admin changes, each contract call through the VM ({@link CosmWasmVm}) followed by wasmd's
 * response handling: events, then the submessages in order, each in its own branch
 * (`ExecContext.branch`, the SDK's CacheContext), reply on success/error/always/never, `data`
 * replaced by a reply's data. Execution is depth first (a submessage's own submessages run before
 * the next sibling), the order of wasmd ≥ 0.53 that the replier contract checks.
 *
 * A contract is the principal `contract:<address>`: everything it does outside this namespace
 * (bank sends and burns, funds attached to its submessages, its chain queries) goes through the
 * other machine's call API acting as that principal, so the capability table decides (defaults:
 * Grants.ts, `bank.send {from: self}`); a contract cannot move anyone else's funds.
 *
 * Gas (SDK gas): wasmd's instance cost (60,000 per instantiate/execute/migrate/query, 2,000 for a
 * reply, gas_register.go), event costs (Events.ts), gzip at 0.15 per compressed byte, compile at
 * 3 per byte of code, the VM's own gas (already converted by the VM) and the SDK's KV gas for the
 * contract's storage (the metered store).
 *
 * Source: wasmd x/wasm/keeper/{keeper.go, msg_dispatcher.go, handler_plugin.go,
 * handler_plugin_encoders.go, query_plugins.go, events.go}, x/wasm/types/{env.go, gas_register.go}.
 */
import { toBase64 } from "@cosmjs/encoding"
import { AccessType, type Params } from "cosmjs-types/cosmwasm/wasm/v1/types"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { MsgFundCommunityPool, MsgSetWithdrawAddress, MsgWithdrawDelegatorReward } from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import { MsgBeginRedelegate, MsgDelegate, MsgUndelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import {
  MsgClearAdminResponse, MsgExecuteContract, MsgExecuteContractResponse, MsgInstantiateContract2Response, MsgInstantiateContractResponse, MsgMigrateContractResponse,
  MsgUpdateAdminResponse
} from "cosmjs-types/cosmwasm/wasm/v1/tx"
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { Gunzip } from "fflate"
import { InvalidAddress, InvalidRequest, isChainError, OutOfGas, Unauthorized } from "../../../chain/ChainError.ts"
import type { ChainCall, ExecContext } from "../../../chain/Machine.ts"
import { isNodeFault } from "../../../chain/internal/TxResult.ts"
import { moduleAccountBytes } from "../../../chain/Principal.ts"
import { bankClient } from "../../../chain/generated/bank.ts"
import { ibcClient } from "../../../chain/generated/ibc.ts"
import { MsgIBCSendResponse } from "cosmjs-types/cosmwasm/wasm/v1/ibc"
import { MsgTransferResponse } from "cosmjs-types/ibc/applications/transfer/v1/tx"
import { concatBytes, toHex } from "../../../lib/Bytes.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import type { BankPort } from "../BankAdapter.ts"
import { addressBytes } from "../internal/Address.ts"
import { bech32, classicAddress, predictableAddress } from "./Address.ts"
import { distributionMsg, stakingMsg } from "./ChainMessages.ts"
import { distributionQuery, grpcQuery, stakingQuery, unknownMachine, UnsupportedQuery } from "./ChainQueries.ts"
import { customEvents, event, eventCosts, wasmModuleEvents } from "./Events.ts"
import { migrateVersion } from "./internal/MigrateVersion.ts"
import { prefixStore } from "./internal/PrefixStore.ts"
import {
  binary, type Coin, coins, type ContractResponse, type ContractResult, jsonBytes, object, parseContractResult, parseJson, parseResponse, string, type SubMsg, uint,
  variant
} from "./Json.ts"
import { WasmKeys } from "./Keys.ts"
import {
  appendHistory, type CodeInfo, ContractCodeHistoryOperationType, type ContractInfo, indexByCode, indexByCreator, isPinned, lastHistory, nextId, readCode,
  readContract, readParams, readWasm, setPinned, unindexByCode, writeCode, writeContract, writeParams, writeWasm
} from "./Records.ts"
import type { AnalyzedCode, CosmWasmVm, EntryPoint, VmBackend } from "./Vm.ts"
import type { Bridge } from "./Bridge.ts"
import {
  CreateFailed, Duplicate, Empty, ExecuteFailed, InstantiateFailed, Invalid, InvalidMsg, Limit, MaxCallDepth, MigrationFailed, NoSuchCode, NoSuchContract,
  UnknownMsg, UnsupportedForContract, VmError
} from "./WasmdError.ts"

/** wasmd DefaultInstanceCost: SDK gas per contract instance loaded. */
export const INSTANCE_COST = 60_000n
/** wasmd DefaultInstanceCostDiscount: replies (the instance is assumed cached). */
export const INSTANCE_COST_DISCOUNT = 2_000n
/** wasmd DefaultCompileCost: SDK gas per byte of uploaded code. */
export const COMPILE_COST = 3n
/** wasmd DefaultPinCodeCost / DefaultUnpinCodeCost: SDK gas per code (un)pinned. */
export const PIN_COST = 500_000n
/** wasmd's smart query gas limit default (types.defaultSmartQueryGasLimit). */
export const QUERY_GAS_LIMIT = 3_000_000n
/** Nesting of submessage dispatch (wasmd's call depth check; lower here: each level holds a live instance). */
export const MAX_CALL_DEPTH = 32
/** Nesting of contract-to-contract queries (wasmd DefaultMaxQueryStackSize). */
export const MAX_QUERY_DEPTH = 10
/**
 * SDK gas a transaction's contract calls may use together when its meter has no real limit (the
 * Application simulates with a 2^53 - 2 meter): CosmJS's "auto" fee simulates first, and an endless
 * loop must end there too. Not consensus: a delivered tx is bounded by its own gas limit.
 */
export const SIMULATION_GAS_CAP = 20_000_000
/** Longest label (wasmd types.MaxLabelSize). */
export const MAX_LABEL_SIZE = 128

/** Block facts a contract sees (from the block context, never the host). */
export interface BlockInfo {
  readonly height: number
  /** Nanoseconds since the Unix epoch. */
  readonly timeNanos: bigint
  readonly chainId: string
}

/**
 * Where a keeper operation runs. `ctx` is the current branch (tx, or a submessage's sub-branch);
 * `emit` records an event into it and into the submessage's event list for a reply.
 */
export interface Scope {
  readonly ctx: ExecContext
  readonly block: BlockInfo
  readonly txIndex: bigint
  readonly depth: number
  /** Gas meter reading the current submessage may not pass (its `gas_limit`); none at the top. */
  readonly gasCap?: number
  emit(e: Event): void
}

/** A read-only view for queries (gRPC SmartContractState, contract-to-contract queries). */
export interface QueryScope {
  readonly store: KVStore
  readonly block: BlockInfo
  /** Read-only calls into other machines as `contract:<address>`. */
  portAs(contract: string): BankPort
  /** Nesting of contract-to-contract queries. */
  readonly depth: number
}

/** Options of the keeper. */
export interface ContractsOptions {
  readonly vm: CosmWasmVm
  /** Bech32 prefix of account and contract addresses. */
  readonly bech32Prefix: string
  /** Largest (uncompressed) code accepted, bytes (the chain's max_code_bytes). */
  readonly maxCodeBytes: (store: KVStore) => number
}

/** Result of a submessage or message dispatch: wasmd's `data` and `msgResponses`. */
interface Dispatched {
  readonly data: Uint8Array | undefined
  readonly responses: ReadonlyArray<{ readonly typeUrl: string; readonly value: Uint8Array }>
}

/** wasmd PortIDForContract: the IBC port of a contract with IBC entry points. */
export const contractPortId = (address: string): string => `wasm.${address}`

/** The IBC entry points (wasmvm has_ibc_entry_points wants all six). */
export type IbcEntryPoint = Extract<EntryPoint, `ibc_${string}`>
export const IBC_ENTRY_POINTS: ReadonlyArray<IbcEntryPoint> = ["ibc_channel_open", "ibc_channel_connect", "ibc_channel_close", "ibc_packet_receive", "ibc_packet_ack", "ibc_packet_timeout"]

/** cosmwasm-std IbcTimeout JSON `{block: {revision, height} | null, timestamp: "<ns>" | null}`. */
const ibcTimeout = (v: unknown, what: string): { height: { revisionNumber: bigint; revisionHeight: bigint }; timestamp: bigint } => {
  const o = object(v, what)
  const block = o.block === null || o.block === undefined ? undefined : object(o.block, `${what}.block`)
  return {
    height: block ? { revisionNumber: uint(block.revision, `${what}.block.revision`), revisionHeight: uint(block.height, `${what}.block.height`) } : { revisionNumber: 0n, revisionHeight: 0n },
    timestamp: o.timestamp === null || o.timestamp === undefined ? 0n : uint(o.timestamp, `${what}.timestamp`)
  }
}

/** cosmwasm-std IbcChannel JSON of a channel end. */
export const ibcChannelJson = (portId: string, channelId: string, ch: { ordering: string; counterpartyPortId: string; counterpartyChannelId: string; version: string; connectionId: string }) => ({
  endpoint: { port_id: portId, channel_id: channelId },
  counterparty_endpoint: { port_id: ch.counterpartyPortId, channel_id: ch.counterpartyChannelId },
  order: ch.ordering,
  version: ch.version,
  connection_id: ch.connectionId
})

/** The principal of a contract. */
export const contractPrincipal = (address: string): string => `contract:${address}`

const GZIP = [0x1f, 0x8b, 0x08] as const
const isGzip = (b: Uint8Array) => b.length >= 3 && b[0] === GZIP[0] && b[1] === GZIP[1] && b[2] === GZIP[2]

/** Inflate a gzip upload, refusing output beyond `max` bytes (no zip bombs). */
export const gunzipBounded = (b: Uint8Array, max: number): Uint8Array => {
  const parts: Uint8Array[] = []
  let size = 0
  try {
    const g = new Gunzip((chunk) => {
      size += chunk.length
      if (size > max) throw new Limit({ log: `uncompressed wasm code is larger than ${max} bytes: exceeds limit` })
      parts.push(chunk)
    })
    g.push(b, true)
  } catch (e) {
    if (isChainError(e)) throw e
    throw new CreateFailed({ log: `uncompress wasm archive: ${(e as Error).message}: create wasm contract failed` })
  }
  return concatBytes(...parts)
}

/** Validate a label as wasmd (ValidateLabel). */
export const validateLabel = (label: string): void => {
  if (label === "") throw new Empty({ log: "label: is required: empty" })
  if (label.length > MAX_LABEL_SIZE) throw new Limit({ log: `label: cannot be longer than ${MAX_LABEL_SIZE} characters: exceeds limit` })
  if (label !== label.trim()) throw new Invalid({ log: "label: label must not start/end with whitespaces: invalid" })
  if (/\p{C}/u.test(label)) throw new Invalid({ log: "label: label must have printable characters only: invalid" })
}

/** Validate funds as the SDK's Coins.Validate: sorted by denom, no duplicates, positive. */
export const validateFunds = (funds: ReadonlyArray<Coin>): void => {
  for (let i = 0; i < funds.length; i++) {
    const c = funds[i]!
    if (!/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(c.denom)) throw new InvalidRequest({ log: `funds: invalid denom: ${c.denom.slice(0, 130)}` })
    if (!/^[0-9]+$/.test(c.amount) || BigInt(c.amount) === 0n) throw new InvalidRequest({ log: `funds: coin ${c.amount}${c.denom} amount is not positive` })
    if (i > 0 && funds[i - 1]!.denom >= c.denom) throw new InvalidRequest({ log: `funds: denomination ${c.denom} is not sorted or is duplicated` })
  }
}

/** The keeper. Stateless apart from a cache of analysed codes (a pure function of the code bytes). */
export class Contracts {
  readonly vm: CosmWasmVm
  readonly prefix: string
  private readonly maxCodeBytes: (store: KVStore) => number
  private readonly analyzed = new Map<string, AnalyzedCode>()
  private readonly versions = new Map<string, bigint | undefined>()
  /** The governance authority (bech32 of the gov module account): the signer of sudo, pin and params messages. */
  readonly authority: string
  /** Programs as WasmMsg::Execute targets (Bridge.ts); set by the machine. */
  programs: Pick<Bridge, "isProgram" | "execute"> | undefined

  constructor(opts: ContractsOptions) {
    this.vm = opts.vm
    this.prefix = opts.bech32Prefix
    this.maxCodeBytes = opts.maxCodeBytes
    this.authority = bech32(opts.bech32Prefix, moduleAccountBytes("gov"))
  }

  // ---- addresses

  /** Raw bytes of a bech32 account or contract address with this chain's prefix (InvalidAddress otherwise). */
  raw(address: string, what: string): Uint8Array {
    let b: Uint8Array
    try {
      b = addressBytes(address)
    } catch {
      throw new InvalidAddress({ log: `${what}: invalid address "${address.slice(0, 100)}"` })
    }
    if (!address.startsWith(`${this.prefix}1`) || (b.length !== 20 && b.length !== 32)) {
      throw new InvalidAddress({ log: `${what}: invalid address "${address.slice(0, 100)}": expected a ${this.prefix} address of 20 or 32 bytes` })
    }
    return b
  }

  // ---- code

  /** What the VM reports about `checksum` (analysed again from state after a restart). */
  analysis(store: KVStore, checksum: Uint8Array): AnalyzedCode {
    const key = toHex(checksum)
    let a = this.analyzed.get(key)
    if (!a) {
      const wasm = readWasm(store, checksum)
      if (!wasm) throw new NoSuchCode({ log: `no code with checksum ${key}: no such code` })
      a = this.vm.analyze(wasm)
      if (this.analyzed.size > 4096) this.analyzed.clear()
      this.analyzed.set(key, a)
    }
    return a
  }

  /** wasmvm's has_ibc_entry_points: the code exports all six `ibc_*` entry points. */
  hasIbcEntryPoints(store: KVStore, checksum: Uint8Array): boolean {
    const e = this.analysis(store, checksum).entryPoints
    return IBC_ENTRY_POINTS.every((x) => e.includes(x))
  }

  private ensureLoaded(store: KVStore, checksum: Uint8Array): void {
    if (this.vm.has(checksum)) return
    const wasm = readWasm(store, checksum)
    if (!wasm) throw new NoSuchCode({ log: `no code with checksum ${toHex(checksum)}: no such code` })
    this.vm.load(checksum, wasm)
  }

  /** Whether `sender` may upload under the params (wasmd CanCreateCode). */
  private canUpload(store: KVStore, sender: string): boolean {
    const access = readParams(store).codeUploadAccess
    return allowed(access.permission, access.addresses, sender)
  }

  /**
   * MsgStoreCode: inflate a gzip upload (bounded), check size and upload access, let the VM
   * validate, store the bytes once per checksum and a new CodeInfo under the next code id.
   * Returns {codeId, checksum}. Errors: Unauthorized, Limit, CreateFailed, Invalid.
   */
  storeCode(s: Scope, sender: string, wasmOrGzip: Uint8Array, instantiatePermission?: { permission: AccessType; addresses: string[] }): { codeId: bigint; checksum: Uint8Array } {
    const store = s.ctx.store
    const raw = s.ctx.rawStore ?? store
    if (wasmOrGzip.length === 0) throw new Empty({ log: "code bytes: is required: empty" })
    const max = this.maxCodeBytes(raw)
    let wasm = wasmOrGzip
    if (isGzip(wasm)) {
      s.ctx.gas.consume(Math.floor((wasm.length * 15) / 100), "Uncompress gzip bytecode")
      wasm = gunzipBounded(wasm, max)
    }
    if (wasm.length > max) throw new Limit({ log: `code bytes: cannot be longer than ${max} bytes: exceeds limit` })
    const params = readParams(store)
    const config = instantiatePermission ?? defaultAccess(params.instantiateDefaultPermission, sender)
    if (instantiatePermission) validateAccess(instantiatePermission, (a) => this.raw(a, "instantiate permission address"))
    if (!this.canUpload(store, sender) || !isSubset(config, params.instantiateDefaultPermission, sender)) {
      throw new Unauthorized({ log: "can not create code: unauthorized" })
    }
    s.ctx.gas.consume(Number(COMPILE_COST) * wasm.length, "Compiling wasm bytecode")
    let analysis: AnalyzedCode
    try {
      analysis = this.vm.analyze(wasm)
    } catch (e) {
      if (isNodeFault(e) || (isChainError(e) && (e as { _tag: string })._tag === "OutOfGas")) throw e
      throw new CreateFailed({ log: `${isChainError(e) ? (e as unknown as { log: string }).log : String(e)}: create wasm contract failed` })
    }
    this.analyzed.set(toHex(analysis.checksum), analysis)
    writeWasm(raw, analysis.checksum, wasm)
    const codeId = nextId(store, WasmKeys.sequenceCodeId)
    writeCode(store, codeId, { codeHash: analysis.checksum, creator: sender, instantiateConfig: config })
    const caps = analysis.requiredCapabilities.length === 0 ? [""] : analysis.requiredCapabilities
    s.emit(event("store_code", [["code_checksum", toHex(analysis.checksum)], ["code_id", codeId.toString()], ...caps.map((c) => ["required_capability", c] as const)]))
    return { codeId, checksum: analysis.checksum }
  }

  // ---- instantiate / execute / migrate / admin

  /**
   * Instantiate `codeId` as `creator` (a tx signer, or a contract in a submessage acting through
   * `s.ctx`). `salt` selects instantiate2 (with `fixMsg`). Funds move from the creator to the new
   * contract before the contract runs. Returns the address and the response data.
   */
  instantiate(
    s: Scope, creator: string, admin: string, codeId: bigint, msg: Uint8Array, label: string, funds: ReadonlyArray<Coin>,
    salt?: { readonly salt: Uint8Array; readonly fixMsg: boolean }
  ): { address: string; data: Uint8Array | undefined } {
    const store = s.ctx.store
    const creatorRaw = this.raw(creator, "creator")
    if (admin) this.raw(admin, "admin")
    validateLabel(label)
    validateFunds(funds)
    if (codeId === 0n) throw new InvalidRequest({ log: "code id is required" })
    const code = readCode(store, codeId)
    if (!code) throw new NoSuchCode({ log: `code id ${codeId}: no such code` })
    s.ctx.gas.consume(Number(INSTANCE_COST), "Loading CosmWasm module: instantiate")
    if (!allowed(code.instantiateConfig.permission, code.instantiateConfig.addresses, creator)) throw new Unauthorized({ log: "can not instantiate: unauthorized" })
    const addrRaw = salt
      ? predictableAddress(code.codeHash, creatorRaw, salt.salt, salt.fixMsg ? msg : new Uint8Array())
      : classicAddress(codeId, nextId(store, WasmKeys.sequenceInstanceId))
    const address = bech32(this.prefix, addrRaw)
    if (readContract(store, addrRaw)) {
      throw new Duplicate({ log: "contract address already exists, try a different combination of creator, checksum and salt: duplicate" })
    }
    this.transfer(s.ctx, creator, address, funds)
    const env = this.env(s.block, s.txIndex, address)
    const info = jsonBytes({ sender: creator, funds })
    const result = this.call(s, addrRaw, address, code.codeHash, "instantiate", [env, info, msg], false)
    if ("error" in result) throw new InstantiateFailed({ log: `${result.error}: instantiate wasm contract failed` })
    const response = parseResponse(result.ok)
    const created = { blockHeight: BigInt(s.block.height), txIndex: s.txIndex }
    const ibcPortId = this.hasIbcEntryPoints(s.ctx.rawStore ?? store, code.codeHash) ? contractPortId(address) : ""
    const contract: ContractInfo = { codeId, creator, admin, label, created, ibcPortId, ibc2PortId: "" }
    const entry = { operation: ContractCodeHistoryOperationType.CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT, codeId, updated: created, msg }
    indexByCode(store, addrRaw, entry)
    indexByCreator(store, creatorRaw, entry, addrRaw)
    appendHistory(store, addrRaw, entry)
    writeContract(store, addrRaw, contract)
    s.emit(event("instantiate", [["_contract_address", address], ["code_id", codeId.toString()]]))
    return { address, data: this.handleResponse(s, address, response) }
  }

  /** Execute `contract` as `caller` with `funds` sent first. Returns the response data. */
  execute(s: Scope, caller: string, contract: string, msg: Uint8Array, funds: ReadonlyArray<Coin>): Uint8Array | undefined {
    this.raw(caller, "sender")
    validateFunds(funds)
    const { raw, code } = this.instance(s.ctx.store, contract)
    s.ctx.gas.consume(Number(INSTANCE_COST), "Loading CosmWasm module: execute")
    this.transfer(s.ctx, caller, contract, funds)
    const env = this.env(s.block, s.txIndex, contract)
    const result = this.call(s, raw, contract, code.codeHash, "execute", [env, jsonBytes({ sender: caller, funds }), msg], false)
    if ("error" in result) throw new ExecuteFailed({ log: `${result.error}: execute wasm contract failed` })
    const response = parseResponse(result.ok)
    s.emit(event("execute", [["_contract_address", contract]]))
    return this.handleResponse(s, contract, response)
  }

  /**
   * Migrate `contract` to `newCodeId` (admin only; the new code must export `migrate` and allow
   * the caller to instantiate it). Returns the response data.
   */
  migrate(s: Scope, caller: string, contract: string, newCodeId: bigint, msg: Uint8Array): Uint8Array | undefined {
    const store = s.ctx.store
    const raw = this.raw(contract, "contract")
    const info = readContract(store, raw)
    if (!info) throw new InvalidRequest({ log: "unknown contract: invalid request" })
    if (!info.admin || info.admin !== caller) throw new Unauthorized({ log: "can not migrate: unauthorized" })
    const code = readCode(store, newCodeId)
    if (!code) throw new InvalidRequest({ log: "unknown code: invalid request" })
    if (!allowed(code.instantiateConfig.permission, code.instantiateConfig.addresses, caller)) throw new Unauthorized({ log: "to use new code: unauthorized" })
    const analysis = this.analysis(s.ctx.rawStore ?? store, code.codeHash)
    if (!analysis.entryPoints.includes("migrate")) {
      throw new MigrationFailed({ log: `code ${newCodeId} does not export migrate: Error calling the VM: Missing export migrate: migrate wasm contract failed` })
    }
    // wasmd: a contract with a port keeps needing the IBC entry points; one without gets a port
    const ibc = this.hasIbcEntryPoints(s.ctx.rawStore ?? store, code.codeHash)
    if (!ibc && info.ibcPortId !== "") throw new MigrationFailed({ log: "requires ibc callbacks: migrate wasm contract failed" })
    const ibcPortId = ibc && info.ibcPortId === "" ? contractPortId(contract) : info.ibcPortId
    // wasmd: no migrate call when the old and the new code declare the same migrate version
    const rawStore = s.ctx.rawStore ?? store
    const oldCode = readCode(store, info.codeId)
    const oldVersion = oldCode ? this.migrateVersionOf(rawStore, oldCode.codeHash) : undefined
    const newVersion = this.migrateVersionOf(rawStore, code.codeHash)
    let response: ContractResponse | undefined
    if (newVersion === undefined || oldVersion === undefined || newVersion !== oldVersion) {
      s.ctx.gas.consume(Number(INSTANCE_COST), "Loading CosmWasm module: migrate")
      const env = this.env(s.block, s.txIndex, contract)
      const result = this.callMigrate(s, raw, contract, code.codeHash, env, msg, caller, oldVersion)
      if ("error" in result) throw new MigrationFailed({ log: `${result.error}: migrate wasm contract failed` })
      response = parseResponse(result.ok)
    }
    const last = lastHistory(store, raw)
    if (last) unindexByCode(store, raw, last)
    const updated = { blockHeight: BigInt(s.block.height), txIndex: s.txIndex }
    const entry = { operation: ContractCodeHistoryOperationType.CONTRACT_CODE_HISTORY_OPERATION_TYPE_MIGRATE, codeId: newCodeId, updated, msg }
    appendHistory(store, raw, entry)
    indexByCode(store, raw, entry)
    writeContract(store, raw, { ...info, codeId: newCodeId, ibcPortId })
    s.emit(event("migrate", [["code_id", newCodeId.toString()], ["_contract_address", contract]]))
    return response ? this.handleResponse(s, contract, response) : undefined
  }

  /** Set (or clear, with "") the admin of `contract`; only the current admin may. */
  setAdmin(s: Scope, caller: string, contract: string, newAdmin: string): void {
    const store = s.ctx.store
    const raw = this.raw(contract, "contract")
    if (newAdmin) this.raw(newAdmin, "new admin")
    const info = readContract(store, raw)
    if (!info) throw new InvalidRequest({ log: "unknown contract: invalid request" })
    if (!info.admin || info.admin !== caller) throw new Unauthorized({ log: "can not modify contract: unauthorized" })
    writeContract(store, raw, { ...info, admin: newAdmin })
    s.emit(event("update_contract_admin", [["_contract_address", contract], ["new_admin_address", newAdmin]]))
  }

  // ---- privileged: sudo, pinning (governance through MsgSudoContract / MsgPinCodes, or internal callers)

  /**
   * wasmd Keeper.Sudo: run the contract's `sudo(env, msg)` (no sender, no funds) and handle its
   * Response as any other; emits `sudo`. For internal callers and the gov authority's
   * MsgSudoContract: nothing here checks who asks. Errors: NoSuchContract, VmError (no `sudo`
   * export), ExecuteFailed (the contract's error).
   */
  sudo(s: Scope, contract: string, msg: Uint8Array): Uint8Array | undefined {
    const { raw, code } = this.instance(s.ctx.store, contract)
    s.ctx.gas.consume(Number(INSTANCE_COST), "Loading CosmWasm module: sudo")
    if (!this.analysis(s.ctx.rawStore ?? s.ctx.store, code.codeHash).entryPoints.includes("sudo")) {
      throw new VmError({ log: "Error calling the VM: Missing export sudo: wasmvm error" })
    }
    const env = this.env(s.block, s.txIndex, contract)
    const result = this.call(s, raw, contract, code.codeHash, "sudo", [env, msg], false)
    if ("error" in result) throw new ExecuteFailed({ log: `${result.error}: execute wasm contract failed` })
    const response = parseResponse(result.ok)
    s.emit(event("sudo", [["_contract_address", contract]]))
    return this.handleResponse(s, contract, response)
  }

  /**
   * wasmd pinCode / unpinCode: record `codeId` as pinned (or not) and emit `pin_code` /
   * `unpin_code`, charging wasmd's 500,000 gas. Pinning changes no result here: every code shares
   * the VM's compiled-module cache alike. Errors: NoSuchCode.
   */
  pin(s: Scope, codeId: bigint, pinned: boolean): void {
    if (!readCode(s.ctx.store, codeId)) throw new NoSuchCode({ log: `code id ${codeId}: no such code` })
    s.ctx.gas.consume(Number(PIN_COST), `Loading CosmWasm module: ${pinned ? "pin" : "unpin"} code`)
    setPinned(s.ctx.store, codeId, pinned)
    s.emit(event(pinned ? "pin_code" : "unpin_code", [["code_id", codeId.toString()]]))
  }

  /**
   * MsgUpdateParams (gov authority): replace the upload access and the default instantiate
   * permission after wasmd's Params.ValidateBasic. Errors: Invalid, Empty, Duplicate, InvalidAddress.
   */
  updateParams(s: Scope, params: Params | undefined): void {
    if (!params?.codeUploadAccess) throw new Invalid({ log: "code_upload_access: empty: invalid" })
    validateAccess(params.codeUploadAccess, (a) => this.raw(a, "code upload access address"))
    const p = params.instantiateDefaultPermission
    if (p !== AccessType.ACCESS_TYPE_EVERYBODY && p !== AccessType.ACCESS_TYPE_NOBODY && p !== AccessType.ACCESS_TYPE_ANY_OF_ADDRESSES) {
      throw new Invalid({ log: `instantiate default permission: unknown access type ${p}: invalid` })
    }
    writeParams(s.ctx.store, { codeUploadAccess: { permission: params.codeUploadAccess.permission, addresses: [...params.codeUploadAccess.addresses] }, instantiateDefaultPermission: p })
  }

  // ---- IBC entry points (the ibc machine's callbacks for `wasm.<address>`, IbcEntryPoints.ts)

  /**
   * Run the IBC entry point `entry` of `contract` with its message JSON (wasmd relay.go): charges
   * the instance cost, returns the contract's result. Throws NoSuchContract, UnsupportedForContract
   * (wasm 17: the contract has no port), VmError (no such export, trap), OutOfGas.
   */
  ibcCall(s: Scope, contract: string, entry: IbcEntryPoint, msg: Uint8Array): ContractResult {
    const { raw, info, code } = this.instance(s.ctx.store, contract)
    // ibc-go serves only bound ports: a contract whose code lacks the IBC entry points has none
    if (info.ibcPortId !== contractPortId(contract)) throw new UnsupportedForContract({ log: `contract ${contract.slice(0, 100)} has no IBC port: unsupported for this contract` })
    s.ctx.gas.consume(Number(INSTANCE_COST), `Loading CosmWasm module: ${entry.replaceAll("_", "-")}`)
    if (!this.analysis(s.ctx.rawStore ?? s.ctx.store, code.codeHash).entryPoints.includes(entry)) {
      throw new VmError({ log: `Error calling the VM: Missing export ${entry}: wasmvm error` })
    }
    return this.call(s, raw, contract, code.codeHash, entry, [this.env(s.block, s.txIndex, contract), msg], false)
  }

  /** wasmd handleContractResponse for an IBC entry point's response; returns a reply's data, if any. */
  ibcResponse(s: Scope, contract: string, r: ContractResponse): Uint8Array | undefined {
    return this.handleResponse(s, contract, r)
  }

  /**
   * wasmd's IBC messages of a contract (handler_plugin.go IBCRawPacketHandler, EncodeIBCMsg):
   * SendPacket on its own port (UnsupportedForContract, wasm 17, without one), Transfer of its own
   * coins through ICS-20 (the ibc call API `transfer`, sender = the contract), CloseChannel of a
   * channel on its own port.
   */
  private dispatchIbc(s: Scope, self: ExecContext, contract: string, body: unknown): Dispatched {
    const [op, b] = variant(body, "ibc")
    const o = object(b, `ibc.${op}`)
    if (op !== "send_packet" && op !== "transfer" && op !== "close_channel") {
      throw new UnknownMsg({ log: `unknown variant of IBC ${op.slice(0, 40)}: unknown message from the contract` })
    }
    if (!s.ctx.hasMachine("ibc")) throw new UnknownMsg({ log: "ibc messages are not supported on this chain: unknown message from the contract" })
    const ibc = ibcClient((c) => self.call(c))
    if (op === "transfer") {
      // wasmd EncodeIBCMsg: an ICS-20 MsgTransfer on port `transfer` whose sender is the contract
      const coin = coins([o.amount], "ibc.transfer.amount")[0]!
      const t = ibcTimeout(o.timeout, "ibc.transfer.timeout")
      const memo = o.memo === null || o.memo === undefined ? "" : string(o.memo, "ibc.transfer.memo")
      const { sequence } = ibc.transfer({
        sourceChannel: string(o.channel_id, "ibc.transfer.channel_id"), denom: coin.denom, amount: coin.amount, receiver: string(o.to_address, "ibc.transfer.to_address"),
        timeoutHeight: t.height, timeoutTimestamp: t.timestamp, memo
      })
      const value = MsgTransferResponse.encode({ sequence }).finish()
      return { data: value, responses: [{ typeUrl: "/ibc.applications.transfer.v1.MsgTransferResponse", value }] }
    }
    if (op === "close_channel") {
      // wasmd: MsgChannelCloseInit on PortIDForContract(sender)
      ibc.closeChannel({ sourcePort: contractPortId(contract), channelId: string(o.channel_id, "ibc.close_channel.channel_id") })
      return { data: undefined, responses: [{ typeUrl: "/ibc.core.channel.v1.MsgChannelCloseInitResponse", value: new Uint8Array() }] }
    }
    const info = readContract(s.ctx.store, this.raw(contract, "contract"))
    if (!info?.ibcPortId) throw new UnsupportedForContract({ log: "ibc not supported: unsupported for this contract" })
    const t = ibcTimeout(o.timeout, "ibc.send_packet.timeout")
    const { sequence } = ibc.sendPacket({
      sourcePort: info.ibcPortId, sourceChannel: string(o.channel_id, "ibc.send_packet.channel_id"), timeoutHeight: t.height, timeoutTimestamp: t.timestamp,
      data: binary(o.data, "ibc.send_packet.data")
    })
    const value = MsgIBCSendResponse.encode({ sequence }).finish()
    return { data: value, responses: [{ typeUrl: "/cosmwasm.wasm.v1.MsgIBCSendResponse", value }] }
  }

  /** IbcQuery (wasmd IBCQuerier): PortId, Channel and ListChannels (OPEN channels only, at most 1,000). */
  private queryIbc(q: QueryScope, caller: string, body: unknown): Uint8Array {
    const [op, b] = variant(body, "ibc")
    const o = object(b, `ibc.${op}`)
    const port = () => readContract(q.store, this.raw(caller, "contract"))?.ibcPortId ?? ""
    if (op === "port_id") return jsonBytes({ port_id: port() })
    if (op === "channel") {
      const portId = o.port_id === null || o.port_id === undefined ? port() : string(o.port_id, "ibc.channel.port_id")
      const channelId = string(o.channel_id, "ibc.channel.channel_id")
      const ch = ibcClient((c) => q.portAs(caller).query(c)).channel({ portId, channelId })
      return jsonBytes({ channel: ch.found && ch.state === "STATE_OPEN" ? ibcChannelJson(portId, channelId, ch) : null })
    }
    if (op === "list_channels") {
      const portId = o.port_id === null || o.port_id === undefined ? port() : string(o.port_id, "ibc.list_channels.port_id")
      // wasmd: a contract without a port lists no channels
      if (portId === "") return jsonBytes({ channels: [] })
      const { channels } = ibcClient((c) => q.portAs(caller).query(c)).listChannels({ portId })
      return jsonBytes({ channels: channels.map((ch) => ibcChannelJson(portId, ch.channelId, ch)) })
    }
    throw new UnsupportedQuery(`ibc.${op.slice(0, 40)}`)
  }

  // ---- response handling and submessages

  private handleResponse(s: Scope, contract: string, r: ContractResponse): Uint8Array | undefined {
    s.ctx.gas.consume(Number(eventCosts(r.attributes, r.events)), "Custom contract event attributes")
    for (const e of wasmModuleEvents(r.attributes, contract)) s.emit(e)
    for (const e of customEvents(r.events, contract)) s.emit(e)
    const replied = this.dispatchSubmessages(s, contract, r.messages)
    return replied ?? r.data
  }

  /** wasmd DispatchSubmessages: returns the last reply's data (undefined when no reply set one). */
  private dispatchSubmessages(s: Scope, contract: string, msgs: ReadonlyArray<SubMsg>): Uint8Array | undefined {
    let data: Uint8Array | undefined
    for (const sub of msgs) {
      if (s.depth + 1 > MAX_CALL_DEPTH) throw new MaxCallDepth({ log: `submessages nested deeper than ${MAX_CALL_DEPTH}: max call depth exceeded` })
      const gas = s.ctx.gas
      const before = gas.consumed()
      const limit = sub.gasLimit !== undefined && sub.gasLimit < BigInt(gas.remaining()) ? Number(sub.gasLimit) : undefined
      const events: Event[] = []
      let ok: Dispatched | undefined
      let error: unknown
      try {
        ok = this.branch(s.ctx, (ctx) => {
          const cap = limit === undefined ? s.gasCap : Math.min(before + limit, s.gasCap ?? Number.MAX_SAFE_INTEGER)
          const inner: Scope = {
            ctx, block: s.block, txIndex: s.txIndex, depth: s.depth + 1, ...(cap === undefined ? {} : { gasCap: cap }),
            emit: (e) => {
              events.push(e)
              ctx.emit(e)
            }
          }
          const out = this.dispatchMsg(inner, contract, sub.msg)
          if (limit !== undefined && gas.consumed() - before > limit) throw new OutOfGas({ log: "SubMsg hit gas limit: out of gas" })
          return out
        })
      } catch (e) {
        if (isNodeFault(e) || !isChainError(e)) throw e
        if (limit !== undefined && (e as { _tag: string })._tag === "OutOfGas") {
          // wasmd charges exactly the submessage's gas limit when it runs out (the VM's own
          // out-of-gas stop reports no usage: the limit covers it)
          const used = gas.consumed() - before
          if (used > limit) gas.refund(used - limit)
          else if (used < limit) gas.consume(limit - used, "Sub-Message OutOfGas")
          error = new OutOfGas({ log: "SubMsg hit gas limit: out of gas" })
        } else error = e
      }
      if (error !== undefined && (sub.replyOn === "success" || sub.replyOn === "never")) throw error
      if (sub.replyOn === "never" || (sub.replyOn === "error" && error === undefined)) continue
      const result = error === undefined
        ? { ok: subMsgResponse(ok!, "wasm" in sub.msg ? events : []) }
        : { error: redact(error) }
      const replied = this.reply(s, contract, sub.id, sub.payload, result)
      if (replied !== undefined) data = replied
    }
    return data
  }

  private branch<A>(ctx: ExecContext, f: (ctx: ExecContext) => A): A {
    if (!ctx.branch) throw new UnknownMsg({ log: "submessages need a branching context (ExecContext.branch): unknown message from the contract" })
    return ctx.branch(f)
  }

  /** keeper.reply: run the contract's `reply` with the submessage result. */
  private reply(s: Scope, contract: string, id: bigint, payload: Uint8Array, subResult: unknown): Uint8Array | undefined {
    const { raw, code } = this.instance(s.ctx.store, contract)
    // wasmvm Reply {id (u64 as a JSON number, exact), payload (omitted when empty), gas_used (wasmd leaves 0), result}
    const rest = JSON.stringify({ ...(payload.length > 0 ? { payload: toBase64(payload) } : {}), gas_used: 0, result: subResult }) // determinism-ok: objects built here in a fixed field order
    const bytes = new TextEncoder().encode(`{"id":${id.toString()},${rest.slice(1)}`)
    s.ctx.gas.consume(Number(INSTANCE_COST_DISCOUNT + replyEventCost(subResult)), "Loading CosmWasm module: reply")
    if (!this.analysis(s.ctx.rawStore ?? s.ctx.store, code.codeHash).entryPoints.includes("reply")) {
      throw new VmError({ log: "reply: Error calling the VM: Missing export reply: wasmvm error" })
    }
    const env = this.env(s.block, s.txIndex, contract)
    const result = this.call(s, raw, contract, code.codeHash, "reply", [env, bytes], false)
    if ("error" in result) throw new ExecuteFailed({ log: `reply: ${result.error}: execute wasm contract failed` })
    const response = parseResponse(result.ok)
    s.emit(event("reply", [["_contract_address", contract]]))
    return this.handleResponse(s, contract, response)
  }

  /** Execute one CosmosMsg of `contract` (wasmd DefaultMessageHandler + encoders). */
  private dispatchMsg(s: Scope, contract: string, msg: Record<string, unknown>): Dispatched {
    const [kind, body] = variant(msg, "msg")
    const self = s.ctx.actAs(contractPrincipal(contract))
    switch (kind) {
      case "bank": {
        const [op, b] = variant(body, "bank")
        const o = object(b, `bank.${op}`)
        const bank = bankClient((c) => self.call(c))
        if (op === "send") {
          const to = string(o.to_address, "bank.send.to_address")
          this.raw(to, "bank.send.to_address")
          const amount = coins(o.amount, "bank.send.amount")
          // wasmd EncodeBankMsg: a send of no coins encodes to no message at all
          if (amount.length === 0) return { data: undefined, responses: [] }
          bank.send({ from: contract, to, amount })
          return { data: undefined, responses: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse", value: new Uint8Array() }] }
        }
        if (op === "burn") {
          bank.burn({ address: contract, coins: coins(o.amount, "bank.burn.amount") })
          return { data: undefined, responses: [] }
        }
        throw new UnknownMsg({ log: `unknown variant bank.${op.slice(0, 40)}: unknown message from the contract` })
      }
      case "wasm": return this.dispatchWasm(s, self, contract, body)
      case "ibc": return this.dispatchIbc(s, self, contract, body)
      case "staking":
      case "distribution": {
        // a chain without the machine does not know these messages (as before it had them)
        if (!s.ctx.hasMachine(kind)) throw new UnknownMsg({ log: `${kind} messages are not supported on this chain: unknown message from the contract` })
        const port = (c: ChainCall) => self.call(c)
        return { data: undefined, responses: [kind === "staking" ? stakingMsg(port, contract, body) : distributionMsg(port, contract, body)] }
      }
      case "stargate":
      case "any": {
        const o = object(body, kind)
        return this.dispatchAny(s, self, contract, string(o.type_url, `${kind}.type_url`), binary(o.value, `${kind}.value`))
      }
      default:
        throw new UnknownMsg({ log: `${kind.slice(0, 40)} messages are not supported on this chain: unknown message from the contract` })
    }
  }

  private dispatchWasm(s: Scope, self: ExecContext, contract: string, body: unknown): Dispatched {
    const [op, b] = variant(body, "wasm")
    const o = object(b, `wasm.${op}`)
    const inner: Scope = { ...s, ctx: self }
    const resp = (typeUrl: string, value: Uint8Array): Dispatched => ({ data: value, responses: [{ typeUrl, value }] })
    switch (op) {
      case "execute": {
        const target = string(o.contract_addr, "wasm.execute.contract_addr")
        if (this.programs?.isProgram(s.ctx.rawStore ?? s.ctx.store, target)) {
          const value = this.programs.execute(s, contract, target, binary(o.msg, "wasm.execute.msg"), coins(o.funds, "wasm.execute.funds"))
          return { data: MsgExecuteContractResponse.decode(value).data, responses: [{ typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContractResponse", value }] }
        }
        const data = this.execute(inner, contract, string(o.contract_addr, "wasm.execute.contract_addr"), binary(o.msg, "wasm.execute.msg"), coins(o.funds, "wasm.execute.funds"))
        return resp("/cosmwasm.wasm.v1.MsgExecuteContractResponse", MsgExecuteContractResponse.encode({ data: data ?? new Uint8Array() }).finish())
      }
      case "instantiate":
      case "instantiate2": {
        const admin = o.admin === null || o.admin === undefined ? "" : string(o.admin, `wasm.${op}.admin`)
        const salt = op === "instantiate2" ? { salt: binary(o.salt, "wasm.instantiate2.salt"), fixMsg: false } : undefined
        const r = this.instantiate(inner, contract, admin, uint(o.code_id, `wasm.${op}.code_id`), binary(o.msg, `wasm.${op}.msg`), string(o.label, `wasm.${op}.label`),
          coins(o.funds, `wasm.${op}.funds`), salt)
        const value = (op === "instantiate" ? MsgInstantiateContractResponse : MsgInstantiateContract2Response).encode({ address: r.address, data: r.data ?? new Uint8Array() }).finish()
        return resp(`/cosmwasm.wasm.v1.${op === "instantiate" ? "MsgInstantiateContractResponse" : "MsgInstantiateContract2Response"}`, value)
      }
      case "migrate": {
        const data = this.migrate(inner, contract, string(o.contract_addr, "wasm.migrate.contract_addr"), uint(o.new_code_id, "wasm.migrate.new_code_id"), binary(o.msg, "wasm.migrate.msg"))
        return resp("/cosmwasm.wasm.v1.MsgMigrateContractResponse", MsgMigrateContractResponse.encode({ data: data ?? new Uint8Array() }).finish())
      }
      case "update_admin":
        this.setAdmin(inner, contract, string(o.contract_addr, "wasm.update_admin.contract_addr"), string(o.admin, "wasm.update_admin.admin"))
        return resp("/cosmwasm.wasm.v1.MsgUpdateAdminResponse", MsgUpdateAdminResponse.encode({}).finish())
      case "clear_admin":
        this.setAdmin(inner, contract, string(o.contract_addr, "wasm.clear_admin.contract_addr"), "")
        return resp("/cosmwasm.wasm.v1.MsgClearAdminResponse", MsgClearAdminResponse.encode({}).finish())
      default:
        throw new UnknownMsg({ log: `unknown variant wasm.${op.slice(0, 40)}: unknown message from the contract` })
    }
  }

  /**
   * `stargate` / `any`: only messages whose every signer is provably the contract itself: bank
   * MsgSend (from_address), staking MsgDelegate / MsgUndelegate / MsgBeginRedelegate and
   * distribution MsgSetWithdrawAddress / MsgWithdrawDelegatorReward (delegator_address),
   * MsgFundCommunityPool (depositor), wasm MsgExecuteContract (sender); anything else is refused
   * as wasmd refuses an unroutable message.
   */
  private dispatchAny(s: Scope, self: ExecContext, contract: string, typeUrl: string, value: Uint8Array): Dispatched {
    const decoded = decodeAnyMsg(typeUrl, value)
    if (!decoded) throw new UnknownMsg({ log: `can't route message ${typeUrl.slice(0, 100)}: unknown message from the contract` })
    if (decoded.signer !== contract) throw new Unauthorized({ log: "contract doesn't have permission: unauthorized" })
    return this.dispatchMsg(s, contract, decoded.msg)
  }

  // ---- VM calls

  private instance(store: KVStore, contract: string): { raw: Uint8Array; info: ContractInfo; code: CodeInfo } {
    const raw = this.raw(contract, "contract")
    const info = readContract(store, raw)
    if (!info) throw new NoSuchContract({ log: `no such contract: ${contract}` })
    const code = readCode(store, info.codeId)
    if (!code) throw new NoSuchCode({ log: `code id ${info.codeId}: no such code` })
    return { raw, info, code }
  }

  /** wasmd types.NewEnv: block (height, time in ns as a string, chain id), transaction index, contract. */
  env(block: BlockInfo, txIndex: bigint | undefined, contract: string): Uint8Array {
    return jsonBytes({
      block: { height: block.height, time: block.timeNanos.toString(), chain_id: block.chainId },
      ...(txIndex === undefined ? {} : { transaction: { index: Number(txIndex) } }),
      contract: { address: contract }
    })
  }

  /**
   * `migrate(env, msg)`, or cosmwasm 2.2's `migrate(env, msg, info)` with MigrateInfo {sender,
   * old_migrate_version: null} when the export takes three arguments (the VM refuses a wrong arity
   * before running anything, so the second try costs nothing extra).
   */
  private callMigrate(s: Scope, raw: Uint8Array, contract: string, checksum: Uint8Array, env: Uint8Array, msg: Uint8Array, sender: string, oldVersion: bigint | undefined): ContractResult {
    try {
      return this.call(s, raw, contract, checksum, "migrate", [env, msg], false)
    } catch (e) {
      if (!(e instanceof VmError) || !/migrate takes 3 arguments/.test(e.log)) throw e
      const info = new TextEncoder().encode(`{"sender":${JSON.stringify(sender)},"old_migrate_version":${oldVersion === undefined ? "null" : oldVersion.toString()}}`) // determinism-ok: a JSON string literal
      return this.call(s, raw, contract, checksum, "migrate", [env, msg, info], false)
    }
  }

  /** The code's `cw_migrate_version` (internal/MigrateVersion.ts), cached per checksum. */
  private migrateVersionOf(store: KVStore, checksum: Uint8Array): bigint | undefined {
    const key = toHex(checksum)
    if (!this.versions.has(key)) {
      const wasm = readWasm(store, checksum)
      if (this.versions.size > 4096) this.versions.clear()
      this.versions.set(key, wasm ? migrateVersion(wasm) : undefined)
    }
    return this.versions.get(key)
  }

  /** Run an entry point in a tx scope; charges the VM's gas to the tx meter. */
  private call(s: Scope, raw: Uint8Array, contract: string, checksum: Uint8Array, entry: EntryPoint, args: ReadonlyArray<Uint8Array>, readOnly: boolean): ContractResult {
    const store = s.ctx.store
    const rawStore = s.ctx.rawStore ?? store
    this.ensureLoaded(rawStore, checksum)
    const backend: VmBackend = {
      // the VM charges storage as the SDK's KVGasConfig itself: it gets the unmetered view
      storage: prefixStore(rawStore, WasmKeys.contractStore(raw), readOnly),
      bech32Prefix: this.prefix,
      query: (request, gasLimit) => this.queryChain({ store: rawStore, block: s.block, portAs: (c) => portOf(s.ctx.actAs(contractPrincipal(c))), depth: 0 }, request, gasLimit, contract)
    }
    const gas = s.ctx.gas
    const cap = gas.limit >= 2 ** 52 ? Math.min(s.gasCap ?? SIMULATION_GAS_CAP, SIMULATION_GAS_CAP) : s.gasCap
    const remaining = cap === undefined ? gas.remaining() : Math.max(0, Math.min(gas.remaining(), cap - gas.consumed()))
    let out: { result: Uint8Array; gasUsed: bigint }
    try {
      out = this.vmCall(checksum, entry, args, BigInt(remaining), readOnly, backend)
    } catch (e) {
      // a failed call still costs the gas it used (the VM reports it on the error)
      const used = (e as { gasUsed?: unknown }).gasUsed
      if (typeof used === "bigint" && used > 0n) gas.consume(Number(used), `wasm contract ${entry}`)
      // out of gas spent the whole budget the VM was given (wasmvm reports gas used = limit)
      else if (isChainError(e) && (e as { _tag: string })._tag === "OutOfGas") gas.consume(remaining, `wasm contract ${entry}: out of gas`)
      throw e
    }
    gas.consume(Number(out.gasUsed), `wasm contract ${entry}`)
    if (s.gasCap !== undefined && gas.consumed() > s.gasCap) throw new OutOfGas({ log: "SubMsg hit gas limit: out of gas" })
    return parseContractResult(out.result)
  }

  private vmCall(checksum: Uint8Array, entry: EntryPoint, args: ReadonlyArray<Uint8Array>, gasLimit: bigint, readOnly: boolean, backend: VmBackend) {
    try {
      return this.vm.call({ checksum, entry, args, gasLimit, readOnly }, backend)
    } catch (e) {
      if (isNodeFault(e) || (isChainError(e) && (e as { _tag: string })._tag === "OutOfGas")) throw e
      if (isChainError(e) && (e as { codespace: string }).codespace === "wasm") throw e
      const err = new VmError({ log: `${isChainError(e) ? (e as unknown as { log: string }).log : String(e)}: wasmvm error` })
      const used = (e as { gasUsed?: unknown }).gasUsed
      if (typeof used === "bigint") Object.defineProperty(err, "gasUsed", { value: used })
      throw err
    }
  }

  // ---- queries

  /**
   * Smart query: run `query` read-only with `gasLimit` (wasmd's smart query gas limit for gRPC).
   * Returns the contract's result bytes, or its error text, and the gas used (instance cost
   * included). Errors: NoSuchContract, NoSuchCode, VmError, OutOfGas.
   */
  querySmart(q: QueryScope, contract: string, msg: Uint8Array, gasLimit: bigint): { data: Uint8Array; error?: string; gasUsed: bigint } {
    const raw = this.raw(contract, "contract")
    const info = readContract(q.store, raw)
    if (!info) throw new NoSuchContract({ log: `no such contract: ${contract}` })
    const code = readCode(q.store, info.codeId)
    if (!code) throw new NoSuchCode({ log: `code id ${info.codeId}: no such code` })
    if (gasLimit < INSTANCE_COST) throw new OutOfGas({ log: "out of gas in location: Loading CosmWasm module: query: out of gas" })
    this.ensureLoaded(q.store, code.codeHash)
    const backend: VmBackend = {
      storage: prefixStore(q.store, WasmKeys.contractStore(raw), true),
      bech32Prefix: this.prefix,
      query: (request, limit) => this.queryChain(q, request, limit, contract)
    }
    const out = this.vmCall(code.codeHash, "query", [this.env(q.block, undefined, contract), msg], gasLimit - INSTANCE_COST, true, backend)
    const result = parseContractResult(out.result)
    const gasUsed = out.gasUsed + INSTANCE_COST
    if ("error" in result) return { data: new Uint8Array(), error: result.error, gasUsed }
    return { data: binary(result.ok, "query result"), gasUsed }
  }

  /** Raw query: the value under `key` in the contract's storage (undefined when absent). */
  queryRaw(store: KVStore, contract: string, key: Uint8Array): Uint8Array | undefined {
    return store.get(new Uint8Array([...WasmKeys.contractStore(this.raw(contract, "contract")), ...key]))
  }

  /**
   * A contract's `query_chain`: the QueryRequest JSON to the `SystemResult<ContractResult<Binary>>`
   * JSON bytes (wasmd query_plugins.go): bank, wasm, staking, distribution, and gRPC / Stargate
   * for the accept list (ChainQueries.ts). Unsupported kinds are SystemError `unsupported_request`.
   */
  queryChain(q: QueryScope, request: Uint8Array, gasLimit: bigint, caller: string): { result: Uint8Array; gasUsed: bigint } {
    const ok = (b: Uint8Array, gasUsed = 0n) => ({ result: jsonBytes({ ok: { ok: toBase64(b) } }), gasUsed })
    const contractErr = (msg: string, gasUsed = 0n) => ({ result: jsonBytes({ ok: { error: msg } }), gasUsed })
    const system = (err: unknown) => ({ result: jsonBytes({ error: err }), gasUsed: 0n })
    let req: unknown
    try {
      req = parseJson(request, "query request")
    } catch {
      return system({ invalid_request: { error: "failed to parse the query request", request: toBase64(request) } })
    }
    let kind: string
    let body: unknown
    try {
      [kind, body] = variant(req, "query request")
    } catch {
      return system({ invalid_request: { error: "expected exactly one query kind", request: toBase64(request) } })
    }
    try {
      switch (kind) {
        case "bank": return ok(this.queryBank(q, caller, body))
        case "wasm": {
          const [op, b] = variant(body, "wasm")
          const o = object(b, `wasm.${op}`)
          const addr = op === "code_info" ? "" : string(o.contract_addr, `wasm.${op}.contract_addr`)
          if (op === "smart") {
            if (q.depth + 1 > MAX_QUERY_DEPTH) return contractErr("max query stack size exceeded")
            const rawAddr = this.raw(addr, "contract_addr")
            if (!readContract(q.store, rawAddr)) return system({ no_such_contract: { addr } })
            const r = this.querySmart({ ...q, depth: q.depth + 1 }, addr, binary(o.msg, "wasm.smart.msg"), gasLimit)
            return r.error === undefined ? ok(r.data, r.gasUsed) : contractErr(r.error, r.gasUsed)
          }
          if (op === "raw") {
            const rawAddr = this.raw(addr, "contract_addr")
            if (!readContract(q.store, rawAddr)) return system({ no_such_contract: { addr } })
            return ok(this.queryRaw(q.store, addr, binary(o.key, "wasm.raw.key")) ?? new Uint8Array())
          }
          if (op === "contract_info") {
            const info = readContract(q.store, this.raw(addr, "contract_addr"))
            if (!info) return system({ no_such_contract: { addr } })
            return ok(jsonBytes({ code_id: Number(info.codeId), creator: info.creator, admin: info.admin || null, pinned: isPinned(q.store, info.codeId), ibc_port: info.ibcPortId || null }))
          }
          if (op === "code_info") {
            const codeId = uint(o.code_id, "wasm.code_info.code_id")
            const code = readCode(q.store, codeId)
            if (!code) return system({ no_such_code: { code_id: Number(codeId) } })
            return ok(jsonBytes({ code_id: Number(codeId), creator: code.creator, checksum: toHex(code.codeHash) }))
          }
          return system({ unsupported_request: { kind: `wasm.${op.slice(0, 40)}` } })
        }
        case "ibc": return ok(this.queryIbc(q, caller, body))
        case "staking": return ok(stakingQuery((c) => q.portAs(caller).query(c), body))
        case "distribution": return ok(distributionQuery((c) => q.portAs(caller).query(c), body))
        case "grpc":
        case "stargate": return ok(grpcQuery((c) => q.portAs(caller).query(c), kind, body))
        default:
          return system({ unsupported_request: { kind: kind.slice(0, 40) } })
      }
    } catch (e) {
      if (e instanceof UnsupportedQuery) return system({ unsupported_request: { kind: e.kind } })
      // a chain without the staking / distribution machine answers as wasmvm without the querier
      const missing = unknownMachine(e)
      if (missing !== undefined && (kind === missing || kind === "grpc" || kind === "stargate")) return system({ unsupported_request: { kind: kind === missing ? kind : missing } })
      if (isNodeFault(e) || !isChainError(e)) throw e
      if ((e as { _tag: string })._tag === "OutOfGas") throw e
      // the other machines' errors reach the contract redacted to codespace and code, as wasmd's
      // QueryHandler redacts them (their texts are not consensus)
      if (kind === "staking" || kind === "distribution" || kind === "grpc" || kind === "stargate" || kind === "ibc") return contractErr(redact(e))
      return contractErr((e as unknown as { log: string }).log)
    }
  }

  private queryBank(q: QueryScope, caller: string, body: unknown): Uint8Array {
    const [op, b] = variant(body, "bank")
    const o = object(b, `bank.${op}`)
    const bank = bankClient((c) => q.portAs(caller).query(c))
    switch (op) {
      case "balance": {
        const denom = string(o.denom, "bank.balance.denom")
        const r = bank.balance({ address: string(o.address, "bank.balance.address"), denom })
        return jsonBytes({ amount: { denom, amount: r.balance?.amount ?? "0" } })
      }
      case "all_balances": {
        const r = bank.balances({ address: string(o.address, "bank.all_balances.address") })
        return jsonBytes({ amount: r.balances.map((c) => ({ denom: c.denom, amount: c.amount })) })
      }
      case "supply": {
        const denom = string(o.denom, "bank.supply.denom")
        const r = bank.supply({ denom })
        return jsonBytes({ amount: { denom, amount: r.amount?.amount ?? "0" } })
      }
      default:
        throw new UnsupportedQuery(`bank.${op}`)
    }
  }

  // ---- funds

  /**
   * Move `funds` from `from` to `to` through the bank's call API as the context's principal:
   * `machine:cyberwasm` for a tx signer (`bank.send {from: signer}`), `contract:<from>` for a
   * contract's submessage (`bank.send {from: self}`).
   */
  private transfer(ctx: ExecContext, from: string, to: string, funds: ReadonlyArray<Coin>): void {
    if (funds.length === 0) return
    bankClient((c) => ctx.call(c)).send({ from, to, amount: funds.map((c) => ({ denom: c.denom, amount: c.amount })) })
  }
}

const portOf = (ctx: ExecContext): BankPort => ({ call: (c) => ctx.call(c), query: (c) => ctx.query(c) })

/** wasmd redactError: a submessage's error as the reply sees it (codespace and code only). */
const redact = (e: unknown): string => {
  const c = e as { codespace?: string; code?: number }
  return `codespace: ${c.codespace ?? "undefined"}, code: ${c.code ?? 1}`
}

const subMsgResponse = (d: Dispatched, events: ReadonlyArray<Event>) => ({
  events: events.filter((e) => e.type !== "message").map((e) => ({
    type: e.type,
    attributes: [...e.attributes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((a) => ({ key: a.key, value: a.value }))
  })),
  ...(d.data && d.data.length > 0 ? { data: toBase64(d.data) } : {}),
  msg_responses: d.responses.map((r) => ({ type_url: r.typeUrl, value: toBase64(r.value) }))
})

const utf8 = (s: string) => BigInt(Buffer.byteLength(s, "utf8"))
/** The data and event part of wasmd ReplyCosts (the instance part is the discount). */
const replyEventCost = (result: unknown): bigint => {
  const r = result as { ok?: { events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }> }; error?: string }
  if (r.error !== undefined) return 0n
  let gas = 0n
  const attrs: Array<{ key: string; value: string }> = []
  for (const e of r.ok!.events) {
    gas += utf8(e.type)
    attrs.push(...e.attributes)
  }
  return gas + eventCosts(attrs, [])
}

/** wasmd AccessConfig.Allowed. */
const allowed = (permission: AccessType, addresses: ReadonlyArray<string>, actor: string): boolean =>
  permission === AccessType.ACCESS_TYPE_EVERYBODY || (permission === AccessType.ACCESS_TYPE_ANY_OF_ADDRESSES && addresses.includes(actor))

/** The instantiate config a code gets without an explicit one (wasmd AccessType.With(creator)). */
const defaultAccess = (p: AccessType, creator: string) =>
  p === AccessType.ACCESS_TYPE_ANY_OF_ADDRESSES ? { permission: p, addresses: [creator] } : { permission: p, addresses: [] as string[] }

const validateAccess = (c: { permission: AccessType; addresses: string[] }, check: (a: string) => void): void => {
  if (c.permission === AccessType.ACCESS_TYPE_ANY_OF_ADDRESSES) {
    if (c.addresses.length === 0) throw new Empty({ log: "addresses: empty" })
    if (c.addresses.length > 50) throw new InvalidRequest({ log: "total number of addresses is greater than 50" })
    if (new Set(c.addresses).size !== c.addresses.length) throw new Duplicate({ log: "addresses: duplicate" })
    c.addresses.forEach(check)
  } else if (c.permission === AccessType.ACCESS_TYPE_EVERYBODY || c.permission === AccessType.ACCESS_TYPE_NOBODY) {
    if (c.addresses.length > 0) throw new Invalid({ log: "addresses must be empty for this permission: invalid" })
  } else throw new Invalid({ log: `unknown access type ${c.permission}: invalid` })
}

/** wasmd: the requested instantiate config must not be wider than the chain's default. */
const isSubset = (c: { permission: AccessType; addresses: string[] }, chainDefault: AccessType, creator: string): boolean => {
  if (chainDefault === AccessType.ACCESS_TYPE_EVERYBODY) return true
  if (chainDefault === AccessType.ACCESS_TYPE_NOBODY) return c.permission === AccessType.ACCESS_TYPE_NOBODY
  return c.permission === AccessType.ACCESS_TYPE_NOBODY || (c.permission === AccessType.ACCESS_TYPE_ANY_OF_ADDRESSES && c.addresses.every((a) => a === creator))
}

/**
 * Decode a stargate/any message this layer can run with its signer: bank MsgSend, the staking and
 * distribution messages a contract can send as CosmosMsgs, and wasm MsgExecuteContract. Returns
 * the equivalent CosmosMsg JSON and the message's signer, or undefined.
 */
const decodeAnyMsg = (typeUrl: string, value: Uint8Array): { msg: Record<string, unknown>; signer: string } | undefined => {
  const plainCoins = (cs: ReadonlyArray<{ denom: string; amount: string }>) => cs.map((c) => ({ denom: c.denom, amount: c.amount }))
  try {
    switch (typeUrl) {
      case "/cosmos.bank.v1beta1.MsgSend": {
        const m = MsgSend.decode(value)
        return { signer: m.fromAddress, msg: { bank: { send: { to_address: m.toAddress, amount: plainCoins(m.amount) } } } }
      }
      case "/cosmos.staking.v1beta1.MsgDelegate": {
        const m = MsgDelegate.decode(value)
        return { signer: m.delegatorAddress, msg: { staking: { delegate: { validator: m.validatorAddress, amount: m.amount ?? null } } } }
      }
      case "/cosmos.staking.v1beta1.MsgUndelegate": {
        const m = MsgUndelegate.decode(value)
        return { signer: m.delegatorAddress, msg: { staking: { undelegate: { validator: m.validatorAddress, amount: m.amount ?? null } } } }
      }
      case "/cosmos.staking.v1beta1.MsgBeginRedelegate": {
        const m = MsgBeginRedelegate.decode(value)
        return { signer: m.delegatorAddress, msg: { staking: { redelegate: { src_validator: m.validatorSrcAddress, dst_validator: m.validatorDstAddress, amount: m.amount ?? null } } } }
      }
      case "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress": {
        const m = MsgSetWithdrawAddress.decode(value)
        return { signer: m.delegatorAddress, msg: { distribution: { set_withdraw_address: { address: m.withdrawAddress } } } }
      }
      case "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward": {
        const m = MsgWithdrawDelegatorReward.decode(value)
        return { signer: m.delegatorAddress, msg: { distribution: { withdraw_delegator_reward: { validator: m.validatorAddress } } } }
      }
      case "/cosmos.distribution.v1beta1.MsgFundCommunityPool": {
        const m = MsgFundCommunityPool.decode(value)
        return { signer: m.depositor, msg: { distribution: { fund_community_pool: { amount: plainCoins(m.amount) } } } }
      }
      case "/cosmwasm.wasm.v1.MsgExecuteContract": {
        const m = MsgExecuteContract.decode(value)
        return { signer: m.sender, msg: { wasm: { execute: { contract_addr: m.contract, msg: toBase64(m.msg), funds: plainCoins(m.funds) } } } }
      }
      default:
        return undefined
    }
  } catch (e) {
    throw new InvalidMsg({ log: `cannot decode ${typeUrl}: ${(e as Error).message}` })
  }
}
