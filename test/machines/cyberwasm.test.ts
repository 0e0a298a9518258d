// The machine conformance suite (test/machines/conformance.ts) on the CyberWasm machine
// (modules/cyberwasm), using the AssemblyScript examples (the counter program and its v2 upgrade).
import { createHash } from "node:crypto"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"
import { toBech32 } from "@cosmjs/encoding"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { baseMachines, fundedGenesis, type MachineFixture } from "./Fixture.ts"
import { machineConformance } from "./conformance.ts"

const wasm = await buildExamples(["counter", "counter_v2", "registry", "token"])
const hash = (b: Uint8Array): Uint8Array => createHash("sha256").update(b).digest()
const enc = (s: string) => new TextEncoder().encode(s)
const counter = programAddress("cyber", 0n)
const store = (sender: string, code: Uint8Array) => ({ typeUrl: M.TypeUrl.storeCode, value: M.MsgStoreCode.encode({ sender, wasmByteCode: code }) })

const fixture: MachineFixture = {
  name: "cyberwasm",
  machines: () => [...baseMachines(), new CyberWasmMachine()],
  genesis: (keys) => fundedGenesis(keys),
  messages: (keys) => [
    store(keys.signer, wasm.counter!),
    store(keys.signer, wasm.counter_v2!),
    {
      typeUrl: M.TypeUrl.instantiate,
      value: M.MsgInstantiate.encode({ sender: keys.signer, codeHash: hash(wasm.counter!), admin: keys.signer, input: new Uint8Array(), reserve: 1_000_000n, label: "counter", address: "" })
    },
    { typeUrl: M.TypeUrl.execute, value: M.MsgExecute.encode({ sender: keys.signer, program: counter, input: enc("inc") }) },
    { typeUrl: M.TypeUrl.deposit, value: M.MsgDeposit.encode({ sender: keys.signer, program: counter, amount: 500n }) },
    { typeUrl: M.TypeUrl.upgrade, value: M.MsgUpgrade.encode({ sender: keys.signer, program: counter, codeHash: hash(wasm.counter_v2!), input: new Uint8Array() }) }
  ],
  authorityMessages: () => [{
    typeUrl: M.TypeUrl.updateParams,
    value: M.MsgUpdateParams.encode({ authority: toBech32("cyber", moduleAccountBytes("gov")), params: M.ChainParamsProto.encode({ maxCodeBytes: 500_000n, maxCallGas: 2_000_000n }) })
  }],
  queries: () => [
    { path: M.QueryPath.params, data: new Uint8Array() },
    { path: M.QueryPath.program, data: M.QueryAddress.encode({ address: counter }) },
    { path: M.QueryPath.reserve, data: M.QueryAddress.encode({ address: counter }) },
    { path: M.QueryPath.schedule, data: M.QueryAddress.encode({ address: counter }) },
    { path: M.QueryPath.page, data: M.QueryPage.encode({ address: counter, page: 0 }) },
    { path: M.QueryPath.dispatch, data: M.QueryDispatch.encode({ address: counter, input: enc("get") }) },
    { path: M.QueryPath.code, data: M.QueryCode.encode({ codeHash: hash(wasm.counter!) }) }
  ],
  sized: (keys) => [store(keys.signer, wasm.registry!), store(keys.signer, wasm.token!)],
  crossCall: (keys) => ({
    message: { typeUrl: M.TypeUrl.deposit, value: M.MsgDeposit.encode({ sender: keys.signer, program: counter, amount: 7n }) },
    grant: { principal: "machine:cyberwasm", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }] } }
  })
}

machineConformance(fixture).run()
