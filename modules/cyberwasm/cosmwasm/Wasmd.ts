/**
 * wasmd's transaction messages (`/cosmwasm.wasm.v1.Msg*`) on the cyberwasm machine: signers from
 * the `sender` field, each message run by the keeper (Contracts.ts) and answered with wasmd's
 * response message (MsgStoreCodeResponse{code_id, checksum}, MsgInstantiateContractResponse
 * {address, data}, …). Plus the gRPC queries (Queries.ts) and the genesis section (Genesis.ts).
 *
 *   MsgStoreCode             sender, wasm_byte_code (raw or gzip), instantiate_permission?
 *   MsgInstantiateContract   sender, admin, code_id, label, msg, funds
 *   MsgInstantiateContract2  … salt, fix_msg (predictable address)
 *   MsgExecuteContract       sender, contract, msg, funds (sent to the contract before it runs)
 *   MsgMigrateContract       sender (the admin), contract, code_id, msg
 *   MsgUpdateAdmin           sender (the admin), new_admin, contract
 *   MsgClearAdmin            sender (the admin), contract
 *   MsgSudoContract          authority (the gov module account), contract, msg
 *   MsgPinCodes, MsgUnpinCodes  authority, code_ids (1-50, no duplicates)
 *   MsgUpdateParams          authority, params (code_upload_access, instantiate_default_permission)
 * The authority messages reach the machine from a passed governance proposal (ExecContext.execute);
 * any other authority is Unauthorized.
 *
 * `env.transaction.index` is the transaction's position in the block (MsgContext.txIndex, every
 * tx counted, as wasmd's CountTXDecorator counts the block's txs). Where the executor gives none
 * (CheckTx, simulation, end-of-block deliveries of program messages) it is the position among the
 * transactions that ran a CosmWasm message in that state (a counter, 0x20 0x08).
 *
 * Source: wasmd x/wasm/keeper/msg_server.go, x/wasm/types/tx.go (ValidateBasic), proto
 * cosmwasm/wasm/v1/tx.proto.
 */
import type { Coin as ProtoCoin } from "cosmjs-types/cosmos/base/v1beta1/coin"
import {
  MsgClearAdmin, MsgClearAdminResponse, MsgExecuteContract, MsgExecuteContractResponse, MsgInstantiateContract, MsgInstantiateContract2,
  MsgInstantiateContract2Response, MsgInstantiateContractResponse, MsgMigrateContract, MsgMigrateContractResponse, MsgPinCodes, MsgPinCodesResponse,
  MsgStoreCode, MsgStoreCodeResponse, MsgSudoContract, MsgSudoContractResponse, MsgUnpinCodes, MsgUnpinCodesResponse, MsgUpdateAdmin, MsgUpdateAdminResponse,
  MsgUpdateParams, MsgUpdateParamsResponse
} from "cosmjs-types/cosmwasm/wasm/v1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { InvalidRequest, TxDecodeError, Unauthorized, UnknownRequest } from "../../../chain/ChainError.ts"
import type { BlockContext, MsgContext, MsgResult } from "../../../chain/Machine.ts"
import { concatBytes, equalBytes } from "../../../lib/Bytes.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import type { BlockInfo, Contracts, Scope } from "./Contracts.ts"
import { WasmKeys } from "./Keys.ts"
import { Invalid } from "./WasmdError.ts"

/** Type URLs of wasmd's messages served here. */
export const WasmTypeUrl = {
  storeCode: "/cosmwasm.wasm.v1.MsgStoreCode",
  instantiate: "/cosmwasm.wasm.v1.MsgInstantiateContract",
  instantiate2: "/cosmwasm.wasm.v1.MsgInstantiateContract2",
  execute: "/cosmwasm.wasm.v1.MsgExecuteContract",
  migrate: "/cosmwasm.wasm.v1.MsgMigrateContract",
  updateAdmin: "/cosmwasm.wasm.v1.MsgUpdateAdmin",
  clearAdmin: "/cosmwasm.wasm.v1.MsgClearAdmin",
  sudoContract: "/cosmwasm.wasm.v1.MsgSudoContract",
  pinCodes: "/cosmwasm.wasm.v1.MsgPinCodes",
  unpinCodes: "/cosmwasm.wasm.v1.MsgUnpinCodes",
  updateParams: "/cosmwasm.wasm.v1.MsgUpdateParams"
} as const

/** wasmd maxCodeIDCount: code ids in one MsgPinCodes / MsgUnpinCodes. */
export const MAX_CODE_IDS = 50

/** All message type URLs, for Machine.msgTypeUrls. */
export const WASM_MSG_TYPE_URLS: ReadonlyArray<string> = Object.values(WasmTypeUrl) // determinism-ok: a const table in source order

const decode = <A>(codec: { decode(b: Uint8Array): A }, msg: Any): A => {
  try {
    return codec.decode(msg.value)
  } catch (e) {
    throw new TxDecodeError({ log: `cannot decode ${msg.typeUrl}: ${(e as Error).message}` })
  }
}

const decodeAny = (msg: Any): { sender: string } => {
  switch (msg.typeUrl) {
    case WasmTypeUrl.storeCode: return decode(MsgStoreCode, msg)
    case WasmTypeUrl.instantiate: return decode(MsgInstantiateContract, msg)
    case WasmTypeUrl.instantiate2: return decode(MsgInstantiateContract2, msg)
    case WasmTypeUrl.execute: return decode(MsgExecuteContract, msg)
    case WasmTypeUrl.migrate: return decode(MsgMigrateContract, msg)
    case WasmTypeUrl.updateAdmin: return decode(MsgUpdateAdmin, msg)
    case WasmTypeUrl.clearAdmin: return decode(MsgClearAdmin, msg)
    // the governance messages are signed by their authority (cosmos.msg.v1.signer)
    case WasmTypeUrl.sudoContract: return { sender: decode(MsgSudoContract, msg).authority }
    case WasmTypeUrl.pinCodes: return { sender: decode(MsgPinCodes, msg).authority }
    case WasmTypeUrl.unpinCodes: return { sender: decode(MsgUnpinCodes, msg).authority }
    case WasmTypeUrl.updateParams: return { sender: decode(MsgUpdateParams, msg).authority }
    default: throw new UnknownRequest({ log: `unrecognized wasm message type: ${msg.typeUrl}` })
  }
}

/** Signers of a wasmd message: its `sender` (cosmos.msg.v1.signer), which must be a valid address. */
export const wasmSigners = (k: Contracts, msg: Any): ReadonlyArray<string> => {
  const sender = decodeAny(msg).sender
  if (!sender) throw new TxDecodeError({ log: `${msg.typeUrl}: missing sender` })
  k.raw(sender, "sender")
  return [sender]
}

/** The block facts of a context. */
export const blockInfo = (b: BlockContext): BlockInfo => ({ height: b.height, timeNanos: b.time.seconds * 1_000_000_000n + BigInt(b.time.nanos), chainId: b.chainId })

const u64 = (v: bigint) => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, v)
  return b
}

/** The transaction's index (see the module comment): `ctx.txIndex` when given, else counted in `store`. */
export const txIndexOf = (ctx: { readonly txIndex?: number; readonly height: number }, store: KVStore, txHash: Uint8Array): bigint =>
  ctx.txIndex !== undefined ? BigInt(ctx.txIndex) : txIndex(store, ctx.height, txHash)

/** The transaction's index among those that ran a CosmWasm message at `height`, counted in `store`. */
export const txIndex = (store: KVStore, height: number, txHash: Uint8Array): bigint => {
  const rec = store.get(WasmKeys.txCounter)
  let index = 0n
  if (rec && rec.length === 48) {
    const v = new DataView(rec.buffer, rec.byteOffset)
    const h = v.getBigUint64(0)
    const i = v.getBigUint64(8)
    if (h === BigInt(height)) index = equalBytes(rec.subarray(16), txHash) ? i : i + 1n
  }
  const hash = txHash.length === 32 ? txHash : new Uint8Array(32)
  store.set(WasmKeys.txCounter, concatBytes(u64(BigInt(height)), u64(index), hash))
  return index
}

const funds = (cs: ReadonlyArray<ProtoCoin>) => cs.map((c) => ({ denom: c.denom, amount: c.amount }))
const checkMsg = (msg: Uint8Array): void => {
  try {
    JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(msg))
  } catch {
    throw new Invalid({ log: "payload msg: invalid" })
  }
}

/** Run one wasmd message in its tx branch; returns the Any-typed wasmd response. */
export const handleWasmMsg = (k: Contracts, ctx: MsgContext, msg: Any): MsgResult => {
  const s: Scope = {
    ctx, block: blockInfo(ctx), txIndex: txIndexOf(ctx, ctx.rawStore ?? ctx.store, ctx.txHash), depth: 0,
    emit: (e) => ctx.emit(e)
  }
  const out = (typeUrl: string, value: Uint8Array): MsgResult => ({ typeUrl: `${typeUrl}Response`, value })
  switch (msg.typeUrl) {
    case WasmTypeUrl.storeCode: {
      const m = decode(MsgStoreCode, msg)
      const r = k.storeCode(s, m.sender, m.wasmByteCode, m.instantiatePermission)
      return out(msg.typeUrl, MsgStoreCodeResponse.encode({ codeId: r.codeId, checksum: r.checksum }).finish())
    }
    case WasmTypeUrl.instantiate: {
      const m = decode(MsgInstantiateContract, msg)
      checkMsg(m.msg)
      const r = k.instantiate(s, m.sender, m.admin, m.codeId, m.msg, m.label, funds(m.funds))
      return out(msg.typeUrl, MsgInstantiateContractResponse.encode({ address: r.address, data: r.data ?? new Uint8Array() }).finish())
    }
    case WasmTypeUrl.instantiate2: {
      const m = decode(MsgInstantiateContract2, msg)
      checkMsg(m.msg)
      const r = k.instantiate(s, m.sender, m.admin, m.codeId, m.msg, m.label, funds(m.funds), { salt: m.salt, fixMsg: m.fixMsg })
      return out(msg.typeUrl, MsgInstantiateContract2Response.encode({ address: r.address, data: r.data ?? new Uint8Array() }).finish())
    }
    case WasmTypeUrl.execute: {
      const m = decode(MsgExecuteContract, msg)
      checkMsg(m.msg)
      const data = k.execute(s, m.sender, m.contract, m.msg, funds(m.funds))
      return out(msg.typeUrl, MsgExecuteContractResponse.encode({ data: data ?? new Uint8Array() }).finish())
    }
    case WasmTypeUrl.migrate: {
      const m = decode(MsgMigrateContract, msg)
      checkMsg(m.msg)
      const data = k.migrate(s, m.sender, m.contract, m.codeId, m.msg)
      return out(msg.typeUrl, MsgMigrateContractResponse.encode({ data: data ?? new Uint8Array() }).finish())
    }
    case WasmTypeUrl.updateAdmin: {
      const m = decode(MsgUpdateAdmin, msg)
      k.raw(m.newAdmin, "new admin") // wasmd ValidateBasic: an invalid (or empty) new admin is sdk InvalidAddress
      k.setAdmin(s, m.sender, m.contract, m.newAdmin)
      return out(msg.typeUrl, MsgUpdateAdminResponse.encode({}).finish())
    }
    case WasmTypeUrl.clearAdmin: {
      const m = decode(MsgClearAdmin, msg)
      k.setAdmin(s, m.sender, m.contract, "")
      return out(msg.typeUrl, MsgClearAdminResponse.encode({}).finish())
    }
    case WasmTypeUrl.sudoContract: {
      const m = decode(MsgSudoContract, msg)
      checkAuthority(k, m.authority)
      k.raw(m.contract, "contract")
      checkMsg(m.msg)
      const data = k.sudo(s, m.contract, m.msg)
      return out(msg.typeUrl, MsgSudoContractResponse.encode({ data: data ?? new Uint8Array() }).finish())
    }
    case WasmTypeUrl.pinCodes:
    case WasmTypeUrl.unpinCodes: {
      const pin = msg.typeUrl === WasmTypeUrl.pinCodes
      const m = decode(pin ? MsgPinCodes : MsgUnpinCodes, msg)
      checkAuthority(k, m.authority)
      if (m.codeIds.length === 0) throw new InvalidRequest({ log: "empty code ids: invalid request" })
      if (m.codeIds.length > MAX_CODE_IDS) throw new InvalidRequest({ log: `total number of code ids is greater than ${MAX_CODE_IDS}: invalid request` })
      if (new Set(m.codeIds).size !== m.codeIds.length) throw new InvalidRequest({ log: "duplicate code ids: invalid request" })
      for (const id of m.codeIds) k.pin(s, id, pin)
      return out(msg.typeUrl, (pin ? MsgPinCodesResponse : MsgUnpinCodesResponse).encode({}).finish())
    }
    case WasmTypeUrl.updateParams: {
      const m = decode(MsgUpdateParams, msg)
      checkAuthority(k, m.authority)
      k.updateParams(s, m.params)
      return out(msg.typeUrl, MsgUpdateParamsResponse.encode({}).finish())
    }
    default:
      throw new UnknownRequest({ log: `unrecognized wasm message type: ${msg.typeUrl}` })
  }
}

/** The gov authority only (wasmd GetAuthority: the gov module account); Unauthorized otherwise. */
const checkAuthority = (k: Contracts, authority: string): void => {
  k.raw(authority, "authority")
  const expected = k.authority
  if (authority !== expected) throw new Unauthorized({ log: `invalid authority; expected ${expected}, got ${authority}: unauthorized` })
}

/** Re-export for the machine. */
export { MsgInstantiateContractResponse, MsgStoreCodeResponse }
