/**
 * Attack review (evm): module accounts that bank refuses as MsgSend recipients (BankConfig
 * blockedModuleAccounts, SDK blockedAddrs: mint, distribution, bonded/not-bonded pools, fee
 * collector) can be paid through the EVM. plugins/evm/internal/Apply.ts pays every payee with the
 * bank CALL API send (modules/bank/Bank.ts onCall.send), which does not check blocked recipients;
 * the bank precompile's send (non-EVM denoms) goes through the same path. So anyone puts coins in
 * the bonded_tokens_pool / distribution account by a plain value transfer to sha256(name)[:20],
 * breaking the invariants blockedAddrs exist for (pool balance = bonded tokens; distribution
 * balance = outstanding rewards + community pool).
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { toBech32 } from "@cosmjs/encoding"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { ethEvent, openEvmChain, bankBalance } from "./fixtures/evmChain.ts"

const moduleAddr = (name: string) => sha256(new TextEncoder().encode(name)).subarray(0, 20)

test("fixed, was a bug: evm blocked module accounts: a value transfer pays bonded_tokens_pool / distribution / mint, which bank refuses as MsgSend recipients", async () => {
  const chain = await openEvmChain()
  try {
    const names = ["bonded_tokens_pool", "not_bonded_tokens_pool", "distribution", "mint"]
    const got: string[] = []
    let nonce = 0
    for (const name of names) {
      const bech = toBech32("cyber", moduleAddr(name))
      const before = await bankBalance(chain.app, bech)
      const res = await chain.next([await chain.sign(0, { nonce: nonce, gas: 50_000n, to: `0x${Buffer.from(moduleAddr(name)).toString("hex")}` as `0x${string}`, value: 777n })])
      const r = res.txResults[0]!
      if (r.code === 0) nonce++
      const status = r.code === 0 ? ethEvent(res, 0).status : `refused ${r.code}`
      const delta = (await bankBalance(chain.app, bech)) - before
      if (delta !== 0n) got.push(`${name} +${delta} (tx ${status})`)
    }
    assert.equal(got, [], `blocked module accounts paid through the EVM: ${got.join(", ")}`)
  } finally {
    await chain.close()
  }
})

test.run()
