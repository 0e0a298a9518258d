/**
 * The auth machine: accounts (numbers, sequences, public keys), module accounts, the auth
 * params, and the transaction pipeline (decode + ante) the multiplexer runs before messages.
 * It implements both `Machine` (chain/Machine.ts) and `TxPipeline` (chain/TxPipeline.ts):
 *
 *   const auth = new AuthMachine({ bech32Prefix: "cyber", minGasPrices: "0.01boot" })
 *   new Application({ machines: [auth, bank, ...], pipeline: auth, ... })
 *
 * Call API: the WIT interface wit/chain/auth.wit (chain/generated/auth.ts): "ensure-account"
 * ({address: bech32} -> {created}) — bank calls it on first receipt; "account"
 * (QueryAccountRequest -> QueryAccountResponse, read-only). Queries: `/cosmos.auth.v1beta1.Query/{Account,
 * Accounts, AccountInfo, Params, ModuleAccounts, ModuleAccountByName, Bech32Prefix,
 * AddressBytesToString, AddressStringToBytes}`. Handles no transaction messages (MsgUpdateParams is not built).
 *
 * Source: cosmos-sdk x/auth (keeper/grpc_query.go: "account %s not found" NotFound,
 * keeper/genesis.go, ante/), x/auth/tx/decoder.go.
 */
import type { Grant } from "../../chain/Capabilities.ts"
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import {
  AddressBytesToStringRequest, AddressBytesToStringResponse, AddressStringToBytesRequest, AddressStringToBytesResponse,
  Bech32PrefixResponse, QueryAccountsRequest, QueryAccountsResponse, QueryModuleAccountsResponse, QueryAccountInfoRequest, QueryAccountInfoResponse, QueryAccountRequest, QueryAccountResponse,
  QueryModuleAccountByNameRequest, QueryModuleAccountByNameResponse, QueryParamsResponse
} from "cosmjs-types/cosmos/auth/v1beta1/query"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { InvalidRequest, NotFound, UnknownRequest } from "../../chain/ChainError.ts"
import { authDispatcher, authInterface } from "../../chain/generated/auth.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import type { SignatureCheck, TxMode, TxPipeline } from "../../chain/TxPipeline.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { parseDecCoins } from "../bank/Coin.ts"
import { Any as AnyCodec } from "cosmjs-types/google/protobuf/any"
import { paginate } from "../bank/Pagination.ts"
import { ACCOUNT_PREFIX, accountFromAny, accountToAny, ensureAccount, getAccount, getParams } from "./Accounts.ts"
import { formatAddress, moduleAddress, parseAddress } from "./Address.ts"
import { ante, txSigners, type AnteOptions } from "./Ante.ts"
import { authConfig, FEE_COLLECTOR, type AuthConfig } from "./AuthConfig.ts"
import { exportAuthGenesis, importAuthGenesis } from "./internal/Genesis.ts"
import { KnownAccounts, signatureChecks } from "./SignatureChecks.ts"
import { decodeCached } from "./internal/DecodedTxs.ts"
import { decodeTx, type AuthDecodedTx } from "./TxDecoder.ts"

const QUERY = "/cosmos.auth.v1beta1.Query/"


/** The auth machine and tx pipeline. `new AuthMachine(config)`; missing config fields default. */
export class AuthMachine implements Machine, TxPipeline {
  readonly name: string = "auth"
  readonly version: string = "0.1.0"
  /** Fee debit from the tx's signers only (`bank.send {from: signer}`). */
  readonly grants: ReadonlyArray<Grant> = [
    { principal: "machine:auth", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }] } }
  ]
  readonly msgTypeUrls: ReadonlyArray<string> = []
  readonly queryPrefixes: ReadonlyArray<string> = [QUERY]
  /** The call API: wit/chain/auth.wit. */
  readonly interface: InterfaceSpec = authInterface
  readonly config: AuthConfig
  readonly anteOptions: AnteOptions
  /** Node plane: accounts remembered by signatureChecks (never read by the ante step). */
  private readonly knownAccounts = new KnownAccounts()

  /** Throws InvalidCoins when `minGasPrices` does not parse. */
  constructor(config: Partial<AuthConfig> = {}) {
    this.config = authConfig(config)
    this.anteOptions = {
      bech32Prefix: this.config.bech32Prefix,
      minGasPrices: parseDecCoins(this.config.minGasPrices),
      bankMachine: this.config.bankMachine,
      feeCollector: formatAddress(moduleAddress(FEE_COLLECTOR), this.config.bech32Prefix)
    }
  }

  /** TxPipeline.decode: decodeTx with this config's maxTxBytes. */
  decode(bytes: Uint8Array): AuthDecodedTx {
    const opts = { maxTxBytes: this.config.maxTxBytes }
    // the size limit is this instance's: checked before the process-wide cache is asked
    return bytes.length > opts.maxTxBytes ? decodeTx(bytes, opts) : decodeCached(bytes, (b) => decodeTx(b, opts))
  }

  /** TxPipeline.signatureChecks: SignatureChecks.ts with this config's maxTxBytes. */
  signatureChecks(bytes: Uint8Array, store: KVStore, chainId: string): ReadonlyArray<SignatureCheck> {
    return signatureChecks(bytes, store, chainId, this.config.maxTxBytes, this.knownAccounts, (b) => this.decode(b))
  }

  /** TxPipeline.ante: the ante chain (Ante.ts) with this config. `tx` must come from `decode`. */
  ante(ctx: ExecContext, tx: AuthDecodedTx, signersOf: (msg: Any) => ReadonlyArray<string>, mode: TxMode): { readonly signers: ReadonlyArray<string> } {
    const full = "signerInfos" in tx ? tx : this.decode((tx as { bytes: Uint8Array }).bytes)
    return ante(ctx, full, signersOf, mode, this.anteOptions)
  }

  /**
   * TxPipeline.txSigners: the signers `tx` declares (messages' signers, then the fee payer),
   * before any signature is checked; they bound auth's fee debit `bank.send {from: signer}`.
   */
  txSigners(tx: AuthDecodedTx, signersOf: (msg: Any) => ReadonlyArray<string>): ReadonlyArray<string> {
    const full = "signerInfos" in tx ? tx : this.decode((tx as { bytes: Uint8Array }).bytes)
    return txSigners(full, signersOf, this.config.bech32Prefix)
  }

  /** auth routes no messages. */
  signers(msg: Any): ReadonlyArray<string> {
    throw new UnknownRequest({ log: `unrecognized auth message type: ${msg.typeUrl}: unknown request` })
  }

  handle(_ctx: MsgContext, msg: Any): MsgResult {
    throw new UnknownRequest({ log: `unrecognized auth message type: ${msg.typeUrl}: unknown request` })
  }

  /**
   * The call API (wit/chain/auth.wit). `ensure-account` takes the bech32 address (InvalidAddress, 7,
   * when it does not parse with this chain's prefix) so a `self` / `signer` constraint can bind it.
   */
  readonly onCall = authDispatcher({
    ensureAccount: (ctx, _caller, req) => ({ created: ensureAccount(ctx.store, parseAddress(req.address, this.config.bech32Prefix), this.config.bech32Prefix) }),
    account: (ctx, _caller, req) => {
      const { account } = this.account(ctx.store, req.address)
      return { account: account && { typeUrl: account.typeUrl, value: account.value } }
    }
  })

  private account(store: QueryContext["store"], address: string): QueryAccountResponse {
    if (address === "") throw new InvalidRequest({ log: "Address cannot be empty: invalid request" })
    const acc = getAccount(store, parseAddress(address, this.config.bech32Prefix))
    if (!acc) throw new NotFound({ log: `account ${address} not found` })
    return { account: accountToAny(acc) }
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    const prefix = this.config.bech32Prefix
    switch (path.slice(QUERY.length)) {
      case "Account":
        return QueryAccountResponse.encode(this.account(ctx.store, QueryAccountRequest.decode(data).address)).finish()
      case "AccountInfo": {
        const { address } = QueryAccountInfoRequest.decode(data)
        this.account(ctx.store, address)
        const acc = getAccount(ctx.store, parseAddress(address, prefix))!
        return QueryAccountInfoResponse.encode({ info: BaseAccount.fromPartial(acc.base) }).finish()
      }
      case "Params":
        return QueryParamsResponse.encode({ params: getParams(ctx.store) }).finish()
      case "Accounts": {
        const { pagination } = QueryAccountsRequest.decode(data)
        const { items, page } = paginate(ctx.store, Uint8Array.of(ACCOUNT_PREFIX), pagination, ([, v]) => AnyCodec.decode(v))
        return QueryAccountsResponse.encode({ accounts: items, pagination: page }).finish()
      }
      case "ModuleAccounts": {
        const all = [...ctx.store.iterate(Uint8Array.of(ACCOUNT_PREFIX), Uint8Array.of(ACCOUNT_PREFIX + 1))].map(([, v]) => accountFromAny(AnyCodec.decode(v)))
        const modules = all.filter((a) => a.module).sort((a, b) => (a.module!.name < b.module!.name ? -1 : a.module!.name > b.module!.name ? 1 : 0))
        return QueryModuleAccountsResponse.encode({ accounts: modules.map(accountToAny) }).finish()
      }
      case "ModuleAccountByName": {
        const { name } = QueryModuleAccountByNameRequest.decode(data)
        if (name === "") throw new InvalidRequest({ log: "module name is empty: invalid request" })
        const acc = getAccount(ctx.store, moduleAddress(name))
        if (!acc?.module) throw new NotFound({ log: `account ${name} not found` })
        return QueryModuleAccountByNameResponse.encode({ account: accountToAny(acc) }).finish()
      }
      case "Bech32Prefix":
        return Bech32PrefixResponse.encode({ bech32Prefix: prefix }).finish()
      case "AddressBytesToString": {
        const { addressBytes } = AddressBytesToStringRequest.decode(data)
        if (addressBytes.length === 0) throw new InvalidRequest({ log: "empty address bytes is not allowed: invalid request" })
        return AddressBytesToStringResponse.encode({ addressString: formatAddress(addressBytes, prefix) }).finish()
      }
      case "AddressStringToBytes": {
        const { addressString } = AddressStringToBytesRequest.decode(data)
        return AddressStringToBytesResponse.encode({ addressBytes: parseAddress(addressString, prefix) }).finish()
      }
      default:
        throw new UnknownRequest({ log: `unknown query path ${path}` })
    }
  }

  /** Genesis: SDK x/auth GenesisState JSON (internal/Genesis.ts); creates configured module accounts. */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    importAuthGenesis(ctx.store, genesis, this.config)
  }

  exportGenesis(ctx: QueryContext): unknown {
    return exportAuthGenesis(ctx.store)
  }
}
