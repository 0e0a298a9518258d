/**
 * `cyberkernel tx ibc-transfer ...` and `cyberkernel query ibc-transfer ...`: ibc-go's ICS-20 CLI
 * over `--node` (abci_query on `/ibc.applications.transfer.v1.Query/*`, txs signed by a keyring key).
 *
 *   tx ibc-transfer transfer [src-port] <src-channel> <receiver> <amount> --from <key>
 *       (ibc-go's shape; with three arguments the port is `transfer`, the issue's form)
 *       --packet-timeout-height {rev}-{height} (default 0-1000, relative), --packet-timeout-timestamp
 *       ns (default 10 min, relative), --absolute-timeouts, --memo, gas flags
 *   query ibc-transfer denom-trace <hash|ibc/hash>   the trace (path, base denom)
 *   query ibc-transfer denom-traces [--limit --page-key] every trace, sorted by full path
 *   query ibc-transfer denom-hash <trace>            hash of `port/channel/.../base`
 *   query ibc-transfer escrow-address <port> <channel>
 *   query ibc-transfer total-escrow <denom>
 *   query ibc-transfer params
 *
 * As ibc-go: an amount's denom that is a trace path (`transfer/channel-0/uatom`) is sent as its
 * voucher `ibc/<hash>`; relative timeouts are added to the latest height of the channel's client
 * and to the later of the local clock and that client's latest consensus timestamp (both read
 * from the node: `ChannelClientState`, client `ConsensusState`); 0-0 and 0 disable a timeout.
 *
 * Source: ibc-go v8 modules/apps/transfer/client/cli/tx.go and query.go.
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { DeliverTxResponse, StdFee } from "@cosmjs/stargate"
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import { DenomTrace } from "cosmjs-types/ibc/applications/transfer/v1/denomtrace"
import {
  QueryDenomHashRequest, QueryDenomHashResponse, QueryEscrowAddressRequest, QueryEscrowAddressResponse, QueryParamsResponse,
  QueryTotalEscrowForDenomRequest, QueryTotalEscrowForDenomResponse
} from "cosmjs-types/ibc/applications/transfer/v1/query"
import { MsgTransfer, MsgTransferResponse } from "cosmjs-types/ibc/applications/transfer/v1/tx"
import { QueryChannelClientStateRequest, QueryChannelClientStateResponse } from "cosmjs-types/ibc/core/channel/v1/query"
import { QueryConsensusStateRequest, QueryConsensusStateResponse } from "cosmjs-types/ibc/core/client/v1/query"
import { ClientState, ConsensusState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import { abciQuery, CliFailure, cliPromise, emit, keyring, NodeUrl, toJson } from "../../../cli/Globals.ts"
import { minGasPricesText } from "../../../node/config/NodeConfig.ts"
import { ibcDenom, parseDenomTrace } from "../apps/transfer/Denom.ts"
import { MSG_TRANSFER_URL, TRANSFER_QUERY } from "../apps/transfer/Transfer.ts"

const fail = (message: string) => Effect.fail(new CliFailure({ message }))
const show = (json: unknown) => emit(json, () => toJson(json))
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64")

/** ibc-go clienttypes.ParseHeight: `{revision}-{height}`, both uint64. */
export const parseHeight = (s: string): { revisionNumber: bigint; revisionHeight: bigint } | undefined => {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(s)
  if (!m) return undefined
  const [rn, rh] = [BigInt(m[1]!), BigInt(m[2]!)]
  return rn < 1n << 64n && rh < 1n << 64n ? { revisionNumber: rn, revisionHeight: rh } : undefined
}

/**
 * The transfer's arguments: `[port] channel receiver amount` (port `transfer` when three are given);
 * the amount is one coin, a trace-path denom turned into its `ibc/` voucher as ibc-go's CLI does.
 */
export const transferArgs = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    if (args.length !== 3 && args.length !== 4) return yield* fail(`expected [src-port] <src-channel> <receiver> <amount>, got ${args.length} arguments`)
    const [port, channel, receiver, amount] = args.length === 4 ? (args as [string, string, string, string]) : ["transfer", ...(args as [string, string, string])]
    const m = /^(\d+)([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/.exec(amount)
    if (!m) return yield* fail(`invalid amount ${JSON.stringify(amount)}: expected one coin like 100boot or 5ibc/27394FB0...`)
    const denom = m[2]!.startsWith("ibc/") ? m[2]! : ibcDenom(parseDenomTrace(m[2]!))
    return { port, channel, receiver, token: { denom, amount: BigInt(m[1]!).toString() } }
  })

/** Absolute timeouts from relative ones: the channel's client latest height and consensus time (ibc-go tx.go). */
const absoluteTimeouts = (port: string, channel: string, height: { revisionNumber: bigint; revisionHeight: bigint }, timestamp: bigint) =>
  Effect.gen(function* () {
    const cs = QueryChannelClientStateResponse.decode(yield* abciQuery("/ibc.core.channel.v1.Query/ChannelClientState", QueryChannelClientStateRequest.encode({ portId: port, channelId: channel }).finish()))
    const ics = cs.identifiedClientState
    if (!ics?.clientState) return yield* fail(`channel ${port}/${channel} has no client state`)
    if (ics.clientState.typeUrl !== "/ibc.lightclients.tendermint.v1.ClientState") return yield* fail(`client ${ics.clientId} is a ${ics.clientState.typeUrl}: only 07-tendermint clients are supported`)
    const latest = ClientState.decode(ics.clientState.value).latestHeight
    const cons = QueryConsensusStateResponse.decode(yield* abciQuery("/ibc.core.client.v1.Query/ConsensusState", QueryConsensusStateRequest.encode({
      clientId: ics.clientId, revisionNumber: latest.revisionNumber, revisionHeight: latest.revisionHeight, latestHeight: false
    }).finish()))
    const t = cons.consensusState ? ConsensusState.decode(cons.consensusState.value).timestamp : undefined
    const consensusNs = t ? t.seconds * 1_000_000_000n + BigInt(t.nanos) : 0n
    const nowNs = BigInt(Date.now()) * 1_000_000n
    const timeoutHeight = height.revisionNumber === 0n && height.revisionHeight === 0n
      ? height
      : { revisionNumber: latest.revisionNumber + height.revisionNumber, revisionHeight: latest.revisionHeight + height.revisionHeight }
    const timeoutTimestamp = timestamp === 0n ? 0n : (nowNs > consensusNs ? nowNs : consensusNs) + timestamp
    return { timeoutHeight, timeoutTimestamp }
  })

const transfer = Command.make("transfer", {
  args: Argument.String("args").pipe(Argument.withDescription("[src-port] <src-channel> <receiver> <amount> (port defaults to transfer)"), Argument.variadic({ min: 3, max: 4 })),
  from: Flag.String("from").pipe(Flag.withDescription("signer: key name or address in the keyring")),
  timeoutHeight: Flag.String("packet-timeout-height").pipe(Flag.withDescription("timeout height {revision}-{height}, relative unless --absolute-timeouts; 0-0 disables (default 0-1000)"), Flag.withDefault("0-1000")),
  timeoutTimestamp: Flag.String("packet-timeout-timestamp").pipe(Flag.withDescription("timeout in ns, relative unless --absolute-timeouts; 0 disables (default 600000000000, 10 minutes)"), Flag.withDefault("600000000000")),
  absolute: Flag.Boolean("absolute-timeouts").pipe(Flag.withDescription("the timeout flags are absolute"), Flag.withDefault(false)),
  memo: Flag.String("memo").pipe(Flag.withDescription("memo carried in the packet"), Flag.withDefault("")),
  gas: Flag.String("gas").pipe(Flag.withDescription("gas limit, or \"auto\" to simulate (default: auto)"), Flag.withDefault("auto")),
  gasAdjustment: Flag.String("gas-adjustment").pipe(Flag.withDescription("multiplier on simulated gas (default: 1.5)"), Flag.withDefault("1.5")),
  fees: Flag.String("fees").pipe(Flag.withDescription("fee coins, e.g. 500boot (default: gas × min gas price)"), Flag.optional),
  txMemo: Flag.String("note").pipe(Flag.withDescription("transaction memo (the SDK's --note)"), Flag.withDefault(""))
}, (o) =>
  Effect.gen(function* () {
    const { port, channel, receiver, token } = yield* transferArgs(o.args)
    const height = parseHeight(o.timeoutHeight)
    if (!height) return yield* fail(`invalid --packet-timeout-height ${JSON.stringify(o.timeoutHeight)}: expected height string format: {revision}-{height}`)
    if (!/^\d{1,20}$/.test(o.timeoutTimestamp) || BigInt(o.timeoutTimestamp) >= 1n << 64n) return yield* fail(`invalid --packet-timeout-timestamp ${JSON.stringify(o.timeoutTimestamp)}: nanoseconds as an unsigned integer`)
    const timestamp = BigInt(o.timeoutTimestamp)
    const timeouts = o.absolute ? { timeoutHeight: height, timeoutTimestamp: timestamp } : yield* absoluteTimeouts(port, channel, height, timestamp)
    const { calculateFee, defaultRegistryTypes, GasPrice, SigningStargateClient } = yield* Effect.promise(() => import("@cosmjs/stargate"))
    const { parseCoins, Registry } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const { keyring: k, config } = yield* keyring
    const node = yield* NodeUrl
    const key = yield* k.show(o.from)
    const wallet = yield* k.signer(key.name)
    const gasPrice = GasPrice.fromString(minGasPricesText(config))
    const client = yield* cliPromise(`cannot connect to ${node}`, () =>
      SigningStargateClient.connectWithSigner(node, wallet, { gasPrice, registry: new Registry([...defaultRegistryTypes, [MSG_TRANSFER_URL, MsgTransfer]]), broadcastPollIntervalMs: 250, broadcastTimeoutMs: 60_000 }))
    yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const msg = {
      typeUrl: MSG_TRANSFER_URL,
      value: MsgTransfer.fromPartial({ sourcePort: port, sourceChannel: channel, token, sender: key.address, receiver, ...timeouts, memo: o.memo })
    }
    const fees = yield* Effect.try({ try: () => Option.map(o.fees, parseCoins), catch: () => new CliFailure({ message: `invalid --fees ${JSON.stringify(Option.getOrElse(o.fees, () => ""))}` }) })
    let fee: StdFee | number
    if (o.gas === "auto") {
      const adj = Number(o.gasAdjustment)
      if (!(adj > 0)) return yield* fail(`invalid --gas-adjustment ${JSON.stringify(o.gasAdjustment)}: a positive number`)
      fee = Option.isSome(fees) ? { amount: fees.value, gas: String(Math.ceil((yield* cliPromise("simulation failed", () => client.simulate(key.address, [msg], o.txMemo))) * adj)) } : adj
    } else {
      if (!/^\d+$/.test(o.gas)) return yield* fail(`invalid --gas ${JSON.stringify(o.gas)}: a number or "auto"`)
      fee = Option.isSome(fees) ? { amount: fees.value, gas: o.gas } : calculateFee(Number(o.gas), gasPrice)
    }
    const r: DeliverTxResponse = yield* cliPromise("transaction failed", () => client.signAndBroadcast(key.address, [msg], fee, o.txMemo))
    const sequence = r.code === 0 && r.msgResponses[0] ? MsgTransferResponse.decode(r.msgResponses[0].value).sequence.toString() : undefined
    const out = {
      txhash: r.transactionHash, code: r.code, height: r.height, gas_wanted: r.gasWanted.toString(), gas_used: r.gasUsed.toString(),
      ...(sequence ? { sequence } : {}), denom: token.denom,
      timeout_height: `${timeouts.timeoutHeight.revisionNumber}-${timeouts.timeoutHeight.revisionHeight}`, timeout_timestamp: timeouts.timeoutTimestamp.toString(),
      raw_log: r.rawLog ?? ""
    }
    yield* show(out)
    if (r.code !== 0) return yield* fail(`transaction failed with code ${r.code}: ${r.rawLog ?? ""}`)
  }).pipe(Effect.scoped)
).pipe(Command.withDescription("Transfer a fungible token through IBC (ICS-20) from a keyring key"))

/** `tx ibc-transfer`. */
export const ibcTransferTxCommand = Command.make("ibc-transfer").pipe(Command.withDescription("IBC fungible token transfer transactions (ICS-20)"), Command.withSubcommands([transfer]))

const q = (method: string, data: Uint8Array) => abciQuery(TRANSFER_QUERY + method, data)

const denomTrace = Command.make("denom-trace", { hash: Argument.String("hash").pipe(Argument.withDescription("trace hash (hex) or ibc/<hash> denom")) }, (o) =>
  Effect.gen(function* () {
    const r = new BinaryReader(yield* q("DenomTrace", BinaryWriter.create().uint32(10).string(o.hash).finish()))
    let trace: DenomTrace | undefined
    while (r.pos < r.len) {
      const tag = r.uint32()
      if (tag === 10) trace = DenomTrace.decode(r, r.uint32())
      else r.skipType(tag & 7)
    }
    yield* show({ denom_trace: { path: trace?.path ?? "", base_denom: trace?.baseDenom ?? "" } })
  })).pipe(Command.withDescription("The denomination trace behind a voucher hash"))

const denomTraces = Command.make("denom-traces", {
  limit: Flag.Int("limit").pipe(Flag.withDescription("page size (default 100)"), Flag.withDefault(100)),
  pageKey: Flag.String("page-key").pipe(Flag.withDescription("base64 next_key of the previous page"), Flag.optional)
}, (o) =>
  Effect.gen(function* () {
    if (!Number.isSafeInteger(o.limit) || o.limit < 1) return yield* fail(`invalid --limit ${o.limit}: a positive integer`)
    const key = Option.isSome(o.pageKey) ? Uint8Array.from(Buffer.from(o.pageKey.value, "base64")) : new Uint8Array()
    const w = BinaryWriter.create()
    PageRequest.encode(PageRequest.fromPartial({ key, limit: BigInt(o.limit) }), w.uint32(10).fork()).ldelim()
    const r = new BinaryReader(yield* q("DenomTraces", w.finish()))
    const traces: DenomTrace[] = []
    let page: PageResponse | undefined
    while (r.pos < r.len) {
      const tag = r.uint32()
      if (tag === 10) traces.push(DenomTrace.decode(r, r.uint32()))
      else if (tag === 18) page = PageResponse.decode(r, r.uint32())
      else r.skipType(tag & 7)
    }
    yield* show({
      denom_traces: traces.map((t) => ({ path: t.path, base_denom: t.baseDenom })),
      pagination: { next_key: page && page.nextKey.length > 0 ? b64(page.nextKey) : null, total: (page?.total ?? 0n).toString() }
    })
  })).pipe(Command.withDescription("Every denomination trace, sorted by full path"))

const denomHash = Command.make("denom-hash", { trace: Argument.String("trace").pipe(Argument.withDescription("full denom path, e.g. transfer/channel-0/uatom")) }, (o) =>
  Effect.gen(function* () {
    const r = QueryDenomHashResponse.decode(yield* q("DenomHash", QueryDenomHashRequest.encode({ trace: o.trace }).finish()))
    yield* show({ hash: r.hash })
  })).pipe(Command.withDescription("The hash of a denomination trace (the voucher is ibc/<hash>)"))

const escrowAddress = Command.make("escrow-address", {
  port: Argument.String("port").pipe(Argument.withDescription("port id, e.g. transfer")),
  channel: Argument.String("channel").pipe(Argument.withDescription("channel id, e.g. channel-0"))
}, (o) =>
  Effect.gen(function* () {
    const r = QueryEscrowAddressResponse.decode(yield* q("EscrowAddress", QueryEscrowAddressRequest.encode({ portId: o.port, channelId: o.channel }).finish()))
    yield* emit({ escrow_address: r.escrowAddress }, () => r.escrowAddress)
  })).pipe(Command.withDescription("The escrow address of a channel"))

const totalEscrow = Command.make("total-escrow", { denom: Argument.String("denom").pipe(Argument.withDescription("denom, e.g. boot")) }, (o) =>
  Effect.gen(function* () {
    const r = QueryTotalEscrowForDenomResponse.decode(yield* q("TotalEscrowForDenom", QueryTotalEscrowForDenomRequest.encode({ denom: o.denom }).finish()))
    yield* show({ amount: { denom: r.amount.denom, amount: r.amount.amount } })
  })).pipe(Command.withDescription("The amount of a denom in escrow over all channels"))

const params = Command.make("params", {}, () =>
  Effect.gen(function* () {
    const r = QueryParamsResponse.decode(yield* q("Params", new Uint8Array()))
    yield* show({ params: { send_enabled: r.params?.sendEnabled ?? false, receive_enabled: r.params?.receiveEnabled ?? false } })
  })).pipe(Command.withDescription("Transfer parameters (send / receive enabled)"))

/** `query ibc-transfer`. */
export const ibcTransferQueryCommand = Command.make("ibc-transfer").pipe(
  Command.withDescription("IBC fungible token transfer queries (ICS-20)"),
  Command.withSubcommands([denomTrace, denomTraces, denomHash, escrowAddress, totalEscrow, params])
)
