/**
 * Crash safety: a node (real CLI, child process) under a steady stream of signed transactions is
 * killed with SIGKILL at random moments (mid-block, mid-commit, idle) several times. After each
 * restart it resumes at or above the last height seen, every block seen before the kill has the
 * same hash and app hash, and every transaction seen committed is still there with its result.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { SigningStargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { makeHome, rpc, startNode } from "./harness.ts"

const KILLS = 6
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test(`SIGKILL ${KILLS} times under load: no committed block or tx is lost or changed`, async () => {
  const h = await makeHome(100)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
  const signer = await SigningStargateClient.offline(wallet)
  const seen = new Map<number, { hash: string; appHash: string }>()
  const committed = new Map<string, number>()
  let txIndex = 0
  let rnd = 12345
  const random = () => ((rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)

  for (let round = 0; round <= KILLS; round++) {
    const node = await startNode(h)
    try {
      // Everything seen before earlier kills is still there, unchanged.
      const status = await rpc(h.rpcUrl, "status")
      const height = Number(status.sync_info.latest_block_height)
      const maxSeen = Math.max(0, ...seen.keys())
      assert.ok(height >= maxSeen, `round ${round}: restarted at ${height}, below last seen ${maxSeen}`)
      for (const [hgt, want] of seen) {
        const b = await rpc(h.rpcUrl, "block", { height: String(hgt) })
        assert.is(b.block_id.hash, want.hash, `block ${hgt} hash after restart ${round}`)
        assert.is(b.block.header.app_hash, want.appHash, `block ${hgt} app hash after restart ${round}`)
      }
      for (const [hash, hgt] of committed) {
        const t = await rpc(h.rpcUrl, "tx", { hash: `0x${hash}` })
        assert.is(Number(t.height), hgt, `tx ${hash} height after restart ${round}`)
        assert.is(t.tx_result.code, 0)
      }
      if (round === KILLS) break

      // Load: sign and broadcast sends with a locally tracked sequence until the kill.
      const client = await SigningStargateClient.connect(h.rpcUrl)
      const account = await client.getAccount(h.devAddress)
      let sequence = account!.sequence
      const accountNumber = account!.accountNumber
      const killAt = performance.now() + 300 + random() * 1700
      const pending: string[] = []
      while (performance.now() < killAt) {
        const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: h.devAddress, toAddress: h.devAddress, amount: [{ denom: "boot", amount: String(++txIndex) }] } }
        const raw = await signer.sign(h.devAddress, [msg], { amount: [{ denom: "boot", amount: "2000" }], gas: "100000" }, "", { accountNumber, sequence, chainId: h.chainId })
        const bytes = TxRaw.encode(raw).finish()
        const r = await rpc(h.rpcUrl, "broadcast_tx_sync", { tx: "0x" + Buffer.from(bytes).toString("hex") })
        if (r.code === 0) {
          sequence++
          pending.push(r.hash)
        }
        // Record what is committed so far (what a client would have seen).
        const st = await rpc(h.rpcUrl, "status")
        const tip = Number(st.sync_info.latest_block_height)
        for (let hgt = Math.max(1, tip - 3); hgt <= tip; hgt++) {
          if (seen.has(hgt)) continue
          const b = await rpc(h.rpcUrl, "block", { height: String(hgt) })
          seen.set(hgt, { hash: b.block_id.hash, appHash: b.block.header.app_hash })
        }
        while (pending.length > 0) {
          const t = await fetch(`${h.rpcUrl}/tx?hash=0x${pending[0]}`).then((x) => x.json() as Promise<{ result?: { height: string } }>)
          if (!t.result) break
          committed.set(pending.shift()!, Number(t.result.height))
        }
        await sleep(random() * 30)
      }
      client.disconnect()
    } finally {
      await node.kill("SIGKILL")
    }
  }
  console.log(`crash test: ${KILLS} kills, ${seen.size} blocks and ${committed.size} committed txs checked after each restart`)
  assert.ok(committed.size >= KILLS, `enough committed txs observed (${committed.size})`)
  assert.ok(seen.size >= KILLS * 2, `enough blocks observed (${seen.size})`)
})

test.run()
