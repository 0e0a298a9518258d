/**
 * The bank machine: balances, total supply, MsgSend / MsgMultiSend, denom metadata, and the
 * call API other machines use: the WIT interface wit/chain/bank.wit (send, balance, balances,
 * supply, mint, burn), generated into chain/generated/bank.ts (`bankClient` for callers).
 *
 * Messages: `/cosmos.bank.v1beta1.MsgSend`, `/cosmos.bank.v1beta1.MsgMultiSend` (exactly one
 * input, as SDK 0.47+), `/cosmos.bank.v1beta1.MsgUpdateParams` (governance only: authority = the gov
 * module account; deviation: per-denom `send_enabled` entries in params are accepted and honored,
 * SDK 0.47+ moved them to MsgSetSendEnabled). Queries: `/cosmos.bank.v1beta1.Query/{Balance, AllBalances,
 * SpendableBalances, SpendableBalanceByDenom, TotalSupply, SupplyOf, Params, DenomMetadata,
 * DenomMetadataByQueryString (SDK 0.50+), DenomsMetadata}`; genesis `denom_metadata` is checked as
 * the SDK's Metadata.Validate (DenomMetadata.ts). State layout: internal/Balances.ts. Docs: docs/machines/auth-bank.md.
 *
 * Source: cosmos-sdk x/bank (keeper/msg_server.go, keeper/send.go, keeper/grpc_query.go,
 * keeper/genesis.go, types/msgs.go).
 */
import type { Grant } from "../../chain/Capabilities.ts"
import { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank"
import {
  QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse,
  QueryDenomMetadataByQueryStringRequest, QueryDenomMetadataByQueryStringResponse, QueryDenomMetadataRequest, QueryDenomMetadataResponse, QueryDenomsMetadataRequest, QueryDenomsMetadataResponse,
  QueryParamsResponse, QuerySpendableBalanceByDenomRequest, QuerySpendableBalanceByDenomResponse,
  QuerySpendableBalancesRequest, QuerySpendableBalancesResponse, QuerySupplyOfRequest, QuerySupplyOfResponse,
  QueryTotalSupplyRequest, QueryTotalSupplyResponse
} from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgMultiSend, MsgMultiSendResponse, MsgSend, MsgSendResponse, MsgUpdateParams, MsgUpdateParamsResponse } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { InvalidAddress, InvalidCoins, InvalidRequest, NotFound, TxDecodeError, Unauthorized, UnknownRequest } from "../../chain/ChainError.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import { bytesEqual, canonicalAddress, formatAddress, moduleAddress, parseAddress } from "../auth/Address.ts"
import { bankConfig, type BankConfig } from "./BankConfig.ts"
import { bankDispatcher, bankInterface } from "../../chain/generated/bank.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import { moduleAccountBytes, parsePrincipal, selfAddress } from "../../chain/Principal.ts"
import { quoted } from "./DenomMetadata.ts"
import { InputOutputMismatch, MultipleSenders, NoInputs, NoOutputs, SendDisabled } from "./BankError.ts"
import { addCoins as sumCoins, coinsEqual, coinsString, isValidDenom, validCoins, type Coin } from "./Coin.ts"
import {
  balancesPrefix, getBalance, getParams, getSupply, METADATA_PREFIX, metadataKey, readAmount, denomOf, setParams, SUPPLY_PREFIX
} from "./internal/Balances.ts"
import { importBankGenesis, exportBankGenesis } from "./internal/Genesis.ts"
import { burnCoins, inputOutputCoins, mintCoins, sendCoins, type Addr } from "./internal/Ledger.ts"
import { paginate } from "./Pagination.ts"

/** Message type URLs. */
export const MSG_SEND_URL = "/cosmos.bank.v1beta1.MsgSend"
export const MSG_MULTI_SEND_URL = "/cosmos.bank.v1beta1.MsgMultiSend"
/** Governance's params message. */
export const MSG_UPDATE_PARAMS_URL = "/cosmos.bank.v1beta1.MsgUpdateParams"
const QUERY = "/cosmos.bank.v1beta1.Query/"

const decodeMsg = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `invalid ${what}: ${(e as Error).message}: tx parse error` })
  }
}

/**
 * MsgSend decoded once per message object: `signers` (asked before the ante step) and `handle`
 * read the same tx's Any, and a decoded tx is shared from CheckTx to FinalizeBlock. Only
 * successful decodes are kept; the decoded message is never mutated.
 */
const sends = new WeakMap<Any, MsgSend>()
const decodeSend = (msg: Any): MsgSend => {
  let m = sends.get(msg)
  if (!m) sends.set(msg, (m = decodeMsg("MsgSend", () => MsgSend.decode(msg.value))))
  return m
}

/** The bank machine. `new BankMachine(config)`; config fields default as BankConfig says. */
export class BankMachine implements Machine {
  readonly name: string = "bank"
  readonly version: string = "0.1.0"
  /** Creating the account of a first-time recipient (`auth.ensure-account`). */
  readonly grants: ReadonlyArray<Grant> = [
    { principal: "machine:bank", capability: { interface: "auth", method: "ensure-account", constraints: [] } }
  ]
  readonly msgTypeUrls: ReadonlyArray<string> = [MSG_SEND_URL, MSG_MULTI_SEND_URL, MSG_UPDATE_PARAMS_URL]
  readonly queryPrefixes: ReadonlyArray<string> = [QUERY]
  /** The call API: wit/chain/bank.wit. */
  readonly interface: InterfaceSpec = bankInterface
  readonly config: BankConfig
  private readonly blocked: ReadonlyArray<Uint8Array>

  constructor(config: Partial<BankConfig> = {}) {
    this.config = bankConfig(config)
    this.blocked = this.config.blockedModuleAccounts.map(moduleAddress)
  }

  private addr(address: string, what?: string): Addr {
    const bytes = parseAddress(address, this.config.bech32Prefix, what)
    return { bytes, bech32: canonicalAddress(address, this.config.bech32Prefix, what) }
  }

  /** Signers: MsgSend.from_address; MsgMultiSend input addresses. InvalidAddress / NoInputs / UnknownRequest. */
  signers(msg: Any): ReadonlyArray<string> {
    const prefix = this.config.bech32Prefix
    if (msg.typeUrl === MSG_SEND_URL) {
      const m = decodeSend(msg)
      return [canonicalAddress(m.fromAddress, prefix, "invalid from address")]
    }
    if (msg.typeUrl === MSG_MULTI_SEND_URL) {
      const m = decodeMsg("MsgMultiSend", () => MsgMultiSend.decode(msg.value))
      if (m.inputs.length === 0) throw new NoInputs({ log: "no inputs to send transaction" })
      return m.inputs.map((i) => canonicalAddress(i.address, prefix, "invalid input address"))
    }
    if (msg.typeUrl === MSG_UPDATE_PARAMS_URL) {
      const m = decodeMsg("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value))
      return [canonicalAddress(m.authority, prefix, "invalid authority address")]
    }
    throw new UnknownRequest({ log: `unrecognized bank message type: ${msg.typeUrl}: unknown request` })
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    if (msg.typeUrl === MSG_SEND_URL) return this.send(ctx, decodeSend(msg))
    if (msg.typeUrl === MSG_MULTI_SEND_URL) return this.multiSend(ctx, decodeMsg("MsgMultiSend", () => MsgMultiSend.decode(msg.value)))
    if (msg.typeUrl === MSG_UPDATE_PARAMS_URL) return this.updateParams(ctx, decodeMsg("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value)))
    throw new UnknownRequest({ log: `unrecognized bank message type: ${msg.typeUrl}: unknown request` })
  }

  /** The governance module account (bech32): the only authority of MsgUpdateParams. */
  get authority(): string {
    return formatAddress(moduleAccountBytes("gov"), this.config.bech32Prefix)
  }

  /**
   * MsgUpdateParams (SDK keeper/msg_server.go UpdateParams): authority must be the gov module
   * account (Unauthorized naming the expected one); params replace the stored ones whole (absent
   * params are the zero Params, as the SDK decodes a non-nullable field). Each send_enabled denom
   * must be valid and appear once (InvalidRequest). Takes effect for the next message.
   */
  private updateParams(ctx: MsgContext, m: MsgUpdateParams): MsgResult {
    if (m.authority !== this.authority) {
      throw new Unauthorized({ log: `invalid authority; expected ${this.authority}, got ${m.authority}: expected gov account as only signer for proposal message` })
    }
    const p = m.params ?? { sendEnabled: [], defaultSendEnabled: false }
    const seen = new Set<string>()
    for (const s of p.sendEnabled) {
      if (!isValidDenom(s.denom)) throw new InvalidRequest({ log: `invalid send_enabled denom "${s.denom.slice(0, 128)}": invalid request` })
      if (seen.has(s.denom)) throw new InvalidRequest({ log: `duplicate send enabled parameter found: '${s.denom}': invalid request` })
      seen.add(s.denom)
    }
    setParams(ctx.store, { sendEnabled: p.sendEnabled.map((s) => ({ denom: s.denom, enabled: s.enabled })), defaultSendEnabled: p.defaultSendEnabled })
    ctx.emit({ type: "update_params", attributes: [{ key: "module", value: "bank", index: true }] })
    return { typeUrl: "/cosmos.bank.v1beta1.MsgUpdateParamsResponse", value: MsgUpdateParamsResponse.encode({}).finish() }
  }

  private checkSendEnabled(ctx: ExecContext, coins: ReadonlyArray<Coin>): void {
    const p = getParams(ctx.store)
    for (const c of coins) {
      const rule = p.sendEnabled.find((s) => s.denom === c.denom)
      if (!(rule ? rule.enabled : p.defaultSendEnabled)) throw new SendDisabled({ log: `${c.denom} transfers are currently disabled` })
    }
  }

  private checkNotBlocked(to: Addr): void {
    if (this.blocked.some((b) => bytesEqual(b, to.bytes))) throw new Unauthorized({ log: `${to.bech32} is not allowed to receive funds: unauthorized` })
  }

  private send(ctx: ExecContext, m: MsgSend): MsgResult {
    const from = this.addr(m.fromAddress, "invalid from address")
    const to = this.addr(m.toAddress, "invalid to address")
    const coins = validCoins(m.amount, false)
    this.checkSendEnabled(ctx, coins)
    this.checkNotBlocked(to)
    sendCoins(ctx, this.config, from, to, coins)
    return { typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse", value: MsgSendResponse.encode({}).finish() }
  }

  private multiSend(ctx: ExecContext, m: MsgMultiSend): MsgResult {
    if (m.inputs.length === 0) throw new NoInputs({ log: "no inputs to send transaction" })
    if (m.inputs.length !== 1) throw new MultipleSenders({ log: "multiple senders not allowed" })
    if (m.outputs.length === 0) throw new NoOutputs({ log: "no outputs to send transaction" })
    const input = m.inputs[0]!
    const from = this.addr(input.address, "invalid input address")
    const inCoins = validCoins(input.coins, false)
    const outputs = m.outputs.map((o) => [this.addr(o.address, "invalid output address"), validCoins(o.coins, false)] as const)
    const outSum = outputs.reduce<Coin[]>((acc, [, c]) => sumCoins(acc, c), [])
    if (!coinsEqual(inCoins, outSum)) {
      throw new InputOutputMismatch({ log: `sum inputs != sum outputs: ${coinsString(inCoins)} != ${coinsString(outSum)}` })
    }
    this.checkSendEnabled(ctx, inCoins)
    for (const [to] of outputs) this.checkNotBlocked(to)
    inputOutputCoins(ctx, this.config, from, inCoins, outputs)
    return { typeUrl: "/cosmos.bank.v1beta1.MsgMultiSendResponse", value: MsgMultiSendResponse.encode({}).finish() }
  }

  /**
   * The call API (wit/chain/bank.wit), decoded by the generated dispatcher. The executor has
   * already checked the calling principal's capability and its constraints (e.g. `bank.send
   * {from: signer}` for auth's fee debit, `bank.mint {coins[].denom: prefix "ibc/"}`): mint and
   * burn have no allowlist of their own. The minter / burner named in the events is the calling
   * principal's own address (module account of `machine:<name>`, a program's address).
   */
  readonly onCall = bankDispatcher({
    send: (ctx, _caller, req) => {
      sendCoins(ctx, this.config, this.addr(req.from, "invalid from address"), this.addr(req.to, "invalid to address"), validCoins(req.amount, false))
      return {}
    },
    balance: (ctx, _caller, req) => this.balance(ctx, { address: req.address, denom: req.denom }),
    balances: (ctx, _caller, req) => ({ balances: this.allBalances(ctx, { address: req.address, resolveDenom: false }).balances }),
    supply: (ctx, _caller, req) => ({ amount: this.supplyOf(ctx, { denom: req.denom }).amount! }),
    mint: (ctx, caller, req) => {
      mintCoins(ctx, this.config, this.principalAddress(caller), this.addr(req.address, "invalid mint recipient"), validCoins(req.coins, false))
      return {}
    },
    burn: (ctx, caller, req) => {
      burnCoins(ctx, this.principalAddress(caller), this.addr(req.address, "invalid burn address"), validCoins(req.coins, false))
      return {}
    }
  })

  /** The bech32 address a principal acts through (chain/Principal.ts selfAddress). */
  private principalAddress(caller: string): string {
    return selfAddress(parsePrincipal(caller), this.config.bech32Prefix)
  }

  private balance(ctx: { store: QueryContext["store"] }, r: QueryBalanceRequest): QueryBalanceResponse {
    const addr = this.queryAddr(r.address)
    if (!isValidDenom(r.denom)) throw new InvalidCoins({ log: `invalid denom ${r.denom}: invalid coins` })
    return { balance: { denom: r.denom, amount: getBalance(ctx.store, addr, r.denom).toString() } }
  }

  private allBalances(ctx: { store: QueryContext["store"] }, r: QueryAllBalancesRequest): QueryAllBalancesResponse {
    const addr = this.queryAddr(r.address)
    const prefix = balancesPrefix(addr)
    const { items, page } = paginate(ctx.store, prefix, r.pagination, ([k, v]) => ({
      denom: new TextDecoder().decode(k.subarray(prefix.length)),
      amount: readAmount(v).toString()
    }))
    return { balances: items, pagination: page }
  }

  private supplyOf(ctx: { store: QueryContext["store"] }, r: QuerySupplyOfRequest): QuerySupplyOfResponse {
    if (!isValidDenom(r.denom)) throw new InvalidCoins({ log: `invalid denom ${r.denom}: invalid coins` })
    return { amount: { denom: r.denom, amount: getSupply(ctx.store, r.denom).toString() } }
  }

  private queryAddr(address: string): Uint8Array {
    if (address === "") throw new InvalidAddress({ log: "empty address string is not allowed: invalid address" })
    return parseAddress(address, this.config.bech32Prefix, `invalid address ${address}`)
  }

  /**
   * The metadata stored for base denom `denom` (SDK keeper/grpc_query.go DenomMetadata and
   * DenomMetadataByQueryString: the same lookup, the denom in the path or in the query string).
   * InvalidRequest for an empty or malformed denom; NotFound when none is stored.
   */
  private denomMetadata(ctx: { store: QueryContext["store"] }, denom: string): Metadata {
    if (denom === "") throw new InvalidRequest({ log: "invalid denom: invalid request" })
    if (!isValidDenom(denom)) throw new InvalidRequest({ log: `invalid denom: ${quoted(denom)}: invalid request` })
    const raw = ctx.store.get(metadataKey(denom))
    if (!raw) throw new NotFound({ log: `client metadata for denom ${denom}` })
    return Metadata.decode(raw)
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    switch (path.slice(QUERY.length)) {
      case "Balance":
        return QueryBalanceResponse.encode(this.balance(ctx, QueryBalanceRequest.decode(data))).finish()
      case "AllBalances":
        return QueryAllBalancesResponse.encode(this.allBalances(ctx, QueryAllBalancesRequest.decode(data))).finish()
      case "SpendableBalances": {
        const r = QuerySpendableBalancesRequest.decode(data)
        const all = this.allBalances(ctx, { address: r.address, pagination: r.pagination, resolveDenom: false })
        return QuerySpendableBalancesResponse.encode({ balances: all.balances, pagination: all.pagination }).finish()
      }
      case "SpendableBalanceByDenom": {
        const r = QuerySpendableBalanceByDenomRequest.decode(data)
        return QuerySpendableBalanceByDenomResponse.encode(this.balance(ctx, r)).finish()
      }
      case "TotalSupply": {
        const r = QueryTotalSupplyRequest.decode(data)
        const { items, page } = paginate(ctx.store, Uint8Array.of(SUPPLY_PREFIX), r.pagination, ([k, v]) => ({ denom: denomOf(k), amount: readAmount(v).toString() }))
        return QueryTotalSupplyResponse.encode({ supply: items, pagination: page }).finish()
      }
      case "SupplyOf":
        return QuerySupplyOfResponse.encode(this.supplyOf(ctx, QuerySupplyOfRequest.decode(data))).finish()
      case "Params":
        return QueryParamsResponse.encode({ params: getParams(ctx.store) }).finish()
      case "DenomMetadata":
        return QueryDenomMetadataResponse.encode({ metadata: this.denomMetadata(ctx, QueryDenomMetadataRequest.decode(data).denom) }).finish()
      case "DenomMetadataByQueryString":
        return QueryDenomMetadataByQueryStringResponse.encode({ metadata: this.denomMetadata(ctx, QueryDenomMetadataByQueryStringRequest.decode(data).denom) }).finish()
      case "DenomsMetadata": {
        const r = QueryDenomsMetadataRequest.decode(data)
        const { items, page } = paginate(ctx.store, Uint8Array.of(METADATA_PREFIX), r.pagination, ([, v]) => Metadata.decode(v))
        return QueryDenomsMetadataResponse.encode({ metadatas: items, pagination: page }).finish()
      }
      default:
        throw new UnknownRequest({ log: `unknown query path ${path}` })
    }
  }

  /** Genesis: SDK x/bank GenesisState JSON (see internal/Genesis.ts). */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    importBankGenesis(ctx, genesis, this.config)
  }

  exportGenesis(ctx: QueryContext): unknown {
    return exportBankGenesis(ctx.store, this.config)
  }
}
