/**
 * Golden results of a fixed block (issue 15 item 3): the per-tx cost work on the transaction path
 * (cheaper cross-machine calls, pooled writers, reused contexts) may change how fast a result
 * comes, never the result. The digests below were recorded at commit d4417ae, before that work:
 * every CheckTx response, every ExecTxResult (code, gas wanted and used, log, data, events) and the
 * app hash of the block must stay byte-identical. A change that alters them on purpose (new gas
 * costs, new events) records new digests here and says so in its commit.
 *
 * The block mixes what the fast paths touch: fee debits through `bank.send`, new accounts through
 * `auth.ensure-account`, a first-use public key, several messages in one tx, MsgMultiSend, an
 * overdraw (fee and sequence kept, messages dropped), a wrong sequence, too little fee for the
 * node's floor (CheckTx) and an unknown denom.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { createHash } from "node:crypto"
import type { EncodeObject } from "@cosmjs/proto-signing"
import { fee, makeWallet, msgSend, signTx, TestChain } from "../auth/support/Chain.ts"
import { getAccount } from "../../modules/auth/Accounts.ts"
import { parseAddress } from "../../modules/auth/Address.ts"

const { wallet, addresses } = await makeWallet(4)
const [alice, bob, carol, dave] = addresses as [string, string, string, string]

const multiSend = (from: string, outs: ReadonlyArray<[string, string]>): EncodeObject => {
  const total = outs.reduce((s, [, a]) => s + BigInt(a), 0n)
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
    value: { inputs: [{ address: from, coins: [{ denom: "boot", amount: String(total) }] }], outputs: outs.map(([address, amount]) => ({ address, coins: [{ denom: "boot", amount }] })) }
  }
}

/** sha256 over a canonical text of each result: what a node stores and indexes. */
const digest = (rows: ReadonlyArray<{ code: number; gasWanted: bigint; gasUsed: bigint; log: string; data: Uint8Array; events: ReadonlyArray<{ type: string; attributes: ReadonlyArray<{ key: string; value: string; index: boolean }> }> }>): string => {
  const h = createHash("sha256")
  for (const r of rows) {
    h.update(JSON.stringify([r.code, String(r.gasWanted), String(r.gasUsed), r.log, Buffer.from(r.data).toString("hex"), r.events.map((e) => [e.type, e.attributes.map((a) => [a.key, a.value, a.index])])]))
    h.update("\n")
  }
  return h.digest("hex")
}

const GOLDEN = {
  check: "2b7a9cc1e94a5da931416a823df2f0c21ace3d625302faf91a0ede9082ed8e05",
  block: "0acc39f32973bdfc2d45941329266c5420b92c5e640369c44a4fc0b4453cbad6",
  appHash: "92e5618f25f0bbf9753227205c7ce9ed984e267fa83f0bf53e04611f7ee2e269"
}

test("a fixed block gives the CheckTx responses, tx results and app hash recorded before the lean-path work", async () => {
  const chain = await TestChain.start({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000" }] }, { address: bob, coins: [{ denom: "boot", amount: "50000" }] }] })
  const snap = await chain.store.snapshot()
  const accountNumber = (a: string) => Number(getAccount(snap.store("auth"), parseAddress(a, "cyber"))!.base.accountNumber)
  const an = accountNumber(alice)
  const bn = accountNumber(bob)
  const txs = [
    await signTx(wallet, alice, [msgSend(alice, carol, "100")], fee("2000"), { accountNumber: an, sequence: 0 }),
    await signTx(wallet, alice, [msgSend(alice, dave, "7"), msgSend(alice, bob, "3"), multiSend(alice, [[carol, "5"], [dave, "6"]])], fee("3000", "300000"), { accountNumber: an, sequence: 1 }, "golden memo"),
    await signTx(wallet, bob, [msgSend(bob, carol, "40000")], fee("2000"), { accountNumber: bn, sequence: 0 }),
    await signTx(wallet, bob, [msgSend(bob, carol, "999999")], fee("2000"), { accountNumber: bn, sequence: 1 }),
    await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: an, sequence: 7 }),
    await signTx(wallet, alice, [msgSend(alice, bob, "1", "nocoin")], fee("2000"), { accountNumber: an, sequence: 2 }),
    await signTx(wallet, alice, [msgSend(alice, carol, "1")], fee("1"), { accountNumber: an, sequence: 3 })
  ]
  const checks = []
  for (const tx of txs) checks.push(await chain.checkTx(tx))
  const results = await chain.block(txs)
  const got = { check: digest(checks.map((c) => ({ ...c, data: c.data ?? new Uint8Array() }))), block: digest(results), appHash: chain.appHash() }
  if (process.env.GOLDEN_PRINT) console.log(JSON.stringify(got))
  assert.equal(checks.map((c) => c.code), [0, 0, 0, 5, 32, 5, 13], checks.map((c) => c.log).join(" / "))
  // the block exercises what it should: successes, a kept-fee failure, a wrong sequence
  assert.equal(results.map((r) => r.code), [0, 0, 0, 5, 32, 5, 0])
  assert.equal(got, GOLDEN)
})

test.run()
