// A CyberWasm program verifies a Groth16 proof by calling the zk machine: the program (WAT, built
// in the test) passes its input, a `verify` request body, to query_machine("zk", "verify") and
// returns the machine's answer; the zk plugin machine runs alongside cyberwasm in the real
// multiplexer. `program:*` holds zk.verify from the plugin's grants (no capabilities section in
// genesis, so each machine's grants apply).
import { createHash } from "node:crypto"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { pluginHost } from "../../plugins/Host.ts"
import createZk, { MSG_STORE_KEY, ZkMachine } from "../../plugins/zk/Zk.ts"
import { zkCodecs } from "../../plugins/zk/internal/Codecs.ts"
import { Chain, makeKey, type Key } from "../machines/support/Chain.ts"
import { baseMachines, fundedGenesis } from "../machines/Fixture.ts"
import { buildCircuit, keyHashOf, releaseSnarkjs, type Circuit } from "./fixtures/circuit.ts"
import { verifierProgram } from "./fixtures/client.ts"

const codecs = zkCodecs(pluginHost)
const enc = (s: string) => new TextEncoder().encode(s)

let signer: Key
let circuit: Circuit
let chain: Chain

test.before(async () => {
  signer = await makeKey("zk program signer")
  circuit = await buildCircuit(1)
  await releaseSnarkjs()
  chain = await Chain.open([...baseMachines(), new CyberWasmMachine(), createZk({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost })])
  await chain.init(fundedGenesis({ signer: signer.address, other: signer.address }))
})
test.after(async () => {
  await chain?.close()
})

test("a CyberWasm program calls zk.verify: true for the proof, false for a changed input, an error for an unknown key; in a tx and in a query", async () => {
  const code = verifierProgram()
  const tx = async (msgs: Array<{ typeUrl: string; value: Uint8Array }>) => {
    const r = await chain.tx(await chain.sign(signer, msgs))
    assert.is(r.code, 0, r.log)
    return r
  }
  await tx([{ typeUrl: M.TypeUrl.storeCode, value: M.MsgStoreCode.encode({ sender: signer.address, wasmByteCode: code }) }])
  await tx([{
    typeUrl: M.TypeUrl.instantiate,
    value: M.MsgInstantiate.encode({ sender: signer.address, codeHash: createHash("sha256").update(code).digest(), admin: signer.address, input: new Uint8Array(), reserve: 1_000_000n, label: "verifier", address: "" })
  }])
  const program = programAddress("cyber", 0n)
  await tx([{ typeUrl: MSG_STORE_KEY, value: codecs.msgStoreKey.encode({ sender: signer.address, key: enc(circuit.vkey) }) }])
  const keyHash = keyHashOf(circuit.vkey)
  const request = (publicInputs: ReadonlyArray<string>, hash = keyHash) => codecs.verifyRequest.encode({ keyHash: hash, proof: enc(circuit.proof), publicInputs })

  // in a transaction (MsgExecute): the program's output is the machine's verify-response
  const execute = async (input: Uint8Array) => {
    const r = await chain.tx(await chain.sign(signer, [{ typeUrl: M.TypeUrl.execute, value: M.MsgExecute.encode({ sender: signer.address, program, input }) }]))
    return r
  }
  const yes = await execute(request(circuit.publicSignals))
  assert.is(yes.code, 0, yes.log)
  const out = M.MsgExecuteResponse.decode(TxMsgData.decode(yes.data).msgResponses[0]!.value).data
  assert.equal(codecs.verifyResponse.decode(out), { valid: true })
  const no = await execute(request([circuit.publicSignals[0]!, "6"]))
  assert.is(no.code, 0, no.log)
  assert.equal(codecs.verifyResponse.decode(M.MsgExecuteResponse.decode(TxMsgData.decode(no.data).msgResponses[0]!.value).data), { valid: false })
  // an error of the zk machine reaches the program as err(string), which it returns: the execution fails naming it
  const unknown = await execute(request(circuit.publicSignals, "ef".repeat(32)))
  assert.is.not(unknown.code, 0)
  assert.match(unknown.log, /unknown verifying key/)

  // outside a block (QueryDispatch, read-only): the same answers
  const dispatch = async (input: Uint8Array) => {
    const r = await chain.query(M.QueryPath.dispatch, M.QueryDispatch.encode({ address: program, input }))
    assert.is(r.code, 0, r.log)
    return codecs.verifyResponse.decode(M.QueryDispatchResponse.decode(r.value).data)
  }
  assert.equal(await dispatch(request(circuit.publicSignals)), { valid: true })
  assert.equal(await dispatch(request(["39", "5"])), { valid: false })
})

test("without the plugin's program:* grant the same call is refused: capability missing, naming the program and zk.verify", async () => {
  class Ungranted extends ZkMachine {
    override readonly grants = []
  }
  const c = await Chain.open([...baseMachines(), new CyberWasmMachine(), new Ungranted({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost })])
  try {
    await c.init(fundedGenesis({ signer: signer.address, other: signer.address }))
    const code = verifierProgram()
    const run = async (msg: { typeUrl: string; value: Uint8Array }) => c.tx(await c.sign(signer, [msg]))
    assert.is((await run({ typeUrl: M.TypeUrl.storeCode, value: M.MsgStoreCode.encode({ sender: signer.address, wasmByteCode: code }) })).code, 0)
    const inst = await run({
      typeUrl: M.TypeUrl.instantiate,
      value: M.MsgInstantiate.encode({ sender: signer.address, codeHash: createHash("sha256").update(code).digest(), admin: signer.address, input: new Uint8Array(), reserve: 1_000_000n, label: "verifier", address: "" })
    })
    assert.is(inst.code, 0, inst.log)
    assert.is((await run({ typeUrl: MSG_STORE_KEY, value: codecs.msgStoreKey.encode({ sender: signer.address, key: enc(circuit.vkey) }) })).code, 0)
    const program = programAddress("cyber", 0n)
    const input = codecs.verifyRequest.encode({ keyHash: keyHashOf(circuit.vkey), proof: enc(circuit.proof), publicInputs: circuit.publicSignals })
    const r = await run({ typeUrl: M.TypeUrl.execute, value: M.MsgExecute.encode({ sender: signer.address, program, input }) })
    assert.is.not(r.code, 0)
    assert.match(r.log, new RegExp(`program:${program} holds no capability zk\\.verify`))
  } finally {
    await c.close()
  }
})

test.run()
