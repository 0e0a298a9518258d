/**
 * Full-node sync end to end (issue 14 item 5): a producer started by the CLI serves
 * `/cyberkernel/sync/1` while CosmJS puts transactions in its blocks; a full node started by the
 * CLI with `--sync-from` (fresh home: it takes the producer's genesis) reaches height 500 with
 * the producer's app hash and block id at every height, follows 50 new blocks live, answers the
 * same CosmJS balance queries and finds the synced txs, and refuses broadcasts.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice, SigningStargateClient, StargateClient } from "@cosmjs/stargate"
import { startNode, type NodeProcess } from "../e2e/harness.ts"
import { appHashes, heightOf, makeFullNodeHome, makeProducerHome, startFullNode, waitHeight, type ProducerHome } from "./support.ts"

const TARGET = 500

interface Ctx {
  p: ProducerHome
  pn: NodeProcess
  client: SigningStargateClient
  alice: string
  recipients: string[]
  sent: Array<{ hash: string; height: number }>
  f: { home: string; rpcUrl: string }
  fn: NodeProcess & { readonly exited: Promise<number | null> }
}

const test = suite<Ctx>("sync-e2e")

const blockIds = async (rpcUrl: string, from: number, to: number): Promise<Map<number, string>> => {
  const out = new Map<number, string>()
  for (let lo = from; lo <= to; lo += 20) {
    const r = await fetch(`${rpcUrl}/blockchain?minHeight=${lo}&maxHeight=${Math.min(to, lo + 19)}`)
    const j = (await r.json()) as { result: { block_metas: Array<{ block_id: { hash: string }; header: { height: string } }> } }
    for (const m of j.result.block_metas) out.set(Number(m.header.height), m.block_id.hash)
  }
  return out
}

const sameChain = async (ctx: Ctx, from: number, to: number): Promise<void> => {
  const [pa, fa, pb, fb] = await Promise.all([appHashes(ctx.p.rpcUrl, from, to), appHashes(ctx.f.rpcUrl, from, to), blockIds(ctx.p.rpcUrl, from, to), blockIds(ctx.f.rpcUrl, from, to)])
  for (let h = from; h <= to; h++) {
    assert.ok(pa.get(h), `producer has block ${h}`)
    assert.is(fa.get(h), pa.get(h), `app hash at height ${h}`)
    assert.is(fb.get(h), pb.get(h), `block id at height ${h}`)
  }
}

test.before(async (ctx) => {
  ctx.p = await makeProducerHome(20)
  ctx.pn = await startNode(ctx.p)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(ctx.p.mnemonic, { prefix: "cyber" })
  ctx.alice = (await wallet.getAccounts())[0]!.address
  ctx.client = await SigningStargateClient.connectWithSigner(ctx.p.rpcUrl, wallet, { gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 50 })
  ctx.recipients = []
  for (let i = 0; i < 3; i++) ctx.recipients.push((await (await DirectSecp256k1HdWallet.generate(12, { prefix: "cyber" })).getAccounts())[0]!.address)
  // transactions spread over the first blocks, until the chain passes the target
  ctx.sent = []
  let i = 0
  while ((await heightOf(ctx.p.rpcUrl)) < TARGET + 2) {
    if (ctx.sent.length < 30) {
      const res = await ctx.client.sendTokens(ctx.alice, ctx.recipients[i++ % 3]!, [{ denom: "boot", amount: String(1000 + i) }], "auto")
      assert.is(res.code, 0, res.rawLog)
      ctx.sent.push({ hash: res.transactionHash, height: res.height })
    } else {
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  ctx.f = await makeFullNodeHome()
})

test.after(async (ctx) => {
  ctx.client?.disconnect()
  await ctx.fn?.kill("SIGTERM")
  await ctx.pn?.kill("SIGTERM")
})

test(`a full node started with --sync-from reaches height ${TARGET} with the producer's app hash and block id at every height`, async (ctx) => {
  ctx.fn = await startFullNode(ctx.f.home, ctx.f.rpcUrl, ctx.p.syncAddr)
  await waitHeight(ctx.f.rpcUrl, TARGET, 240_000, ctx.fn.output)
  assert.match(ctx.fn.output(), `genesis of chain ${ctx.p.chainId} fetched from ${ctx.p.syncAddr}`)
  assert.ok(ctx.sent.filter((s) => s.height <= TARGET).length >= 10, "blocks below the target carry txs")
  await sameChain(ctx, 1, TARGET)
})

test("it follows 50 new blocks live, including a block with a new transaction", async (ctx) => {
  const start = await heightOf(ctx.p.rpcUrl)
  const res = await ctx.client.sendTokens(ctx.alice, ctx.recipients[0]!, [{ denom: "boot", amount: "777" }], "auto", "live")
  assert.is(res.code, 0, res.rawLog)
  ctx.sent.push({ hash: res.transactionHash, height: res.height })
  await waitHeight(ctx.f.rpcUrl, start + 50, 120_000, ctx.fn.output)
  await sameChain(ctx, start, start + 50)
  const lag = (await heightOf(ctx.p.rpcUrl)) - (await heightOf(ctx.f.rpcUrl))
  assert.ok(lag <= 20, `the full node keeps up (lag ${lag} blocks)`)
})

test("CosmJS balance queries answer the same on both nodes; synced txs are found on the full node", async (ctx) => {
  const last = ctx.sent[ctx.sent.length - 1]!
  await waitHeight(ctx.f.rpcUrl, last.height + 1, 60_000, ctx.fn.output)
  const [qp, qf] = await Promise.all([StargateClient.connect(ctx.p.rpcUrl), StargateClient.connect(ctx.f.rpcUrl)])
  try {
    for (const a of [ctx.alice, ...ctx.recipients]) {
      const [bp, bf] = await Promise.all([qp.getBalance(a, "boot"), qf.getBalance(a, "boot")])
      assert.is(bf.amount, bp.amount, `balance of ${a}`)
    }
    assert.not.equal((await qf.getBalance(ctx.recipients[0]!, "boot")).amount, "0")
    for (const s of [ctx.sent[0]!, last]) {
      const tx = await qf.getTx(s.hash)
      assert.ok(tx, `tx ${s.hash} found on the full node`)
      assert.is(tx!.height, s.height)
      assert.is(tx!.code, 0)
    }
    const found = await qf.searchTx([{ key: "transfer.recipient", value: ctx.recipients[1]! }])
    const expected = await qp.searchTx([{ key: "transfer.recipient", value: ctx.recipients[1]! }])
    assert.ok(found.length > 0)
    assert.equal(found.map((t) => t.hash).sort(), expected.map((t) => t.hash).sort())
  } finally {
    qp.disconnect(); qf.disconnect()
  }
})

test("the full node takes no transactions: broadcast is refused with the reason", async (ctx) => {
  const r = await fetch(`${ctx.f.rpcUrl}/broadcast_tx_sync?tx=0x0a00`)
  const j = (await r.json()) as { result?: { code: number; codespace: string; log: string } }
  assert.is(j.result?.code, 1)
  assert.is(j.result?.codespace, "sync")
  assert.match(j.result!.log, "full node syncing from")
  assert.is(ctx.fn.child.exitCode, null, "still running")
})

test.run()
