/**
 * The machine conformance suite (test/machines/conformance.ts) on ICS-20's surface of the real
 * `ibc` machine: IbcMachine with core's test-double client and the TransferModule, its genesis an
 * active client, an OPEN connection and an OPEN unordered `transfer` channel, and one stored denom
 * trace. The fixture declares only transfer's MsgTransfer and query prefix (core's own messages
 * run under test/ibc/machine-conformance.test.ts; MsgUpdateParams needs the gov authority as
 * signer, so it is covered by transfer-app's refusal test instead). So malformed MsgTransfer
 * bodies and transfer queries must give typed errors, metering must hold (the escrow total's key
 * grows with the denom), genesis must round-trip, and revoking `machine:ibc bank.send` must refuse
 * the escrow with code 4 and change nothing.
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import {
  QueryDenomHashRequest, QueryDenomRequest, QueryDenomsRequest, QueryEscrowAddressRequest, QueryParamsRequest, QueryTotalEscrowForDenomRequest
} from "cosmjs-types/ibc/applications/transfer/v1/query"
import { MsgTransfer } from "cosmjs-types/ibc/applications/transfer/v1/tx"
import { BinaryWriter } from "cosmjs-types/binary"
import type { Machine } from "../../chain/Machine.ts"
import { IbcMachine } from "../../modules/ibc/Ibc.ts"
import { ibcDenom, parseDenomTrace } from "../../modules/ibc/apps/transfer/Denom.ts"
import { MSG_TRANSFER_URL, TRANSFER_QUERY, TransferModule } from "../../modules/ibc/apps/transfer/Transfer.ts"
import { baseMachines, type Keys, type MachineFixture } from "../machines/Fixture.ts"
import { machineConformance } from "../machines/conformance.ts"
import { testClientRoute, testClientState, testConsensusState } from "./core-support.ts"

const enc = new TextEncoder()
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64")
const H = (h: bigint) => ({ revisionNumber: 1n, revisionHeight: h })
const LONG_DENOM = "u" + "x".repeat(120)
const TRACE = { path: "transfer/channel-0", base_denom: "uatom" }

/** The ibc machine with only transfer's message and queries declared (the rest delegates unchanged). */
const transferSurface = (): Machine => {
  const ibc = new IbcMachine({ lightClients: [testClientRoute], apps: (core) => [new TransferModule({ bech32Prefix: "cyber", packetSender: core })] })
  return {
    name: ibc.name, version: ibc.version, grants: ibc.grants,
    msgTypeUrls: [MSG_TRANSFER_URL], queryPrefixes: [TRANSFER_QUERY],
    signers: (msg) => ibc.signers(msg),
    handle: (ctx, msg) => ibc.handle(ctx, msg),
    query: (ctx, path, data) => ibc.query(ctx, path, data),
    initGenesis: (ctx, g) => ibc.initGenesis(ctx, g),
    exportGenesis: (ctx) => ibc.exportGenesis(ctx)
  }
}

const ibcGenesis = () => ({
  client_genesis: {
    clients: [{ client_id: "99-test-0", store: [
      { key: "clientState", value: b64(testClientState("hash", H(100n), "counterparty-1").value) },
      { key: "consensusStates/1-100", value: b64(testConsensusState(1_600_000_000_000_000_000n, new Uint8Array(32).fill(7)).value) }
    ] }],
    next_client_sequence: "1"
  },
  connection_genesis: {
    connections: [{ id: "connection-0", client_id: "99-test-0", versions: [{ identifier: "1", features: ["ORDER_ORDERED", "ORDER_UNORDERED"] }], state: "STATE_OPEN", counterparty: { client_id: "99-test-9", connection_id: "connection-7", prefix: { key_prefix: b64(enc.encode("ibc")) } }, delay_period: "0" }],
    client_connection_paths: [{ client_id: "99-test-0", paths: ["connection-0"] }],
    next_connection_sequence: "1"
  },
  channel_genesis: {
    channels: [{ state: "STATE_OPEN", ordering: "ORDER_UNORDERED", counterparty: { port_id: "transfer", channel_id: "channel-5" }, connection_hops: ["connection-0"], version: "ics20-1", port_id: "transfer", channel_id: "channel-0" }],
    send_sequences: [{ port_id: "transfer", channel_id: "channel-0", sequence: "1" }],
    recv_sequences: [{ port_id: "transfer", channel_id: "channel-0", sequence: "1" }],
    ack_sequences: [{ port_id: "transfer", channel_id: "channel-0", sequence: "1" }],
    next_channel_sequence: "1"
  },
  apps: { transfer: { port_id: "transfer", denom_traces: [TRACE], params: { send_enabled: true, receive_enabled: true }, total_escrowed: [] } }
})

const transfer = (sender: string, denom = "boot", amount = "100", memo = ""): Any => ({
  typeUrl: MSG_TRANSFER_URL,
  value: MsgTransfer.encode(MsgTransfer.fromPartial({
    sourcePort: "transfer", sourceChannel: "channel-0", token: { denom, amount }, sender, receiver: "cosmos1receiver",
    timeoutHeight: H(1_000_000n), timeoutTimestamp: 0n, memo
  })).finish()
})

const voucher = ibcDenom(parseDenomTrace("transfer/channel-0/uatom"))

const fixture: MachineFixture = {
  name: "ibc",
  machines: () => [...baseMachines(), transferSurface()],
  genesis: (keys: Keys) => ({
    auth: { accounts: [] },
    bank: { balances: [{ address: keys.signer, coins: [{ denom: "boot", amount: "1000000000000000" }, { denom: LONG_DENOM, amount: "1000000" }].sort((a, b) => (a.denom < b.denom ? -1 : 1)) }] },
    ibc: ibcGenesis()
  }),
  messages: (keys) => [transfer(keys.signer)],
  queries: () => [
    { path: TRANSFER_QUERY + "DenomTrace", data: BinaryWriter.create().uint32(10).string(voucher).finish() },
    { path: TRANSFER_QUERY + "DenomTraces", data: new Uint8Array(), emptyValid: true },
    { path: TRANSFER_QUERY + "Denom", data: QueryDenomRequest.encode({ hash: voucher }).finish() },
    { path: TRANSFER_QUERY + "Denoms", data: QueryDenomsRequest.encode({}).finish(), emptyValid: true },
    { path: TRANSFER_QUERY + "DenomHash", data: QueryDenomHashRequest.encode({ trace: "transfer/channel-0/uatom" }).finish() },
    { path: TRANSFER_QUERY + "EscrowAddress", data: QueryEscrowAddressRequest.encode({ portId: "transfer", channelId: "channel-0" }).finish() },
    { path: TRANSFER_QUERY + "TotalEscrowForDenom", data: QueryTotalEscrowForDenomRequest.encode({ denom: "boot" }).finish() },
    { path: TRANSFER_QUERY + "Params", data: QueryParamsRequest.encode({}).finish(), emptyValid: true }
  ],
  sized: (keys) => [transfer(keys.signer, "boot"), transfer(keys.signer, LONG_DENOM)],
  crossCall: (keys) => ({
    message: transfer(keys.signer),
    grant: { principal: "machine:ibc", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }] } }
  })
}

machineConformance(fixture).run()
