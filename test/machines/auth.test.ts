// The machine conformance suite (test/machines/conformance.ts) on the auth machine (modules/auth):
// no messages of its own; its cross-machine call is the ante step's fee debit (bank.send).
import { QueryAccountRequest, QueryParamsRequest } from "cosmjs-types/cosmos/auth/v1beta1/query"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { authInterface } from "../../chain/generated/auth.ts"
import { baseMachines, fundedGenesis, type MachineFixture } from "./Fixture.ts"
import { machineConformance } from "./conformance.ts"

const Q = "/cosmos.auth.v1beta1.Query/"
const method = (name: string, value: unknown) => ({ method: name, body: authInterface.methods[name]!.request.encode(value) })

const fixture: MachineFixture = {
  name: "auth",
  machines: baseMachines,
  genesis: (keys) => fundedGenesis(keys),
  messages: () => [],
  queries: (keys) => [
    { path: Q + "Account", data: QueryAccountRequest.encode({ address: keys.signer }).finish() },
    { path: Q + "Params", data: QueryParamsRequest.encode({}).finish() }
  ],
  calls: (keys) => [method("ensure-account", { address: keys.other }), method("account", { address: keys.signer })],
  crossCall: (keys) => ({
    message: { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: keys.signer, toAddress: keys.other, amount: [{ denom: "boot", amount: "1" }] }).finish() },
    grant: { principal: "machine:auth", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }] } }
  })
}

machineConformance(fixture).run()
