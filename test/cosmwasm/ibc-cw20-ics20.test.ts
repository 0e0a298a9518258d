/**
 * The real-world case of contracts on IBC: a cw20 token sent over ICS-20. wasmd's e2e fixture
 * cw20_ics20 (cw-plus contracts/cw20-ics20 0.16, gzip) and cw20_base run on chain A; its port
 * `wasm.<ics20>` opens an UNORDERED `ics20-1` channel with chain B's ICS-20 `transfer` module
 * (modules/ibc/apps/transfer); a cw20 `send` to the ics20 contract becomes a packet that B's transfer
 * module mints as the voucher `ibc/<sha256(transfer/<channel>/cw20:<token>)>`; B's ack reaches the
 * contract, and sending the voucher back releases the cw20 tokens on A. Two in-process chains
 * (test/cosmwasm/ibc-support.ts), B with a twin app.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { sha256 } from "@noble/hashes/sha2.js"
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgTransfer } from "cosmjs-types/ibc/applications/transfer/v1/tx"
import { Order } from "cosmjs-types/ibc/core/channel/v1/channel"
import { ok } from "../ibc/core-chains.ts"
import { sentPackets, writtenAck } from "../ibc/programs-support.ts"
import { contractPair, executeMsg, instantiate, openContractChannel, smart, store } from "./ibc-support.ts"

const dec = new TextDecoder()
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64")

test("a cw20 token travels A -> B over ICS-20 through cw20-ics20 and comes back", async () => {
  const c = await contractPair({ twinB: true })
  const { pair, user } = c
  const cw20Code = await store(pair.a, user, "cw20_base.wasm")
  const token = await instantiate(pair.a, user, cw20Code, { name: "Cyber Token", symbol: "CYT", decimals: 6, initial_balances: [{ address: user.address, amount: "1000000" }], mint: null }, "cw20")
  const icsCode = await store(pair.a, user, "cw20_ics20.wasm.gz")
  const ics20 = await instantiate(pair.a, user, icsCode, { default_timeout: 3600, gov_contract: user.address, allowlist: [{ contract: token, gas_limit: null }] }, "cw20-ics20")
  const ch = await openContractChannel(pair, `wasm.${ics20}`, "transfer", Order.ORDER_UNORDERED, "ics20-1")
  assert.equal([ch.versionA, ch.versionB], ["ics20-1", "ics20-1"])
  // cw20 send to the ics20 contract with a TransferMsg
  const r = ok(await pair.a.tx(user, [executeMsg(user.address, token, { send: { contract: ics20, amount: "2500", msg: b64({ channel: ch.a, remote_address: user.address }) } })]), "cw20 send")
  const [packet] = sentPackets(r.events)
  assert.is(packet!.sourcePort, `wasm.${ics20}`)
  assert.is(packet!.destinationPort, "transfer")
  assert.equal(JSON.parse(dec.decode(packet!.data)), { amount: "2500", denom: `cw20:${token}`, receiver: user.address, sender: user.address })
  assert.equal(await smart(pair.a, token, { balance: { address: user.address } }), { balance: "997500" })
  assert.equal(await smart(pair.a, token, { balance: { address: ics20 } }), { balance: "2500" })
  const recv = ok(await pair.b.tx(pair.relayer, await pair.recvMsgs(pair.a, packet!)), "recv")
  const ack = writtenAck(recv)
  assert.is(dec.decode(ack), `{"result":"AQ=="}`)
  const voucher = `ibc/${Buffer.from(sha256(new TextEncoder().encode(`transfer/${ch.b}/cw20:${token}`))).toString("hex").toUpperCase()}`
  const bal = async (denom: string) =>
    QueryBalanceResponse.decode(await pair.b.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: user.address, denom }).finish())).balance!.amount
  assert.is(await bal(voucher), "2500")
  ok(await pair.a.tx(pair.relayer, await pair.ackMsgs(pair.b, packet!, ack)), "ack on A")
  // back: B's transfer module burns the voucher, cw20-ics20 on A releases the tokens
  const back = ok(await pair.b.tx(user, [{
    typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
    value: MsgTransfer.encode(MsgTransfer.fromPartial({
      sourcePort: "transfer", sourceChannel: ch.b, token: { denom: voucher, amount: "1000" }, sender: user.address, receiver: user.address,
      timeoutTimestamp: (pair.b.times.get(pair.b.height())! + 3_600_000_000_000n)
    })).finish()
  }]), "transfer back")
  const [returning] = sentPackets(back.events)
  assert.is(await bal(voucher), "1500")
  const home = ok(await pair.a.tx(pair.relayer, await pair.recvMsgs(pair.b, returning!)), "recv on A")
  // cw20-ics20's own success ack (Ics20Ack::Result(b"1")), written as the contract returned it
  assert.is(dec.decode(writtenAck(home)), `{"result":"MQ=="}`)
  assert.equal(await smart(pair.a, token, { balance: { address: user.address } }), { balance: "998500" })
  assert.equal(await smart(pair.a, token, { balance: { address: ics20 } }), { balance: "1500" })
})

test.run()
