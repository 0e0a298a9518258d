/**
 * Attack review (evm): a tx refused AFTER its EVM execution pays nothing.
 *
 * Evm.ts handle() throws (code 18) when a frame that changed another machine's state through a
 * precompile reverted (`result.tainted`), and applyChanges throws (code 18) when a balance would
 * fall for a non-contract; both after runTx already ran the whole tx (up to block_gas_limit =
 * 30M gas). The message branch is discarded with the fee and the nonce: an Ethereum tx has no
 * ante fee, so the sender pays 0 and the SAME bytes stay valid. CheckTx runs with another block
 * context (Application.checkTx: blockHash empty -> prevrandao 0, last block's time), so a contract
 * that taints only when prevrandao != 0 passes CheckTx and ReCheck, stays in the mempool and is
 * proposed and executed again in every block, for free: unbounded free work for every validator.
 * A second trigger: any JS exception inside runTx becomes `{t: "invalid"}` in Worker.ts (refused,
 * code 18 via Evm.ts refusal()), e.g. the KZG point-evaluation precompile 0x0a, which throws "kzg
 * not initialized" because no kzg library is configured in the Common (Worker.ts commonFor).
 */
import { CheckTxType } from "cosmjs-types/tendermint/abci/types"
import { toBech32 } from "@cosmjs/encoding"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { encodeDeployData, encodeFunctionData, type Abi } from "viem"
import { accountOf, signSend } from "../registry/registryChain.ts"
import { ethEvent, evmQuery, openEvmChain, bankBalance } from "./fixtures/evmChain.ts"
import { attackContracts } from "./fixtures/attack-solidity.ts"


test("fixed, was a bug: evm free execution: a tx refused after execution (tainted precompile frame) pays no fee and keeps its nonce; CheckTx/ReCheck (prevrandao 0) accept it, so the same bytes run again every block", async () => {
  const chain = await openEvmChain()
  try {
    const { Burner } = attackContracts()
    const abi = Burner!.abi as Abi
    let res = await chain.next([await chain.sign(0, { nonce: 0, gas: 1_000_000n, data: encodeDeployData({ abi, bytecode: Burner!.bytecode }) })])
    const burner = ethEvent(res, 0).contract_address as `0x${string}`
    const [k1] = chain.keys
    res = await chain.next([await signSend(k1!, toBech32("cyber", Buffer.from(burner.slice(2), "hex")), "volt", "100", await accountOf(chain.app, k1!.address))])
    assert.is(res.txResults[0]!.code, 0, res.txResults[0]!.log)

    const attacker = chain.eth[1]!
    const tx = await chain.sign(1, { nonce: 0, gas: 16_000_000n, to: burner, data: encodeFunctionData({ abi, functionName: "burnThenTaint", args: [30_000n, chain.eth[2]!.account.address, "volt"] }) })
    const check = await chain.app.checkTx({ tx, type: CheckTxType.NEW })
    assert.is(check.code, 0, `CheckTx accepts it: ${check.log}`)

    const before = await bankBalance(chain.app, attacker.bech32)
    const runs: string[] = []
    for (let i = 0; i < 3; i++) {
      const t = performance.now()
      res = await chain.next([tx])
      const r = res.txResults[0]!
      runs.push(`block ${chain.height}: code ${r.code}, gas_used ${r.gasUsed}, ${Math.round(performance.now() - t)} ms`)
      const recheck = await chain.app.checkTx({ tx, type: CheckTxType.RECHECK })
      runs.push(`recheck code ${recheck.code}`)
    }
    const after = await bankBalance(chain.app, attacker.bech32)
    const nonce = (await evmQuery(chain.app, "Account", { address: attacker.account.address })).nonce
    // what Ethereum (and Ethermint) do: an executed tx pays for its gas and uses its nonce
    assert.ok(after < before, `executed 3 times for free: paid ${before - after}, nonce still ${String(nonce)}; ${runs.join("; ")}`)
  } finally {
    await chain.close()
  }
})

test("fixed, was a bug: evm kzg precompile: a STATICCALL to 0x0a (KZG point evaluation, Prague) throws inside @ethereumjs/evm (no kzg library), so the whole tx is 'invalid': refused after execution, no fee, nonce kept; with prevrandao it passes CheckTx and runs every block", async () => {
  const chain = await openEvmChain()
  try {
    const { Burner } = attackContracts()
    const abi = Burner!.abi as Abi
    let res = await chain.next([await chain.sign(0, { nonce: 0, gas: 1_000_000n, data: encodeDeployData({ abi, bytecode: Burner!.bytecode }) })])
    const burner = ethEvent(res, 0).contract_address as `0x${string}`
    const attacker = chain.eth[1]!
    const tx = await chain.sign(1, { nonce: 0, gas: 16_000_000n, to: burner, data: encodeFunctionData({ abi, functionName: "burnThenKzg", args: [30_000n] }) })
    const check = await chain.app.checkTx({ tx, type: CheckTxType.NEW })
    assert.is(check.code, 0, `CheckTx accepts it: ${check.log}`)
    const before = await bankBalance(chain.app, attacker.bech32)
    const runs: string[] = []
    for (let i = 0; i < 2; i++) {
      res = await chain.next([tx])
      runs.push(`block ${chain.height}: code ${res.txResults[0]!.code} "${res.txResults[0]!.log}"`)
    }
    const after = await bankBalance(chain.app, attacker.bech32)
    // Ethereum: the failing precompile call fails its frame (the caller goes on); the tx pays its gas,
    // and the same bytes are then refused by nonce
    assert.ok(after < before, `paid ${before - after}; ${runs.join("; ")}`)
    assert.match(runs[0]!, /code 0 ""/)
    assert.match(runs[1]!, /code 3 "nonce too low: expected 1, got 0"/)
  } finally {
    await chain.close()
  }
})

test.run()
