/**
 * ICS-20 fungible token transfer (classic IBC v1, version `ics20-1`) as an application of IBC
 * core: the `PortModule` bound to port `transfer`, its messages (`MsgTransfer`, `MsgUpdateParams`),
 * its queries (`/ibc.applications.transfer.v1.Query/*`, internal/Queries.ts) and genesis. The
 * `ibc` machine hosts it: routes the messages and query prefix here, passes its ExecContext to
 * the callbacks and declares {@link TRANSFER_GRANTS} among its own grants. State lives in the
 * `ibc` namespace under `apps/transfer/` (internal/State.ts).
 *
 * Tokens move as ibc-go v8 moves them, through the bank machine's call API as `machine:ibc`:
 * - send, sender chain is source (the denom does not carry this channel's prefix): escrow into
 *   the channel's escrow address (Denom.ts escrowAddressBytes); otherwise burn the voucher;
 * - receive, receiver chain is source: unescrow to the receiver; otherwise mint the voucher
 *   `ibc/<hash(destPort/destChannel/denom)>` and record its trace;
 * - error acknowledgement or timeout: refund the sender (unescrow or re-mint).
 * Wire bytes (packet data JSON, acks, events, error codes) are ibc-go's (PacketData.ts).
 *
 * Not carried over (yet): bank per-denom send_enabled and blocked-module checks beyond
 * `TransferConfig.blockedAddresses`, denom metadata for vouchers, the transfer authz
 * (TransferAuthorization), ics20-2 / forwarding (ibc-go v9+).
 *
 * Source: ibc-go v8 modules/apps/transfer (ibc_module.go, keeper/relay.go, keeper/msg_server.go,
 * keeper/genesis.go, types/msgs.go, types/events.go).
 */
import { fromBech32 } from "@cosmjs/encoding"
import { BinaryReader } from "cosmjs-types/binary"
import { Params } from "cosmjs-types/ibc/applications/transfer/v1/transfer"
import { MsgTransfer, MsgTransferResponse, MsgUpdateParamsResponse } from "cosmjs-types/ibc/applications/transfer/v1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { EventAttribute } from "cosmjs-types/tendermint/abci/types"
import type { Grant } from "../../../../chain/Capabilities.ts"
import { InvalidCoins, isChainError, TxDecodeError, Unauthorized, UnknownAddress, UnknownRequest, type ChainError } from "../../../../chain/ChainError.ts"
import type { ExecContext, MsgContext, MsgResult } from "../../../../chain/Machine.ts"
import { escrowPrincipal, moduleAccountBytes } from "../../../../chain/Principal.ts"
import type { KVStore } from "../../../../store/KVStore.ts"
import { canonicalAddress, formatAddress } from "../../../auth/Address.ts"
import { isValidDenom } from "../../../bank/Coin.ts"
import type { Height } from "../../LightClient.ts"
import type { Acknowledgement, ChannelInfo, Packet, PacketSender, PortModule } from "../../PortModule.ts"
import {
  channelSequence, DENOM_PREFIX, denomPrefix, denomTraceHash, escrowAddressBytes, fullDenomPath, hexUpper, ibcDenom, ICS20_VERSION,
  parseDenomTrace, parseGoInt, parseHexHash, receiverChainIsSource, senderChainIsSource, TRANSFER_PORT,
  validateDenomTrace, validateIbcDenom, type DenomTrace
} from "./Denom.ts"
import { channelPath, key, validateChannelId, validatePortId } from "../../core/Host.ts"
import {
  ChannelNotFound, IbcInvalidAddress, IbcInvalidRequest, IbcUnauthorized, InvalidChannelOrdering, InvalidIdentifier, InvalidPacket, InvalidPort
} from "../../core/IbcError.ts"
import * as bank from "./internal/Bank.ts"
import { textProtoString } from "./internal/GoJson.ts"
import { transferQuery, TRANSFER_QUERY } from "./internal/Queries.ts"
import {
  allDenomTraces, allTotalEscrow, getDenomTrace, getParams, getTotalEscrow, hasDenomTrace, setDenomTrace, setParams, setTotalEscrow
} from "./internal/State.ts"
import {
  ackBytes, decodeAck, decodePacketData, errorAck, packetDataBytes, SUCCESS_RESULT, validatePacketData,
  type FungibleTokenPacketData, type TransferAck
} from "./PacketData.ts"
import {
  ErrInvalidAmount, ErrInvalidMemo, ErrInvalidVersion, ErrMaxTransferChannels, ErrReceiveDisabled, ErrSendDisabled, ErrTraceNotFound,
  IbcInsufficientFunds, IbcInvalidCoins, IbcInvalidType, IbcUnknownRequest, UnregisteredError
} from "./TransferError.ts"

/** Type URL of MsgTransfer (signer: sender). */
export const MSG_TRANSFER_URL = "/ibc.applications.transfer.v1.MsgTransfer"
/** Type URL of transfer's MsgUpdateParams (signer: the gov authority). */
export const MSG_TRANSFER_UPDATE_PARAMS_URL = "/ibc.applications.transfer.v1.MsgUpdateParams"
export { TRANSFER_QUERY }

/** ibc-go MaximumReceiverLength: a MsgTransfer receiver's limit in bytes. */
export const MAX_RECEIVER_LENGTH = 2048
/** ibc-go MaximumMemoLength: a MsgTransfer memo's limit in bytes. */
export const MAX_MEMO_LENGTH = 32768
/** ibc-go UnboundedSpendLimit: 2^256 - 1 means "the sender's whole balance". */
const UNBOUNDED = (1n << 256n) - 1n
const MAX_UINT32 = 0xffffffffn

const ibcPrefix = `${DENOM_PREFIX}/`

/**
 * The capabilities transfer needs, held by the principal of its hosting machine
 * (`machine:<host>`, default `ibc`), and by the escrow accounts it hosts (`escrow:*`):
 * - `bank.mint {coins[].denom: prefix "ibc/"}`: vouchers only, never a native denom;
 * - `bank.burn {address: signer, coins[].denom: prefix "ibc/"}`: a voucher of the MsgTransfer signer;
 * - `bank.send {from: signer}`: escrow in, from the MsgTransfer signer;
 * - `escrow:*` `bank.send {from: self}`: escrow out, as the channel's escrow account
 *   (`escrow:<port>.<channel>`, whose address chain/Principal.ts derives as ibc-go does), so the
 *   host can move only escrowed coins, never a user's;
 * - `bank.balance`: the balance behind ibc-go's "unbounded" amount.
 */
export const transferGrants = (host = "ibc"): ReadonlyArray<Grant> => {
  const principal = `machine:${host}`
  const ibcOnly = { field: "coins[].denom", op: "prefix" as const, value: ibcPrefix }
  return [
    { principal, capability: { interface: "bank", method: "mint", constraints: [ibcOnly] } },
    { principal, capability: { interface: "bank", method: "burn", constraints: [{ field: "address", op: "signer", value: "" }, ibcOnly] } },
    { principal, capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }] } },
    { principal: "escrow:*", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "self", value: "" }] } },
    { principal, capability: { interface: "bank", method: "balance", constraints: [] } }
  ]
}
/** {@link transferGrants} for the `ibc` machine. */
export const TRANSFER_GRANTS: ReadonlyArray<Grant> = transferGrants()

/** Configuration of the transfer application. */
export interface TransferConfig {
  /** Account address prefix of this chain (sender, receiver and escrow addresses). */
  readonly bech32Prefix: string
  /** Core's send side (modules/ibc/core): commits the packet; throws a channel error when it cannot. */
  readonly packetSender: PacketSender
  /** Accounts that may not receive funds (bank BlockedAddr); bech32. Default none. */
  readonly blockedAddresses?: ReadonlyArray<string>
  /** Authority of MsgUpdateParams; default the gov module account. */
  readonly authority?: string
}

/** ibc-go v8 transfer genesis (proto JSON of ibc.applications.transfer.v1.GenesisState, v8 fields). */
export interface TransferGenesis {
  readonly port_id: string
  readonly denom_traces: ReadonlyArray<{ readonly path: string; readonly base_denom: string }>
  readonly params: { readonly send_enabled: boolean; readonly receive_enabled: boolean }
  readonly total_escrowed: ReadonlyArray<{ readonly denom: string; readonly amount: string }>
}

const attr = (key: string, value: string): EventAttribute => ({ key, value, index: true })

const wrap = (e: ChainError, context: string): ChainError => {
  const Cls = e.constructor as new (f: { log: string }) => ChainError
  return new Cls({ log: `${context}: ${e.log}` })
}

/** OutOfGas and non-chain errors (bugs) pass through a callback; chain errors become an error ack. */
const ackable = (e: unknown): e is ChainError => isChainError(e) && e._tag !== "OutOfGas"

/** The ICS-20 application. One instance per `ibc` machine. */
export class TransferModule implements PortModule {
  readonly portId: string = TRANSFER_PORT
  readonly msgTypeUrls: ReadonlyArray<string> = [MSG_TRANSFER_URL, MSG_TRANSFER_UPDATE_PARAMS_URL]
  readonly queryPrefixes: ReadonlyArray<string> = [TRANSFER_QUERY]
  /** The bank capabilities of the hosting `ibc` machine ({@link transferGrants}). */
  readonly grants: ReadonlyArray<Grant> = TRANSFER_GRANTS
  readonly config: TransferConfig
  private readonly authority: string

  constructor(config: TransferConfig) {
    this.config = config
    this.authority = config.authority ?? formatAddress(moduleAccountBytes("gov"), config.bech32Prefix)
  }

  /** Bech32 escrow address of `port/channel` on this chain. */
  escrowAddress(port: string, channel: string): string {
    return formatAddress(escrowAddressBytes(port, channel), this.config.bech32Prefix)
  }

  // ---------------------------------------------------------------- messages

  /** Signers: MsgTransfer.sender, MsgUpdateParams.signer. IbcInvalidAddress / TxDecodeError / UnknownRequest. */
  signers(msg: Any): ReadonlyArray<string> {
    if (msg.typeUrl === MSG_TRANSFER_URL) return [this.accAddress(decodeMsg("MsgTransfer", () => MsgTransfer.decode(msg.value)).sender)]
    if (msg.typeUrl === MSG_TRANSFER_UPDATE_PARAMS_URL) return [this.accAddress(decodeMsg("MsgUpdateParams", () => decodeUpdateParams(msg.value)).signer)]
    throw new UnknownRequest({ log: `unrecognized transfer message type: ${msg.typeUrl.slice(0, 200)}: unknown request` })
  }

  /** Run MsgTransfer or MsgUpdateParams in the message's branch (ExecContext of the `ibc` machine). */
  handle(ctx: MsgContext, msg: Any): MsgResult {
    if (msg.typeUrl === MSG_TRANSFER_URL) return this.transfer(ctx, decodeMsg("MsgTransfer", () => MsgTransfer.decode(msg.value)))
    if (msg.typeUrl === MSG_TRANSFER_UPDATE_PARAMS_URL) return this.updateParams(ctx, decodeMsg("MsgUpdateParams", () => decodeUpdateParams(msg.value)))
    throw new UnknownRequest({ log: `unrecognized transfer message type: ${msg.typeUrl.slice(0, 200)}: unknown request` })
  }

  private accAddress(address: string): string {
    try {
      return canonicalAddress(address, this.config.bech32Prefix)
    } catch (e) {
      throw new IbcInvalidAddress({ log: `string could not be parsed as address: ${(e as ChainError).log ?? String(e)}: invalid address` })
    }
  }

  /** MsgTransfer.ValidateBasic (ibc-go types/msgs.go), in its order. Returns the amount. */
  private validateTransfer(m: MsgTransfer): bigint {
    const idCheck = (f: () => void, context: string) => {
      try {
        f()
      } catch (e) {
        throw wrap(e as ChainError, context)
      }
    }
    idCheck(() => validatePortId(m.sourcePort), "invalid source port ID")
    idCheck(() => validateChannelId(m.sourceChannel), "invalid source channel ID")
    const token = m.token ?? { denom: "", amount: "" }
    const amount = token.amount === "" ? undefined : parseGoInt(token.amount)
    if (amount === undefined && token.amount !== "") throw new TxDecodeError({ log: `invalid MsgTransfer: token amount ${token.amount.slice(0, 80)} is not an integer: tx parse error` })
    const coinText = `${amount ?? ""}${token.denom}`.slice(0, 200)
    if (amount === undefined || amount < 0n || !isValidDenom(token.denom)) throw new IbcInvalidCoins({ log: `${coinText}: invalid coins` })
    if (amount === 0n) throw new IbcInsufficientFunds({ log: `${coinText}: insufficient funds` })
    this.accAddress(m.sender)
    if (m.receiver.trim() === "") throw new IbcInvalidAddress({ log: "missing recipient address: invalid address" })
    if (Buffer.byteLength(m.receiver) > MAX_RECEIVER_LENGTH) throw new IbcInvalidAddress({ log: `recipient address must not exceed ${MAX_RECEIVER_LENGTH} bytes: invalid address` })
    if (Buffer.byteLength(m.memo) > MAX_MEMO_LENGTH) throw new ErrInvalidMemo({ log: `memo must not exceed ${MAX_MEMO_LENGTH} bytes: invalid memo` })
    validateIbcDenom(token.denom)
    // ibc-go v10's `encoding` (field 9) is unknown to v8: the SDK refuses unknown critical fields
    if (m.encoding !== "") throw new TxDecodeError({ log: "errUnknownField \"*types.MsgTransfer\": {TagNum: 9, WireType:\"bytes\"}: tx parse error" })
    return amount
  }

  /**
   * Keeper.Transfer + sendTransfer: escrow (source) or burn (sink), then core's SendPacket with the
   * packet data bytes; emits `ibc_transfer` (with the amount as requested: ibc-go's msg server reads
   * the message, not sendTransfer's resolved copy) and `message` {module: transfer}. Returns the sequence.
   */
  private transfer(ctx: MsgContext, m: MsgTransfer): MsgResult {
    const requested = this.validateTransfer(m)
    let amount = requested
    if (!getParams(ctx.store).sendEnabled) throw new ErrSendDisabled({ log: "fungible token transfers from this chain are disabled" })
    const sender = this.accAddress(m.sender)
    const denom = m.token.denom
    if (this.isBlocked(sender)) throw new IbcUnauthorized({ log: `${sender} is not allowed to send funds: unauthorized` })
    // sendTransfer: the channel must exist before anything moves (ibc-go channelKeeper.GetChannel)
    if (!ctx.store.has(key(channelPath(m.sourcePort, m.sourceChannel)))) {
      throw new ChannelNotFound({ log: `port ID (${m.sourcePort}) channel ID (${m.sourceChannel}): channel not found` })
    }
    let fullPath = denom
    if (denom.startsWith(ibcPrefix)) fullPath = fullDenomPath(this.traceFromHash(ctx.store, denom))
    if (amount === UNBOUNDED) amount = bank.balance(ctx, sender, denom)
    if (senderChainIsSource(m.sourcePort, m.sourceChannel, fullPath)) {
      this.escrow(ctx, sender, this.escrowAddress(m.sourcePort, m.sourceChannel), denom, amount)
    } else {
      bank.burn(ctx, sender, denom, amount)
    }
    const th = m.timeoutHeight ?? { revisionNumber: 0n, revisionHeight: 0n }
    const timeoutHeight: Height = { revisionNumber: th.revisionNumber, revisionHeight: th.revisionHeight }
    if (timeoutHeight.revisionNumber === 0n && timeoutHeight.revisionHeight === 0n && m.timeoutTimestamp === 0n) {
      throw new InvalidPacket({ log: "packet timeout height and packet timeout timestamp cannot both be 0: invalid packet" })
    }
    const data = packetDataBytes({ denom: fullPath, amount: amount.toString(), sender, receiver: m.receiver, memo: m.memo })
    const sequence = this.config.packetSender.sendPacket(ctx, m.sourcePort, m.sourceChannel, timeoutHeight, m.timeoutTimestamp, data)
    ctx.emit({
      type: "ibc_transfer",
      attributes: [attr("sender", m.sender), attr("receiver", m.receiver), attr("amount", requested.toString()), attr("denom", denom), attr("memo", m.memo)]
    })
    ctx.emit({ type: "message", attributes: [attr("module", "transfer")] })
    return { typeUrl: "/ibc.applications.transfer.v1.MsgTransferResponse", value: MsgTransferResponse.encode({ sequence }).finish() }
  }

  /** MsgUpdateParams: only the authority (gov module account). IbcUnauthorized otherwise. */
  private updateParams(ctx: MsgContext, m: UpdateParams): MsgResult {
    if (m.signer !== this.authority) throw new IbcUnauthorized({ log: `expected ${this.authority}, got ${m.signer.slice(0, 100)}: unauthorized` })
    setParams(ctx.store, { sendEnabled: m.params?.sendEnabled ?? false, receiveEnabled: m.params?.receiveEnabled ?? false })
    return { typeUrl: "/ibc.applications.transfer.v1.MsgUpdateParamsResponse", value: MsgUpdateParamsResponse.encode({}).finish() }
  }

  /** DenomPathFromHash: the trace behind `ibc/<hash>`; ErrInvalidDenomForTransfer / ErrTraceNotFound. */
  private traceFromHash(store: KVStore, denom: string): DenomTrace {
    const hex = denom.slice(ibcPrefix.length)
    const t = getDenomTrace(store, parseHexHash(hex))
    if (!t) throw new ErrTraceNotFound({ log: `${hex}: denomination trace not found` })
    return t
  }

  private isBlocked(address: string): boolean {
    return (this.config.blockedAddresses ?? []).includes(address)
  }

  private escrow(ctx: ExecContext, from: string, escrow: string, denom: string, amount: bigint): void {
    bank.send(ctx, from, escrow, denom, amount)
    setTotalEscrow(ctx.store, denom, getTotalEscrow(ctx.store, denom) + amount)
  }

  private unescrow(ctx: ExecContext, port: string, channel: string, to: string, denom: string, amount: bigint): void {
    try {
      // as the channel's escrow account itself: a principal whose address the executor derives
      bank.send(ctx.actAs(escrowPrincipal(port, channel)), this.escrowAddress(port, channel), to, denom, amount)
    } catch (e) {
      if (!ackable(e)) throw e
      throw wrap(e, "unable to unescrow tokens, this may be caused by a malicious counterparty module or a bug: please open an issue on counterparty module")
    }
    const left = getTotalEscrow(ctx.store, denom) - amount
    if (left < 0n) throw new InvalidCoins({ log: `negative coin amount: total escrow of ${denom} below ${amount}: invalid coins` })
    setTotalEscrow(ctx.store, denom, left)
  }

  /** sdk.AccAddressFromBech32 with this chain's prefix; Go's unregistered error texts (ack code 1). */
  private receiverAddress(address: string): string {
    if (address.trim() === "") throw new UnregisteredError({ log: "empty address string is not allowed" })
    let decoded: { prefix: string; data: Uint8Array }
    try {
      decoded = fromBech32(address, 1023)
    } catch (e) {
      throw new UnregisteredError({ log: `decoding bech32 failed: ${(e as Error).message}` })
    }
    if (decoded.prefix !== this.config.bech32Prefix) throw new UnregisteredError({ log: `invalid Bech32 prefix; expected ${this.config.bech32Prefix}, got ${decoded.prefix}` })
    if (decoded.data.length === 0) throw new UnknownAddress({ log: "addresses cannot be empty: unknown address" })
    if (decoded.data.length > 255) throw new UnknownAddress({ log: `address max length is 255, got ${decoded.data.length}: unknown address` })
    return formatAddress(decoded.data, this.config.bech32Prefix)
  }

  // ---------------------------------------------------------------- channel handshake

  /** ValidateTransferChannelParams: channel-N with N <= 2^32-1, unordered, port `transfer`. */
  private validateChannel(channel: ChannelInfo): void {
    const seq = channelSequence(channel.channelId)
    if (seq === undefined) throw new InvalidIdentifier({ log: "channel identifier is not in the format: `channel-{N}`: invalid identifier" })
    if (seq > MAX_UINT32) {
      throw new ErrMaxTransferChannels({ log: `channel sequence ${seq} is greater than max allowed transfer channels ${MAX_UINT32}: max transfer channels` })
    }
    if (channel.order !== "ORDER_UNORDERED") throw new InvalidChannelOrdering({ log: `expected ORDER_UNORDERED channel, got ${channel.order} : invalid channel ordering` })
    if (channel.portId !== this.portId) throw new InvalidPort({ log: `invalid port: ${channel.portId}, expected ${this.portId}: invalid port` })
  }

  onChanOpenInit(_ctx: ExecContext, channel: ChannelInfo): string {
    this.validateChannel(channel)
    const version = channel.version.trim() === "" ? ICS20_VERSION : channel.version
    if (version !== ICS20_VERSION) throw new ErrInvalidVersion({ log: `expected ${ICS20_VERSION}, got ${version.slice(0, 100)}: invalid ICS20 version` })
    return version
  }

  /** Always answers `ics20-1` (ibc-go proposes its version when the counterparty's differs). */
  onChanOpenTry(_ctx: ExecContext, channel: ChannelInfo, _counterpartyVersion: string): string {
    this.validateChannel(channel)
    return ICS20_VERSION
  }

  onChanOpenAck(_ctx: ExecContext, _channel: ChannelInfo, counterpartyVersion: string): void {
    if (counterpartyVersion !== ICS20_VERSION) {
      throw new ErrInvalidVersion({ log: `invalid counterparty version: expected ${ICS20_VERSION}, got ${counterpartyVersion.slice(0, 100)}: invalid ICS20 version` })
    }
  }

  onChanOpenConfirm(_ctx: ExecContext, _channel: ChannelInfo): void {}

  /** Users cannot close transfer channels. */
  onChanCloseInit(_ctx: ExecContext, _channel: ChannelInfo): void {
    throw new IbcInvalidRequest({ log: "user cannot close channel: invalid request" })
  }

  onChanCloseConfirm(_ctx: ExecContext, _channel: ChannelInfo): void {}

  // ---------------------------------------------------------------- packets

  /**
   * OnRecvPacket: a success ack `{"result":"AQ=="}`, or an error ack `{"error":"ABCI code: N: ..."}`
   * whose writes are rolled back here (in a sub-branch) as well as by core. Emits
   * `fungible_token_packet` (success, and error text on failure), `denomination_trace` on a mint.
   * Out of gas and non-chain errors pass through (the relayer's tx fails, as ibc-go panics).
   */
  onRecvPacket(ctx: ExecContext, packet: Packet, _relayer: string): Acknowledgement {
    let data: FungibleTokenPacketData = { denom: "", amount: "", sender: "", receiver: "", memo: "" }
    let failure: ChainError | undefined
    try {
      data = decodePacketData(packet.data)
    } catch (e) {
      failure = new IbcInvalidType({ log: "cannot unmarshal ICS-20 transfer packet data: invalid type" })
    }
    if (!failure) {
      try {
        const d = data
        if (ctx.branch) ctx.branch((b) => this.receive(b, packet, d))
        else this.receive(ctx, packet, d)
      } catch (e) {
        if (!ackable(e)) throw e
        failure = e
      }
    }
    const ack: TransferAck = failure ? errorAck(failure.code) : { result: SUCCESS_RESULT }
    ctx.emit({
      type: "fungible_token_packet",
      attributes: [
        attr("module", "transfer"), attr("sender", data.sender), attr("receiver", data.receiver), attr("denom", data.denom),
        attr("amount", data.amount), attr("memo", data.memo), attr("success", failure ? "false" : "true"),
        ...(failure ? [attr("error", failure.log)] : [])
      ]
    })
    return { bytes: ackBytes(ack), success: !failure }
  }

  /** Keeper.OnRecvPacket. */
  private receive(ctx: ExecContext, packet: Packet, data: FungibleTokenPacketData): void {
    let amount: bigint
    try {
      amount = validatePacketData(data)
    } catch (e) {
      if (!ackable(e)) throw e
      throw wrap(e, "error validating ICS-20 transfer packet data")
    }
    if (!getParams(ctx.store).receiveEnabled) throw new ErrReceiveDisabled({ log: "fungible token transfers to this chain are disabled" })
    let receiver: string
    try {
      receiver = this.receiverAddress(data.receiver)
    } catch (e) {
      if (!ackable(e)) throw e
      throw wrap(e, `failed to decode receiver address: ${data.receiver.slice(0, 200)}`)
    }
    if (receiverChainIsSource(packet.sourcePort, packet.sourceChannel, data.denom)) {
      // a token of ours coming home: strip the counterparty's hop, release from escrow
      const unprefixed = data.denom.slice(denomPrefix(packet.sourcePort, packet.sourceChannel).length)
      const trace = parseDenomTrace(unprefixed)
      const denom = trace.path === "" ? unprefixed : ibcDenom(trace)
      if (!isValidDenom(denom)) throw new InvalidCoins({ log: `invalid denom: ${denom.slice(0, 140)}: invalid coins` })
      if (this.isBlocked(receiver)) throw new IbcUnauthorized({ log: `${receiver} is not allowed to receive funds: unauthorized` })
      this.unescrow(ctx, packet.destinationPort, packet.destinationChannel, receiver, denom, amount)
      return
    }
    // a foreign token: prefix our hop, mint its voucher
    const trace = parseDenomTrace(denomPrefix(packet.destinationPort, packet.destinationChannel) + data.denom)
    const hash = denomTraceHash(trace)
    if (!hasDenomTrace(ctx.store, hash)) setDenomTrace(ctx.store, trace)
    const voucher = ibcDenom(trace)
    ctx.emit({ type: "denomination_trace", attributes: [attr("trace_hash", hexUpper(hash)), attr("denom", voucher)] })
    if (this.isBlocked(receiver)) throw new Unauthorized({ log: `${receiver} is not allowed to receive funds: unauthorized` })
    try {
      bank.mint(ctx, receiver, voucher, amount)
    } catch (e) {
      if (!ackable(e)) throw e
      throw wrap(e, "failed to mint IBC tokens")
    }
  }

  /**
   * OnAcknowledgementPacket: the ack must re-encode to the same bytes; an error ack refunds the
   * sender. Emits `fungible_token_packet` with the ack (proto text), then its success or error.
   * Throws (the MsgAcknowledgement fails) on undecodable data or ack, or a failed refund.
   */
  onAcknowledgementPacket(ctx: ExecContext, packet: Packet, acknowledgement: Uint8Array, _relayer: string): void {
    let ack: TransferAck
    try {
      ack = decodeAck(acknowledgement)
    } catch (e) {
      throw new IbcUnknownRequest({ log: `cannot unmarshal ICS-20 transfer packet acknowledgement: ${(e as Error).message}: unknown request` })
    }
    const data = this.packetData(packet)
    const canonical = ackBytes(ack)
    if (Buffer.compare(canonical, acknowledgement) !== 0) {
      throw new IbcInvalidType({ log: `acknowledgement did not marshal to expected bytes: ${hexUpper(canonical)} ≠ ${hexUpper(acknowledgement.subarray(0, 1024))}: invalid type` })
    }
    if ("error" in ack) this.refund(ctx, packet, data)
    const text = "result" in ack ? `result:${textProtoString(ack.result)} ` : `error:${textProtoString(new TextEncoder().encode(ack.error))} `
    ctx.emit({
      type: "fungible_token_packet",
      attributes: [
        attr("module", "transfer"), attr("sender", data.sender), attr("receiver", data.receiver), attr("denom", data.denom),
        attr("amount", data.amount), attr("memo", data.memo), attr("acknowledgement", text)
      ]
    })
    ctx.emit({
      type: "fungible_token_packet",
      attributes: ["result" in ack ? attr("success", new TextDecoder().decode(ack.result)) : attr("error", ack.error)]
    })
  }

  /** OnTimeoutPacket: refund the sender; emits `timeout` {module, refund_receiver, refund_denom, refund_amount, memo}. */
  onTimeoutPacket(ctx: ExecContext, packet: Packet, _relayer: string): void {
    const data = this.packetData(packet)
    this.refund(ctx, packet, data)
    ctx.emit({
      type: "timeout",
      attributes: [attr("module", "transfer"), attr("refund_receiver", data.sender), attr("refund_denom", data.denom), attr("refund_amount", data.amount), attr("memo", data.memo)]
    })
  }

  private packetData(packet: Packet): FungibleTokenPacketData {
    try {
      return decodePacketData(packet.data)
    } catch (e) {
      throw new IbcUnknownRequest({ log: `cannot unmarshal ICS-20 transfer packet data: ${(e as Error).message}: unknown request` })
    }
  }

  /** refundPacketToken: unescrow (we were the source) or re-mint the burnt voucher. */
  private refund(ctx: ExecContext, packet: Packet, data: FungibleTokenPacketData): void {
    const trace = parseDenomTrace(data.denom)
    const amount = parseGoInt(data.amount)
    if (amount === undefined) throw new ErrInvalidAmount({ log: `unable to parse transfer amount (${data.amount.slice(0, 100)}) into math.Int: invalid token amount` })
    // ibc-go's sdk.NewCoin panics on a negative amount; a zero one refunds nothing
    if (amount < 0n) throw new IbcInvalidCoins({ log: `negative coin amount: ${amount}: invalid coins` })
    if (amount === 0n) return
    const denom = ibcDenom(trace)
    const sender = this.accAddress(data.sender)
    if (senderChainIsSource(packet.sourcePort, packet.sourceChannel, data.denom)) {
      this.unescrow(ctx, packet.sourcePort, packet.sourceChannel, sender, denom, amount)
    } else {
      bank.mint(ctx, sender, denom, amount)
    }
  }

  // ---------------------------------------------------------------- queries and genesis

  /** Answer `/ibc.applications.transfer.v1.Query/<method>` over the `ibc` namespace. */
  query(ctx: { readonly store: KVStore }, path: string, data: Uint8Array): Uint8Array {
    return transferQuery(ctx.store, path, data, this.config.bech32Prefix)
  }

  /**
   * InitGenesis (ibc-go keeper/genesis.go + GenesisState.Validate): port `transfer`, traces (valid,
   * no duplicate hash), params, total escrow (valid positive coins). IbcInvalidRequest naming the entry.
   */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    const g = (genesis ?? {}) as Partial<TransferGenesis>
    const bad = (what: string) => new IbcInvalidRequest({ log: `invalid transfer genesis: ${what}: invalid request` })
    const port = g.port_id ?? TRANSFER_PORT
    if (port !== this.portId) throw bad(`port_id ${JSON.stringify(port)} is not ${this.portId}`) // determinism-ok: error text
    const seen = new Set<string>()
    for (const [i, t] of (g.denom_traces ?? []).entries()) {
      const trace = { path: String(t?.path ?? ""), baseDenom: String(t?.base_denom ?? "") }
      try {
        validateDenomTrace(trace)
      } catch (e) {
        throw bad(`failed denom trace ${i} validation: ${(e as Error).message}`)
      }
      const h = hexUpper(denomTraceHash(trace))
      if (seen.has(h)) throw bad(`duplicated denomination trace with hash ${h}`)
      seen.add(h)
      setDenomTrace(ctx.store, trace)
    }
    const p = g.params ?? { send_enabled: true, receive_enabled: true }
    if (typeof p.send_enabled !== "boolean" || typeof p.receive_enabled !== "boolean") throw bad("params.send_enabled and params.receive_enabled must be booleans")
    setParams(ctx.store, { sendEnabled: p.send_enabled, receiveEnabled: p.receive_enabled })
    for (const c of g.total_escrowed ?? []) {
      const amount = /^[0-9]{1,78}$/.test(String(c?.amount)) ? BigInt(c.amount) : undefined
      if (!isValidDenom(String(c?.denom)) || amount === undefined || amount === 0n) throw bad(`total_escrowed entry ${JSON.stringify(c).slice(0, 200)}`) // determinism-ok: error text
      setTotalEscrow(ctx.store, c.denom, amount)
    }
  }

  /** ExportGenesis: the v8 GenesisState JSON (traces in hash order, escrow in denom order). */
  exportGenesis(ctx: { readonly store: KVStore }): TransferGenesis {
    const p = getParams(ctx.store)
    return {
      port_id: this.portId,
      denom_traces: allDenomTraces(ctx.store).map((t) => ({ path: t.path, base_denom: t.baseDenom })),
      params: { send_enabled: p.sendEnabled, receive_enabled: p.receiveEnabled },
      total_escrowed: allTotalEscrow(ctx.store).map((c) => ({ denom: c.denom, amount: c.amount.toString() }))
    }
  }
}

const decodeMsg = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `invalid ${what}: ${(e as Error).message}: tx parse error` })
  }
}

/** transfer MsgUpdateParams {1: signer, 2: transfer Params}. */
interface UpdateParams {
  readonly signer: string
  readonly params?: Params
}

/**
 * Decode MsgUpdateParams by field number: cosmjs-types 0.11 types its `params` as core client
 * Params (a codegen slip), which would misread transfer's two booleans.
 */
const decodeUpdateParams = (bytes: Uint8Array): UpdateParams => {
  const r = new BinaryReader(bytes)
  let signer = ""
  let params: Params | undefined
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag === 10) signer = r.string()
    else if (tag === 18) params = Params.decode(r, r.uint32())
    else r.skipType(tag & 7)
  }
  return { signer, params }
}
