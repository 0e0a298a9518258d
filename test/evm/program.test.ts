/**
 * A CyberWasm program reads a Solidity contract through the evm machine's interface: the program
 * (WAT, built in the test) forwards its input, a `call-request` body, to query_machine("evm",
 * "call") and returns the answer; msg.sender is the program's own account. `program:*` holds
 * evm.call from the plugin's grants. The ERC-20 is deployed with a viem-signed Ethereum tx.
 */
import { createHash } from "node:crypto"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { decodeFunctionResult, encodeDeployData, encodeFunctionData, type Abi } from "viem"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { loadPlugin } from "../../node/Plugins.ts"
import { pluginHost } from "../../plugins/Host.ts"
import type { EvmMachine } from "../../plugins/evm/Evm.ts"
import { evmCodecs } from "../../plugins/evm/internal/Codecs.ts"
import { forwarderProgram } from "../cyberwasm/fixtures/wat.ts"
import { baseMachines, fundedGenesis } from "../machines/Fixture.ts"
import { Chain, makeKey } from "../machines/support/Chain.ts"
import { EVM_DIR, ethKeys } from "./fixtures/evmChain.ts"
import { contracts } from "./fixtures/solidity.ts"

const codecs = evmCodecs(pluginHost)

test("a CyberWasm program reads an ERC-20's balanceOf and name through evm.call, as itself", async () => {
  const signer = await makeKey("evm program signer")
  const [alice] = ethKeys(1)
  const evm = (await loadPlugin(EVM_DIR, { bech32Prefix: "cyber", bondDenom: "boot" })).machine as EvmMachine
  const chain = await Chain.open([...baseMachines(), new CyberWasmMachine(), evm])
  try {
    const genesis = fundedGenesis({ signer: signer.address, other: signer.address }) as { bank: { balances: unknown[] } }
    genesis.bank.balances.push({ address: alice!.bech32, coins: [{ denom: "boot", amount: "1000000000000" }] })
    await chain.init(genesis)
    const { Token } = contracts()
    const abi = Token!.abi as Abi
    const deploy = await alice!.account.signTransaction({
      chainId: 1337, type: "eip1559", nonce: 0, gas: 2_000_000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n,
      data: encodeDeployData({ abi, bytecode: Token!.bytecode, args: ["Cyber Token", "CYT", 777n] })
    })
    const dr = await chain.tx(new Uint8Array(Buffer.from(deploy.slice(2), "hex")))
    assert.is(dr.code, 0, dr.log)
    const token = dr.events.find((e) => e.type === "ethereum_tx")!.attributes.find((a) => a.key === "contract_address")!.value
    const code = forwarderProgram("evm", "call")
    for (const msg of [
      { typeUrl: M.TypeUrl.storeCode, value: M.MsgStoreCode.encode({ sender: signer.address, wasmByteCode: code }) },
      { typeUrl: M.TypeUrl.instantiate, value: M.MsgInstantiate.encode({ sender: signer.address, codeHash: createHash("sha256").update(code).digest(), admin: signer.address, input: new Uint8Array(), reserve: 1_000_000n, label: "reader", address: "" }) }
    ]) {
      const r = await chain.tx(await chain.sign(signer, [msg]))
      assert.is(r.code, 0, r.log)
    }
    const program = programAddress("cyber", 0n)
    const request = (data: `0x${string}`) => codecs.callRequest.encode({ to: token, data: new Uint8Array(Buffer.from(data.slice(2), "hex")), gas: 0n })
    const balanceOf = encodeFunctionData({ abi, functionName: "balanceOf", args: [alice!.account.address] })
    // in a transaction
    const r = await chain.tx(await chain.sign(signer, [{ typeUrl: M.TypeUrl.execute, value: M.MsgExecute.encode({ sender: signer.address, program, input: request(balanceOf) }) }]))
    assert.is(r.code, 0, r.log)
    const out = codecs.callResponse.decode(M.MsgExecuteResponse.decode(TxMsgData.decode(r.data).msgResponses[0]!.value).data)
    assert.is(out.status, 1)
    assert.is(decodeFunctionResult({ abi, functionName: "balanceOf", data: `0x${Buffer.from(out.returnData).toString("hex")}` }), 777n)
    // outside a block, read-only
    const q = await chain.query(M.QueryPath.dispatch, M.QueryDispatch.encode({ address: program, input: request(encodeFunctionData({ abi, functionName: "name" })) }))
    assert.is(q.code, 0, q.log)
    const named = codecs.callResponse.decode(M.QueryDispatchResponse.decode(q.value).data)
    assert.is(decodeFunctionResult({ abi, functionName: "name", data: `0x${Buffer.from(named.returnData).toString("hex")}` }), "Cyber Token")
    // a reverting call answers status 0 with the reason, and a state-changing call cannot change state (read-only)
    const transfer = encodeFunctionData({ abi, functionName: "transfer", args: [alice!.account.address, 1n] })
    const t = await chain.query(M.QueryPath.dispatch, M.QueryDispatch.encode({ address: program, input: request(transfer) }))
    const tr = codecs.callResponse.decode(M.QueryDispatchResponse.decode(t.value).data)
    assert.is(tr.status, 0, "the program holds no tokens")
    assert.is(tr.revertReason, "ERC20: transfer amount exceeds balance")

    // the caller pays the EVM gas from its own meter: a call that never ends spends the tx's gas, not the node's
    const { Deep } = contracts()
    const deepAbi = Deep!.abi as Abi
    const made = await chain.tx(new Uint8Array(Buffer.from((await alice!.account.signTransaction({
      chainId: 1337, type: "eip1559", nonce: 1, gas: 1_000_000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, data: encodeDeployData({ abi: deepAbi, bytecode: Deep!.bytecode })
    })).slice(2), "hex")))
    const deep = made.events.find((e) => e.type === "ethereum_tx")!.attributes.find((a) => a.key === "contract_address")!.value
    const spin = codecs.callRequest.encode({ to: deep, data: new Uint8Array(Buffer.from(encodeFunctionData({ abi: deepAbi, functionName: "spin" }).slice(2), "hex")), gas: 0n })
    const spun = await chain.tx(await chain.sign(signer, [{ typeUrl: M.TypeUrl.execute, value: M.MsgExecute.encode({ sender: signer.address, program, input: spin }) }], 2_000_000))
    assert.ok(spun.gasUsed >= 2_000_000n * 9n / 10n, `the tx paid for the spin: ${spun.gasUsed} of 2000000`)
    const after = await chain.tx(await chain.sign(signer, [{ typeUrl: M.TypeUrl.execute, value: M.MsgExecute.encode({ sender: signer.address, program, input: request(balanceOf) }) }]))
    assert.is(after.code, 0, "the chain goes on")
  } finally {
    await evm.close()
    await chain.close()
  }
})

test.run()
