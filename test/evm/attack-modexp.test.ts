/**
 * Attack review (evm): the MODEXP precompile (0x05) of @ethereumjs/evm computes x^E mod m by
 * shifting E one bit at a time (expMod: `power >>= 1n`), each shift copying the whole bigint, so
 * its time is quadratic in the exponent's length while EIP-2565 prices it linearly (~8*len/3 gas).
 * Measured here: a 40 kB exponent (~135k gas) keeps the worker ~2 s (~70k gas/s), a 200 kB one
 * (~650k gas) passes the bridge's 120 s timeout (test/evm/attack-bridge-timeout.test.ts), so one
 * block of a few such txs (30M gas each) stalls every node for minutes or more.
 * Fix direction: refuse/price MODEXP exponents past a bound (EIP-7823's 1024-byte limit and EIP-7883
 * pricing, i.e. the Osaka rules for 0x05) or override 0x05 with a linear-time implementation.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { encodeDeployData, encodeFunctionData, type Abi } from "viem"
import { ethEvent, openEvmChain } from "./fixtures/evmChain.ts"
import { attackContracts } from "./fixtures/attack-solidity.ts"

test("fixed, was a bug: evm MODEXP DoS: a ~135k gas tx keeps the EVM worker busy ~2 s (quadratic expMod priced linearly by EIP-2565): gas does not bound a block's time", async () => {
  const chain = await openEvmChain()
  try {
    const { ModexpBomb } = attackContracts()
    const abi = ModexpBomb!.abi as Abi
    let res = await chain.next([await chain.sign(0, { nonce: 0, gas: 1_000_000n, data: encodeDeployData({ abi, bytecode: ModexpBomb!.bytecode }) })])
    const bomb = ethEvent(res, 0).contract_address as `0x${string}`
    const rows: Array<{ len: bigint; gas: bigint; ms: number }> = []
    let nonce = 1
    for (const len of [10_000n, 40_000n]) {
      const tx = await chain.sign(0, { nonce: nonce++, gas: 5_000_000n, to: bomb, data: encodeFunctionData({ abi, functionName: "bomb", args: [len] }) })
      const t = performance.now()
      res = await chain.next([tx])
      const ms = performance.now() - t
      const ev = ethEvent(res, 0)
      // status 1: it ran; status 0: the input was refused (out of gas), e.g. once MODEXP is bounded
      rows.push({ len, gas: BigInt(ev.gas_used!), ms })
    }
    const report = rows.map((r) => `exponent ${r.len} B: ${r.gas} gas in ${Math.round(r.ms)} ms (${Math.round((Number(r.gas) / r.ms) * 1000)} gas/s)`).join("; ")
    // A 30M gas tx must stay far below the 120 s bridge timeout on any validator: at least
    // ~1M gas per second of block time is the least a gas schedule must guarantee.
    for (const r of rows) assert.ok(Number(r.gas) / (r.ms / 1000) > 1_000_000, `MODEXP: ${report}`)
  } finally {
    await chain.close()
  }
})

test.run()
