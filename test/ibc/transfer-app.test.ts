/**
 * ICS-20 transfer on the real Application (auth + bank, IAVL store, CosmJS-signed txs) with a
 * test-double `ibc` machine in place of core (transfer-support.ts): escrow and unescrow, voucher
 * mint and burn, refunds on timeout and on an error ack, error acks with ibc-go's codes and
 * nothing written, MsgTransfer validation, the bank capability limits, queries and genesis.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Output } from "cosmjs-types/cosmos/bank/v1beta1/bank"
import { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { DenomTrace } from "cosmjs-types/ibc/applications/transfer/v1/denomtrace"
import {
  QueryDenomHashRequest, QueryDenomHashResponse, QueryDenomRequest, QueryDenomResponse, QueryEscrowAddressRequest, QueryEscrowAddressResponse,
  QueryParamsResponse, QueryTotalEscrowForDenomRequest, QueryTotalEscrowForDenomResponse
} from "cosmjs-types/ibc/applications/transfer/v1/query"
import { MsgTransferResponse } from "cosmjs-types/ibc/applications/transfer/v1/tx"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import type { ExecContext } from "../../chain/Machine.ts"
import { ibcDenom, parseDenomTrace } from "../../modules/ibc/apps/transfer/Denom.ts"
import { packetDataBytes } from "../../modules/ibc/apps/transfer/PacketData.ts"
import { TRANSFER_GRANTS, TRANSFER_QUERY, TransferModule } from "../../modules/ibc/apps/transfer/Transfer.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import type { ChannelInfo } from "../../modules/ibc/PortModule.ts"
import { callAs, makeWallet } from "../auth/support/Chain.ts"
import { eventsOf, incoming, msgAck, msgRecv, msgTimeout, msgTransfer, startIbcChain, type IbcChain } from "./transfer-support.ts"

const { wallet, addresses } = await makeWallet(4)
const [alice, bob, relayer, dave] = addresses as [string, string, string, string]
const enc = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const VOUCHER = ibcDenom(parseDenomTrace("transfer/channel-0/uatom"))

const start = (o: { transfer?: unknown; blockedAddresses?: string[]; capabilities?: unknown } = {}) =>
  startIbcChain({
    wallet,
    balances: [
      { address: alice, coins: [{ denom: "boot", amount: "100000" }] },
      { address: bob, coins: [{ denom: "boot", amount: "100000" }] },
      { address: relayer, coins: [{ denom: "boot", amount: "100000" }] }
    ],
    channels: [["transfer/channel-0", { port: "transfer", channel: "channel-7" }], ["transfer/channel-1", { port: "transfer", channel: "channel-9" }]],
    ...o
  })

const escrow0 = (c: IbcChain) => c.ibc.transfer.escrowAddress("transfer", "channel-0")
const totalEscrow = async (c: IbcChain, denom: string) =>
  BigInt(QueryTotalEscrowForDenomResponse.decode((await c.query(TRANSFER_QUERY + "TotalEscrowForDenom", QueryTotalEscrowForDenomRequest.encode({ denom }).finish())).value).amount.amount)

/** Every entry of the ibc namespace (transfer's state), hex. */
const ibcState = (c: IbcChain) => [...c.chain.store.store("ibc").iterate()].map(([k, v]) => Buffer.from(k).toString("hex") + "=" + Buffer.from(v).toString("hex"))

/** Bring `amount` uatom vouchers to `to` on channel-0 (a counterparty's native token arriving). */
const receiveAtoms = async (c: IbcChain, to: string, amount: string, sequence = 1n) => {
  const packet = incoming(packetDataBytes({ denom: "uatom", amount, sender: "cosmos1counterparty", receiver: to, memo: "" }), { sequence })
  const res = await c.tx(relayer, [msgRecv(packet, relayer)])
  assert.is(res.code, 0, res.log)
  return res
}

test("send a native token: escrowed into the channel's escrow address, packet data as ibc-go's GetBytes, events, sequence", async () => {
  const c = await start()
  const res = await c.tx(alice, [msgTransfer({ sender: alice, receiver: "cosmos1receiver", denom: "boot", amount: "250", memo: "hi" })])
  assert.is(res.code, 0, res.log)
  assert.is(await c.balance(alice, "boot"), 100000n - 4000n - 250n)
  assert.is(await c.balance(escrow0(c), "boot"), 250n)
  assert.is(await totalEscrow(c, "boot"), 250n)
  assert.is(await c.supply("boot"), 300000n, "escrow moves, never mints or burns")
  const [p] = c.ibc.sender.sent
  assert.ok(p)
  assert.equal([p.sourcePort, p.sourceChannel, p.destinationPort, p.destinationChannel, p.sequence], ["transfer", "channel-0", "transfer", "channel-7", 1n])
  assert.is(text(p.data), `{"amount":"250","denom":"boot","memo":"hi","receiver":"cosmos1receiver","sender":"${alice}"}`)
  assert.equal(p.timeoutHeight, { revisionNumber: 1n, revisionHeight: 1000n })
  const response = TxMsgData.decode(res.data).msgResponses[0]!
  assert.is(response.typeUrl, "/ibc.applications.transfer.v1.MsgTransferResponse")
  assert.is(MsgTransferResponse.decode(response.value).sequence, 1n)
  assert.equal(eventsOf(res, "ibc_transfer")[0], { sender: alice, receiver: "cosmos1receiver", amount: "250", denom: "boot", memo: "hi", msg_index: "0" })
  assert.ok(eventsOf(res, "message").some((e) => e.module === "transfer"))
  // a second transfer takes the next sequence
  assert.is((await c.tx(alice, [msgTransfer({ sender: alice, receiver: "r", denom: "boot", amount: "1" })])).code, 0)
  assert.is(c.ibc.sender.sent[1]!.sequence, 2n)
})

test("receive a foreign token: voucher ibc/<hash> minted, trace stored and queryable, ack {\"result\":\"AQ==\"}, events", async () => {
  const c = await start()
  const res = await receiveAtoms(c, bob, "1000")
  assert.is(text(c.ibc.acks[0]!.bytes), `{"result":"AQ=="}`)
  assert.is(c.ibc.acks[0]!.success, true)
  assert.is(VOUCHER, "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2")
  assert.is(await c.balance(bob, VOUCHER), 1000n)
  assert.is(await c.supply(VOUCHER), 1000n)
  assert.equal(eventsOf(res, "denomination_trace")[0], { trace_hash: VOUCHER.slice(4), denom: VOUCHER, msg_index: "0" })
  const ftp = eventsOf(res, "fungible_token_packet")[0]!
  assert.equal([ftp.module, ftp.sender, ftp.receiver, ftp.denom, ftp.amount, ftp.success, ftp.error], ["transfer", "cosmos1counterparty", bob, "uatom", "1000", "true", undefined])
  // DenomTrace (v8) by hash and by ibc/ denom; Denom (v10); DenomHash
  for (const hash of [VOUCHER, VOUCHER.slice(4), VOUCHER.slice(4).toLowerCase()]) {
    const w = BinaryWriter.create().uint32(10).string(hash).finish()
    const r = await c.query(TRANSFER_QUERY + "DenomTrace", w)
    assert.is(r.code, 0, r.log)
    // QueryDenomTraceResponse {1: DenomTrace}
    assert.equal(DenomTrace.decode(r.value.subarray(2)), { path: "transfer/channel-0", baseDenom: "uatom" })
  }
  const d = QueryDenomResponse.decode((await c.query(TRANSFER_QUERY + "Denom", QueryDenomRequest.encode({ hash: VOUCHER }).finish())).value)
  assert.equal(d.denom, { base: "uatom", trace: [{ portId: "transfer", channelId: "channel-0" }] })
  const h = QueryDenomHashResponse.decode((await c.query(TRANSFER_QUERY + "DenomHash", QueryDenomHashRequest.encode({ trace: "transfer/channel-0/uatom" }).finish())).value)
  assert.is(h.hash, VOUCHER.slice(4))
  // a second receive of the same denom reuses the trace
  await receiveAtoms(c, dave, "5", 2n)
  assert.is(await c.balance(dave, VOUCHER), 5n)
})

test("send a voucher back (sink): burned from the sender, packet denom is the full trace path", async () => {
  const c = await start()
  await receiveAtoms(c, bob, "1000")
  const res = await c.tx(bob, [msgTransfer({ sender: bob, receiver: "cosmos1back", denom: VOUCHER, amount: "400" })])
  assert.is(res.code, 0, res.log)
  assert.is(await c.balance(bob, VOUCHER), 600n)
  assert.is(await c.supply(VOUCHER), 600n, "burned, not escrowed")
  assert.is(await c.balance(escrow0(c), VOUCHER), 0n)
  assert.is(text(c.ibc.sender.sent[0]!.data), `{"amount":"400","denom":"transfer/channel-0/uatom","receiver":"cosmos1back","sender":"${bob}"}`)
  // over the same voucher on another channel it is escrowed (this chain is the source for that path)
  const res2 = await c.tx(bob, [msgTransfer({ sender: bob, receiver: "x", denom: VOUCHER, amount: "100", channel: "channel-1" })])
  assert.is(res2.code, 0, res2.log)
  assert.is(await c.balance(c.ibc.transfer.escrowAddress("transfer", "channel-1"), VOUCHER), 100n)
  assert.is(await totalEscrow(c, VOUCHER), 100n)
})

test("receive our own token coming home: unescrowed from the channel's escrow to the receiver", async () => {
  const c = await start()
  assert.is((await c.tx(alice, [msgTransfer({ sender: alice, receiver: "cosmos1x", denom: "boot", amount: "500" })])).code, 0)
  // the counterparty sends back 200 of its voucher for transfer/channel-7/boot (its side of our channel-0)
  const packet = incoming(packetDataBytes({ denom: "transfer/channel-7/boot", amount: "200", sender: "cosmos1x", receiver: dave, memo: "" }))
  const res = await c.tx(relayer, [msgRecv(packet, relayer)])
  assert.is(res.code, 0, res.log)
  assert.is(text(c.ibc.acks[0]!.bytes), `{"result":"AQ=="}`)
  assert.is(await c.balance(dave, "boot"), 200n)
  assert.is(await c.balance(escrow0(c), "boot"), 300n)
  assert.is(await totalEscrow(c, "boot"), 300n)
  assert.is(eventsOf(res, "denomination_trace").length, 0)
})

test("refund on timeout: escrow back to the sender; a burnt voucher is minted again", async () => {
  const c = await start()
  assert.is((await c.tx(alice, [msgTransfer({ sender: alice, receiver: "cosmos1x", denom: "boot", amount: "700" })])).code, 0)
  const before = await c.balance(alice, "boot")
  const res = await c.tx(relayer, [msgTimeout(c.ibc.sender.sent[0]!, relayer)])
  assert.is(res.code, 0, res.log)
  assert.is(await c.balance(alice, "boot"), before + 700n)
  assert.is(await c.balance(escrow0(c), "boot"), 0n)
  assert.is(await totalEscrow(c, "boot"), 0n)
  assert.equal(eventsOf(res, "timeout")[0], { module: "transfer", refund_receiver: alice, refund_denom: "boot", refund_amount: "700", memo: "", msg_index: "0" })
  // voucher: burnt on send, minted back on timeout
  await receiveAtoms(c, bob, "50")
  assert.is((await c.tx(bob, [msgTransfer({ sender: bob, receiver: "cosmos1y", denom: VOUCHER, amount: "50" })])).code, 0)
  assert.is(await c.supply(VOUCHER), 0n)
  assert.is((await c.tx(relayer, [msgTimeout(c.ibc.sender.sent[1]!, relayer)])).code, 0)
  assert.is(await c.balance(bob, VOUCHER), 50n)
  assert.is(await c.supply(VOUCHER), 50n)
})

test("acknowledgements: an error ack refunds, a success ack does not; bad or non-canonical acks fail the tx and change nothing", async () => {
  const c = await start()
  assert.is((await c.tx(alice, [msgTransfer({ sender: alice, receiver: "cosmos1x", denom: "boot", amount: "300" })])).code, 0)
  assert.is((await c.tx(alice, [msgTransfer({ sender: alice, receiver: "cosmos1x", denom: "boot", amount: "20" })])).code, 0)
  const [p1, p2] = c.ibc.sender.sent as [never, never]
  const base = await c.balance(alice, "boot")
  const errAck = enc(`{"error":"ABCI code: 5: error handling packet: see events for details"}`)
  const res = await c.tx(relayer, [msgAck(p1, errAck, relayer)])
  assert.is(res.code, 0, res.log)
  assert.is(await c.balance(alice, "boot"), base + 300n)
  const ftp = eventsOf(res, "fungible_token_packet")
  assert.is(ftp[0]!.acknowledgement, `error:"ABCI code: 5: error handling packet: see events for details" `)
  assert.is(ftp[1]!.error, "ABCI code: 5: error handling packet: see events for details")
  // non-canonical bytes of a valid ack, malformed acks: refused with ibc-go's codes, nothing moves
  const state = ibcState(c)
  for (const [ack, codespace, code] of [[`{"result": "AQ=="}`, "ibc", 12], [`{"result":"AQ==","x":1}`, "ibc", 4], [`nope`, "ibc", 4]] as const) {
    const r = await c.tx(relayer, [msgAck(p2, enc(ack), relayer)])
    assert.equal([r.codespace, r.code], [codespace, code], `${ack}: ${r.log}`)
  }
  assert.is(await c.balance(alice, "boot"), base + 300n)
  assert.is(await c.balance(escrow0(c), "boot"), 20n)
  assert.equal(ibcState(c), state, "transfer state unchanged")
  const ok = await c.tx(relayer, [msgAck(p2, enc(`{"result":"AQ=="}`), relayer)])
  assert.is(ok.code, 0, ok.log)
  assert.is(eventsOf(ok, "fungible_token_packet")[0]!.acknowledgement, `result:"\\001" `)
  assert.is(eventsOf(ok, "fungible_token_packet")[1]!.success, "\u0001")
  assert.is(await c.balance(escrow0(c), "boot"), 20n, "success: the tokens stay escrowed")
})

test("receive failures: error acks carry ibc-go's ABCI codes, the event names the error, and nothing is written", async () => {
  const c = await start()
  await receiveAtoms(c, dave, "1", 100n) // some transfer state to keep
  const cases: Array<[string, string, RegExp]> = [
    ["not json", "ABCI code: 12", /cannot unmarshal ICS-20 transfer packet data: invalid type/],
    [text(packetDataBytes({ denom: "uatom", amount: "0", sender: "s", receiver: bob, memo: "" })), "ABCI code: 5", /error validating ICS-20 transfer packet data: amount must be strictly positive: got 0: invalid token amount/],
    [text(packetDataBytes({ denom: "uatom", amount: "5", sender: "s", receiver: "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a", memo: "" })), "ABCI code: 1", /failed to decode receiver address: cosmos1q+nrql8a: invalid Bech32 prefix; expected cyber, got cosmos/],
    [text(packetDataBytes({ denom: "transfer/channel-7/boot", amount: "5", sender: "s", receiver: bob, memo: "" })), "ABCI code: 5", /unable to unescrow tokens.*insufficient/],
    [text(packetDataBytes({ denom: "(bad)/channel-1/uatom", amount: "5", sender: "s", receiver: bob, memo: "" })), "ABCI code: 2", /invalid port ID at position 0/]
  ]
  for (const [i, [data, code, event]] of cases.entries()) {
    const before = ibcState(c)
    const bobBefore = await c.balance(bob, "boot")
    const res = await c.tx(relayer, [msgRecv(incoming(data, { sequence: BigInt(i + 1) }), relayer)])
    assert.is(res.code, 0, res.log)
    const ack = c.ibc.acks.at(-1)!
    assert.is(ack.success, false)
    assert.is(text(ack.bytes), `{"error":"${code}: error handling packet: see events for details"}`)
    // core renames a failed callback's events (ibc-go convertToErrorEvents)
    assert.is(eventsOf(res, "fungible_token_packet").length, 0)
    const ftp = eventsOf(res, "ibccallbackerror-fungible_token_packet")[0]!
    assert.is(ftp["ibccallbackerror-success"], "false")
    assert.match(ftp["ibccallbackerror-error"]!, event)
    assert.equal(ibcState(c), before, "transfer state unchanged")
    assert.is(await c.balance(bob, "boot"), bobBefore)
  }
  // no trace, no voucher, no supply from any failed receive
  assert.is(await c.supply(ibcDenom(parseDenomTrace("transfer/channel-0/(bad)/channel-1/uatom"))), 0n)
  assert.equal(decodeTraces((await c.query(TRANSFER_QUERY + "DenomTraces", new Uint8Array())).value).denomTraces, [{ path: "transfer/channel-0", baseDenom: "uatom" }])
  assert.is(await c.balance(bob, "boot"), 100000n)
})

test("receive disabled by params: error ack with transfer code 8; blocked receiver refused", async () => {
  const c = await start({ transfer: { port_id: "transfer", denom_traces: [], params: { send_enabled: false, receive_enabled: false }, total_escrowed: [] } })
  await c.tx(relayer, [msgRecv(incoming(packetDataBytes({ denom: "uatom", amount: "5", sender: "s", receiver: bob, memo: "" })), relayer)])
  assert.is(text(c.ibc.acks[0]!.bytes), `{"error":"ABCI code: 8: error handling packet: see events for details"}`)
  const send = await c.tx(alice, [msgTransfer({ sender: alice, receiver: "x", denom: "boot", amount: "1" })])
  assert.equal([send.codespace, send.code, send.log], ["transfer", 7, "fungible token transfers from this chain are disabled"])
  const params = QueryParamsResponse.decode((await c.query(TRANSFER_QUERY + "Params", new Uint8Array())).value)
  assert.equal(params.params, { sendEnabled: false, receiveEnabled: false })
  const b = await start({ blockedAddresses: [dave] })
  await b.tx(relayer, [msgRecv(incoming(packetDataBytes({ denom: "uatom", amount: "5", sender: "s", receiver: dave, memo: "" })), relayer)])
  assert.is(text(b.ibc.acks[0]!.bytes), `{"error":"ABCI code: 4: error handling packet: see events for details"}`)
  assert.is(await b.balance(dave, VOUCHER), 0n)
})

test("MsgTransfer validation: ibc-go's codespaces, codes and texts; nothing moves", async () => {
  const c = await start()
  const cases: Array<[Parameters<typeof msgTransfer>[0], string, number, RegExp]> = [
    [{ sender: alice, receiver: "r", denom: "boot", amount: "0" }, "ibc", 3, /^0boot: insufficient funds$/],
    [{ sender: alice, receiver: "r", denom: "b", amount: "5" }, "ibc", 6, /5b: invalid coins/],
    [{ sender: alice, receiver: "r", denom: "boot", amount: "5", channel: "ch" }, "host", 2, /^invalid source channel ID: identifier ch has invalid length: 2, must be between 8-64 characters: invalid identifier$/],
    [{ sender: alice, receiver: "r", denom: "boot", amount: "5", port: "t/x" }, "host", 2, /invalid source port ID: identifier t\/x cannot contain separator/],
    [{ sender: alice, receiver: "  ", denom: "boot", amount: "5" }, "ibc", 5, /^missing recipient address: invalid address$/],
    [{ sender: alice, receiver: "r".repeat(2049), denom: "boot", amount: "5" }, "ibc", 5, /recipient address must not exceed 2048 bytes/],
    [{ sender: alice, receiver: "r", denom: "boot", amount: "5", memo: "m".repeat(32769) }, "transfer", 11, /memo must not exceed 32768 bytes: invalid memo/],
    [{ sender: alice, receiver: "r", denom: "ibc/zz", amount: "5" }, "transfer", 3, /invalid denom trace hash zz/],
    [{ sender: alice, receiver: "r", denom: "ibc/" + "AB".repeat(32), amount: "5" }, "transfer", 6, /denomination trace not found/],
    [{ sender: alice, receiver: "r", denom: "boot", amount: "5", timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n } }, "channel", 13, /cannot both be 0/],
    [{ sender: alice, receiver: "r", denom: "boot", amount: "5", channel: "channel-5" }, "channel", 3, /^port ID \(transfer\) channel ID \(channel-5\): channel not found$/],
    // no channel: refused before the balance is looked at (ibc-go's order)
    [{ sender: alice, receiver: "r", denom: "boot", amount: "999999999", channel: "channel-5" }, "channel", 3, /channel not found/],
    [{ sender: alice, receiver: "r", denom: "boot", amount: "1000000" }, "sdk", 5, /insufficient/]
  ]
  for (const [m, codespace, code, log] of cases) {
    const before = await c.balance(alice, "boot")
    const res = await c.tx(alice, [msgTransfer(m)], "2000000")
    assert.equal([res.codespace, res.code], [codespace, code], res.log)
    assert.match(res.log, log)
    assert.is(await c.balance(alice, "boot"), before - 4000n, "only the fee is paid")
  }
  assert.is(await c.balance(escrow0(c), "boot"), 0n)
  assert.is(c.ibc.sender.sent.length, 0)
})

test("capabilities: the transfer module (machine:ibc) cannot mint a native denom or burn a non-signer's voucher", async () => {
  const c = await start()
  const errorOf = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      return e as { _tag: string; log: string }
    }
    throw new Error("expected an error")
  }
  const mint = (denom: string) => ({ target: "bank", method: "mint", body: Output.encode({ address: bob, coins: [{ denom, amount: "5" }] }).finish() })
  const e = errorOf(() => callAs(c.chain, [], "machine:ibc", mint("boot")))
  assert.is(e._tag, "CapabilityMissing")
  assert.match(e.log, /machine:ibc calls bank\.mint: bank\.mint \{coins\[\]\.denom: prefix "ibc\/"\} fails coins\[\]\.denom: prefix "ibc\/"/)
  callAs(c.chain, [], "machine:ibc", mint(VOUCHER))
  // burn: only the tx signer's vouchers
  const burn = { target: "bank", method: "burn", body: Output.encode({ address: bob, coins: [{ denom: VOUCHER, amount: "1" }] }).finish() }
  assert.is(errorOf(() => callAs(c.chain, [], "machine:ibc", burn, { signers: [alice] }))._tag, "CapabilityMissing")
  callAs(c.chain, [], "machine:ibc", burn, { signers: [bob] })
})

test("an amount of 2^256-1 sends the whole balance (ibc-go's unbounded spend limit); MsgUpdateParams only from gov", async () => {
  const c = await start()
  await receiveAtoms(c, bob, "777")
  const res = await c.tx(bob, [msgTransfer({ sender: bob, receiver: "r", denom: VOUCHER, amount: ((1n << 256n) - 1n).toString() })])
  assert.is(res.code, 0, res.log)
  assert.is(await c.balance(bob, VOUCHER), 0n)
  assert.is(eventsOf(res, "ibc_transfer")[0]!.amount, ((1n << 256n) - 1n).toString(), "the event shows the message's amount, as ibc-go's msg server")
  assert.match(text(c.ibc.sender.sent[0]!.data), /"amount":"777"/)
  const update = { typeUrl: "/ibc.applications.transfer.v1.MsgUpdateParams", value: { signer: alice, params: { sendEnabled: false, receiveEnabled: false } } }
  const refused = await c.tx(alice, [update])
  assert.equal([refused.codespace, refused.code], ["ibc", 2])
  assert.match(refused.log, /^expected cyber1\w+, got cyber1\w+: unauthorized$/)
  assert.equal(QueryParamsResponse.decode((await c.query(TRANSFER_QUERY + "Params", new Uint8Array())).value).params, { sendEnabled: true, receiveEnabled: true })
})

test("without its bank.mint grant the module cannot mint: the receive is an error ack (code 4) and nothing is minted", async () => {
  const grants = [
    ...new AuthMachine().grants!, ...new BankMachine().grants,
    ...TRANSFER_GRANTS.filter((g) => g.capability.method !== "mint")
  ]
  const c = await start({ capabilities: { grants } })
  const packet = incoming(packetDataBytes({ denom: "uatom", amount: "9", sender: "s", receiver: bob, memo: "" }))
  const res = await c.tx(relayer, [msgRecv(packet, relayer)])
  assert.is(res.code, 0, res.log)
  assert.is(text(c.ibc.acks[0]!.bytes), `{"error":"ABCI code: 4: error handling packet: see events for details"}`)
  assert.match(eventsOf(res, "ibccallbackerror-fungible_token_packet")[0]!["ibccallbackerror-error"]!, /failed to mint IBC tokens: capability missing: machine:ibc holds no capability bank\.mint/)
  assert.is(await c.supply(VOUCHER), 0n)
})

test("channel handshake callbacks: unordered ics20-1 on port transfer only, ibc-go's errors", () => {
  const t = new TransferModule({ bech32Prefix: "cyber", packetSender: { sendPacket: () => 1n } })
  const ch = (o: Partial<ChannelInfo> = {}): ChannelInfo => ({
    order: "ORDER_UNORDERED", connectionHops: ["connection-0"], portId: "transfer", channelId: "channel-0", counterpartyPortId: "transfer",
    counterpartyChannelId: "", version: "", ...o
  })
  const ctx = {} as ExecContext
  const err = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      const x = e as { codespace: string; code: number; log: string }
      return [x.codespace, x.code, x.log]
    }
    throw new Error("expected an error")
  }
  assert.is(t.onChanOpenInit(ctx, ch()), "ics20-1")
  assert.is(t.onChanOpenInit(ctx, ch({ version: "ics20-1" })), "ics20-1")
  assert.equal(err(() => t.onChanOpenInit(ctx, ch({ version: "ics20-2" }))), ["transfer", 4, "expected ics20-1, got ics20-2: invalid ICS20 version"])
  assert.equal(err(() => t.onChanOpenInit(ctx, ch({ order: "ORDER_ORDERED" }))), ["channel", 6, "expected ORDER_UNORDERED channel, got ORDER_ORDERED : invalid channel ordering"])
  assert.equal(err(() => t.onChanOpenInit(ctx, ch({ portId: "other" }))), ["port", 4, "invalid port: other, expected transfer: invalid port"])
  assert.equal(err(() => t.onChanOpenInit(ctx, ch({ channelId: "channel-4294967296" })))[1], 9)
  assert.is(t.onChanOpenInit(ctx, ch({ channelId: "channel-4294967295" })), "ics20-1")
  assert.is(t.onChanOpenTry(ctx, ch(), "something-else"), "ics20-1")
  assert.equal(err(() => t.onChanOpenTry(ctx, ch({ order: "ORDER_ORDERED" }), "ics20-1"))[0], "channel")
  t.onChanOpenAck(ctx, ch(), "ics20-1")
  assert.equal(err(() => t.onChanOpenAck(ctx, ch(), "ics20-2")), ["transfer", 4, "invalid counterparty version: expected ics20-1, got ics20-2: invalid ICS20 version"])
  assert.equal(err(() => t.onChanCloseInit(ctx, ch())), ["ibc", 8, "user cannot close channel: invalid request"])
  t.onChanOpenConfirm(ctx, ch())
  t.onChanCloseConfirm(ctx, ch())
})

test("queries: escrow address, total escrow, traces paginated and sorted; bad input answers sdk 18 / 22", async () => {
  const c = await start()
  const ea = QueryEscrowAddressResponse.decode((await c.query(TRANSFER_QUERY + "EscrowAddress", QueryEscrowAddressRequest.encode({ portId: "transfer", channelId: "channel-0" }).finish())).value)
  assert.is(ea.escrowAddress, escrow0(c))
  for (const [i, d] of ["uatom", "uosmo", "ujuno"].entries()) {
    const packet = incoming(packetDataBytes({ denom: d, amount: "1", sender: "s", receiver: bob, memo: "" }), { sequence: BigInt(i + 1) })
    assert.is((await c.tx(relayer, [msgRecv(packet, relayer)])).code, 0)
  }
  const page = (limit: bigint, key?: Uint8Array) => {
    const w = BinaryWriter.create()
    PageRequest.encode(PageRequest.fromPartial({ limit, key: key ?? new Uint8Array() }), w.uint32(10).fork()).ldelim()
    return w.finish()
  }
  const all = await c.query(TRANSFER_QUERY + "DenomTraces", page(10n))
  assert.is(all.code, 0, all.log)
  const { denomTraces, nextKey } = decodeTraces(all.value)
  assert.equal(denomTraces.map((t) => t.baseDenom), ["uatom", "ujuno", "uosmo"], "sorted by full path")
  assert.is(nextKey.length, 0)
  const first = decodeTraces((await c.query(TRANSFER_QUERY + "DenomTraces", page(2n))).value)
  assert.is(first.denomTraces.length, 2)
  const second = decodeTraces((await c.query(TRANSFER_QUERY + "DenomTraces", page(2n, first.nextKey))).value)
  assert.is(second.denomTraces.length, 1)
  const bad = await c.query(TRANSFER_QUERY + "DenomTrace", BinaryWriter.create().uint32(10).string("xyz").finish())
  assert.equal([bad.codespace, bad.code], ["sdk", 18])
  const missing = await c.query(TRANSFER_QUERY + "DenomTrace", BinaryWriter.create().uint32(10).string("AB".repeat(32)).finish())
  assert.equal([missing.codespace, missing.code], ["sdk", 22])
  assert.match(missing.log, /denomination trace not found/)
  const hashBad = await c.query(TRANSFER_QUERY + "DenomHash", QueryDenomHashRequest.encode({ trace: "transfer/channel-1/" }).finish())
  assert.equal([hashBad.codespace, hashBad.code], ["sdk", 18], "a trace without base denom")
  const hashMissing = await c.query(TRANSFER_QUERY + "DenomHash", QueryDenomHashRequest.encode({ trace: "transfer/channel-9/uatom" }).finish())
  assert.equal([hashMissing.codespace, hashMissing.code], ["sdk", 22])
  const unknown = await c.query(TRANSFER_QUERY + "Nope", new Uint8Array())
  assert.is(unknown.code, 6)
  const eaBad = await c.query(TRANSFER_QUERY + "EscrowAddress", QueryEscrowAddressRequest.encode({ portId: "transfer", channelId: "ch/0" }).finish())
  assert.equal([eaBad.codespace, eaBad.code], ["sdk", 18])
  assert.match(eaBad.log, /identifier ch\/0 cannot contain separator/)
  const escrowBad = await c.query(TRANSFER_QUERY + "TotalEscrowForDenom", QueryTotalEscrowForDenomRequest.encode({ denom: "!" }).finish())
  assert.equal([escrowBad.codespace, escrowBad.code], ["sdk", 18])
})

test("genesis: export after activity imports into a new chain with the same transfer state; invalid genesis refused", async () => {
  const c = await start()
  await receiveAtoms(c, bob, "10")
  assert.is((await c.tx(alice, [msgTransfer({ sender: alice, receiver: "r", denom: "boot", amount: "42" })])).code, 0)
  const exported = c.ibc.transfer.exportGenesis({ store: c.chain.store.store("ibc") })
  assert.equal(exported, {
    port_id: "transfer",
    denom_traces: [{ path: "transfer/channel-0", base_denom: "uatom" }],
    params: { send_enabled: true, receive_enabled: true },
    total_escrowed: [{ denom: "boot", amount: "42" }]
  })
  const d = await start({ transfer: exported })
  assert.equal(d.ibc.transfer.exportGenesis({ store: d.chain.store.store("ibc") }), exported)
  for (const bad of [
    { port_id: "other" },
    { denom_traces: [{ path: "transfer", base_denom: "uatom" }] },
    { denom_traces: [{ path: "transfer/channel-0", base_denom: "uatom" }, { path: "transfer/channel-0", base_denom: "uatom" }] },
    { total_escrowed: [{ denom: "boot", amount: "-1" }] },
    { params: { send_enabled: "yes", receive_enabled: true } }
  ]) {
    let failed = false
    try {
      await start({ transfer: bad })
    } catch {
      failed = true
    }
    assert.ok(failed, JSON.stringify(bad))
  }
})

/** QueryDenomTracesResponse {1: repeated DenomTrace, 2: PageResponse}. */
const decodeTraces = (bytes: Uint8Array) => {
  const r = new BinaryReader(bytes)
  const denomTraces: DenomTrace[] = []
  let nextKey: Uint8Array = new Uint8Array()
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag === 10) denomTraces.push(DenomTrace.decode(r, r.uint32()))
    else if (tag === 18) nextKey = PageResponse.decode(r, r.uint32()).nextKey
    else r.skipType(tag & 7)
  }
  return { denomTraces, nextKey }
}

test.run()
