// Simulation runs the delivery path: for the same state, the gas a simulation reports equals the
// gas the delivered tx uses, on success and on the error paths of CyberWasm calls (a callee that
// fails on the call-depth or stack-weight limit, a missing callee, a program error that fails the
// whole tx). Simulations are run on the signed tx bytes, as the chain sees them; the difference
// of a CosmJS-style simulation (empty fee and signature) is the ante step's fee deduction, not
// CyberWasm (docs/cyberwasm.md "Simulation and gas adjustment").
import { Registry } from "@cosmjs/proto-signing"
import { accountFromAny, defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { createHash } from "node:crypto"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { CHECK_TX_GAS_CAP } from "../../chain/Application.ts"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { CHAIN_ID, DEFAULT_GRANTS, makeWallet, TestChain } from "../auth/support/Chain.ts"
import { wat } from "./fixtures/wat.ts"
import { catcher, nester } from "./fixtures/nester.ts"


const GRANTS = [...DEFAULT_GRANTS, "cyberwasm->bank.send", "cyberwasm->bank.balance", "cyberwasm->cyberwasm.deliver"]
const enc = (s: string) => new TextEncoder().encode(s)
const test = suite("cyberwasm simulation")

test("simulated gas equals delivered gas for the same state, on success and error paths", async () => {
  const { wallet, addresses } = await makeWallet(1)
  const alice = addresses[0]!
  const chain = await TestChain.start({ extraMachines: [new CyberWasmMachine()], grants: GRANTS, balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000000000" }] }] })
  const client = await SigningStargateClient.offline(wallet, { registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes]) })
  const acc = accountFromAny((await chain.queryClient().auth.account(alice))!)
  let sequence = 0
  const sign = async (msgs: Array<{ typeUrl: string; value: unknown }>, gas: number) =>
    TxRaw.encode(await client.sign(alice, msgs, { amount: [{ denom: "boot", amount: String(gas / 100) }], gas: String(gas) }, "", { accountNumber: BigInt(acc.accountNumber), sequence: sequence++, chainId: CHAIN_ID })).finish()
  const simulate = async (tx: Uint8Array) => {
    const r = await chain.app.query({ path: "/cosmos.tx.v1beta1.Service/Simulate", data: SimulateRequest.encode({ txBytes: tx }).finish(), height: 0n, prove: false })
    return r.code === 0 ? { code: 0, gas: SimulateResponse.decode(r.value).gasInfo!.gasUsed, log: "" } : { code: r.code, gas: -1n, log: r.log }
  }
  const nest = nester(500)
  const hash = (b: Uint8Array) => createHash("sha256").update(b).digest()
  const stored = await chain.block([await sign([
    { typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: nest } },
    { typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: catcher } }
  ], 50_000_000)])
  assert.is(stored[0]!.code, 0, stored[0]!.log)
  const inst = (code: Uint8Array) => ({ typeUrl: M.TypeUrl.instantiate, value: { sender: alice, codeHash: hash(code), admin: alice, input: new Uint8Array(), reserve: 1_000_000n, label: "" } })
  const made = await chain.block([await sign([inst(catcher), ...Array(12).fill(inst(nest))], 100_000_000)])
  assert.is(made[0]!.code, 0, made[0]!.log)
  const catcherAddr = programAddress("cyber", 0n)
  const nesters = Array.from({ length: 12 }, (_, i) => programAddress("cyber", BigInt(i + 1)))
  const nestInput = (k: number, depth: number) => new Uint8Array([k, ...enc(nesters.slice(1, depth).join(","))])
  const viaCatcher = (target: string, input: Uint8Array) => new Uint8Array([target.length, ...enc(target), ...input])
  const exec = (program: string, input: Uint8Array) => ({ typeUrl: M.TypeUrl.execute, value: { sender: alice, program, input } })

  const cases: Array<{ name: string; program: string; input: Uint8Array; code: number; disc?: number }> = [
    { name: "nested calls succeed", program: catcherAddr, input: viaCatcher(nesters[0]!, nestInput(1, 3)), code: 0, disc: 0 },
    { name: "callee fails on the call-depth limit", program: catcherAddr, input: viaCatcher(nesters[0]!, nestInput(1, 12)), code: 0, disc: 1 },
    { name: "callee fails on the stack-weight limit", program: catcherAddr, input: viaCatcher(nesters[0]!, nestInput(60, 3)), code: 0, disc: 1 },
    { name: "callee does not exist", program: catcherAddr, input: viaCatcher(programAddress("cyber", 99n), nestInput(1, 1)), code: 0, disc: 1 },
    { name: "the same call again (pages now in the state)", program: catcherAddr, input: viaCatcher(nesters[0]!, nestInput(1, 3)), code: 0, disc: 0 },
    { name: "the program's error fails the tx", program: nesters[0]!, input: nestInput(60, 3), code: 3 }
  ]
  for (const c of cases) {
    const tx = await sign([exec(c.program, c.input)], 30_000_000)
    const sim = await simulate(tx)
    const check = await chain.checkTx(tx)
    const [delivered] = await chain.block([tx])
    assert.is(delivered!.code, c.code, `${c.name}: ${delivered!.log}`)
    // CheckTx runs the same path with the tx's own gas limit up to its gas cap (docs/chain.md "Gas
    // limits"): under it the same gas, success or failure; past it the tx is admitted on its ante step
    if (/admitted on its ante step/.test(check.log)) {
      assert.is(check.code, 0)
      assert.ok(delivered!.gasUsed > BigInt(CHECK_TX_GAS_CAP), `${c.name}: admitted at the cap, yet delivered used only ${delivered!.gasUsed}`)
    } else {
      assert.is(check.gasUsed, delivered!.gasUsed, `${c.name}: CheckTx ${check.gasUsed} vs delivered ${delivered!.gasUsed}`)
    }
    if (c.code === 0) {
      assert.is(sim.code, 0, `${c.name}: ${sim.log}`)
      assert.is(sim.gas, delivered!.gasUsed, `${c.name}: simulated ${sim.gas} vs delivered ${delivered!.gasUsed}`)
      const data = M.MsgExecuteResponse.decode(TxMsgData.decode(delivered!.data).msgResponses[0]!.value).data
      assert.is(data[0], c.disc, c.name)
    } else {
      // a failing tx is refused by Simulate with the same code and log as delivery gives
      assert.is(sim.code, c.code, c.name)
      assert.match(sim.log, /stack limit exceeded/)
    }
  }
})

test.run()
