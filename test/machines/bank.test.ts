// The machine conformance suite (test/machines/conformance.ts) on the bank machine (modules/bank).
import { QueryAllBalancesRequest, QueryBalanceRequest, QuerySupplyOfRequest, QueryTotalSupplyRequest } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgMultiSend, MsgSend, MsgUpdateParams } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { sha256 } from "@noble/hashes/sha2.js"
import { bankInterface } from "../../chain/generated/bank.ts"
import { formatAddress } from "../../modules/auth/Address.ts"
import { baseMachines, fundedGenesis, type MachineFixture } from "./Fixture.ts"
import { machineConformance } from "./conformance.ts"

const Q = "/cosmos.bank.v1beta1.Query/"
const boot = (amount: string) => [{ denom: "boot", amount }]
/** A fresh address with no account (derived from `tag`). */
const fresh = (tag: string): string => formatAddress(sha256(new TextEncoder().encode(tag)).subarray(0, 20), "cyber")
const send = (from: string, to: string, amount: string) =>
  ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: from, toAddress: to, amount: boot(amount) }).finish() })
const multiSend = (from: string, tos: ReadonlyArray<string>) => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
  value: MsgMultiSend.encode({
    inputs: [{ address: from, coins: boot(String(7 * tos.length)) }],
    outputs: tos.map((address) => ({ address, coins: boot("7") }))
  }).finish()
})
const method = (name: string, value: unknown) => ({ method: name, body: bankInterface.methods[name]!.request.encode(value) })

const fixture: MachineFixture = {
  name: "bank",
  machines: baseMachines,
  genesis: (keys) => fundedGenesis(keys),
  messages: (keys) => [send(keys.signer, keys.other, "1000"), multiSend(keys.signer, [keys.other, fresh("multi")])],
  authorityMessages: () => [{
    typeUrl: "/cosmos.bank.v1beta1.MsgUpdateParams",
    value: MsgUpdateParams.encode({ authority: formatAddress(moduleAccountBytes("gov"), "cyber"), params: { sendEnabled: [], defaultSendEnabled: true } }).finish()
  }],
  queries: (keys) => [
    { path: Q + "Balance", data: QueryBalanceRequest.encode({ address: keys.signer, denom: "boot" }).finish() },
    { path: Q + "AllBalances", data: QueryAllBalancesRequest.encode(QueryAllBalancesRequest.fromPartial({ address: keys.other })).finish() },
    { path: Q + "SupplyOf", data: QuerySupplyOfRequest.encode({ denom: "boot" }).finish() },
    { path: Q + "TotalSupply", data: QueryTotalSupplyRequest.encode({}).finish() }
  ],
  calls: (keys) => [
    method("send", { from: keys.signer, to: keys.other, amount: boot("5") }),
    method("balance", { address: keys.signer, denom: "boot" }),
    method("balances", { address: keys.signer }),
    method("supply", { denom: "boot" })
  ],
  sized: (keys) => [multiSend(keys.signer, [fresh("sized 0")]), multiSend(keys.signer, Array.from({ length: 8 }, (_, i) => fresh(`sized ${i + 1}`)))],
  crossCall: (keys) => ({
    message: send(keys.signer, fresh("cross call"), "10"),
    grant: { principal: "machine:bank", capability: { interface: "auth", method: "ensure-account", constraints: [] } }
  })
}

machineConformance(fixture).run()
