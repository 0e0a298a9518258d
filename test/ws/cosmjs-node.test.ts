/**
 * CosmJS's websocket client against a node started by the CLI (`cyberkernel start`): the
 * Comet 0.38 client that `connectComet("ws://...")` picks, `subscribeNewBlockHeader`,
 * `subscribeNewBlock`, `subscribeTx` with and without a `transfer.recipient` query (bank sends
 * signed by SigningStargateClient over HTTP), and `blockSearch` (CometBFT's paged block search).
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import { Comet38Client, connectComet, type comet38 } from "@cosmjs/tendermint-rpc"
import { toHex } from "@cosmjs/encoding"
import { makeHome, startNode, type NodeProcess, type TestHome } from "../e2e/harness.ts"

interface Ctx { h: TestHome; node: NodeProcess; signer: SigningStargateClient; tm: Comet38Client; alice: string; bob: string; carol: string }
const test = suite<Ctx>("cosmjs websocket against the CLI node")

test.before(async (ctx) => {
  ctx.h = await makeHome(200)
  ctx.node = await startNode(ctx.h)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(ctx.h.mnemonic, { prefix: "cyber" })
  ctx.alice = (await wallet.getAccounts())[0]!.address
  ctx.bob = (await (await DirectSecp256k1HdWallet.generate(12, { prefix: "cyber" })).getAccounts())[0]!.address
  ctx.carol = (await (await DirectSecp256k1HdWallet.generate(12, { prefix: "cyber" })).getAccounts())[0]!.address
  ctx.signer = await SigningStargateClient.connectWithSigner(ctx.h.rpcUrl, wallet, { gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 100 })
  const client = await connectComet(ctx.h.rpcUrl.replace(/^http/, "ws"))
  assert.ok(client instanceof Comet38Client, "CosmJS picks its Comet 0.38 client over the websocket")
  ctx.tm = client as Comet38Client
})

test.after(async (ctx) => {
  ctx.tm?.disconnect()
  ctx.signer?.disconnect()
  await ctx.node?.kill("SIGTERM")
  // CosmJS 0.39's ReconnectingSocket schedules a reconnect when it is disconnected on purpose
  // (its status listener does not check `disconnected`), so its timers never let the process
  // end: leave once uvu has printed its summary (exit code kept).
  setTimeout(() => process.exit(), 2000).unref()
})

/** The first `n` values of a CosmJS (xstream) subscription; rejects on its error or after `ms`. */
const take = <A>(stream: { addListener(l: { next: (a: A) => void; error: (e: unknown) => void; complete: () => void }): void; removeListener(l: unknown): void }, n: number, ms = 20_000): Promise<A[]> =>
  new Promise((resolve, reject) => {
    const got: A[] = []
    const timer = setTimeout(() => { stream.removeListener(listener); reject(new Error(`got ${got.length} of ${n} events in ${ms} ms`)) }, ms)
    const listener = {
      next: (a: A) => {
        got.push(a)
        if (got.length === n) { clearTimeout(timer); stream.removeListener(listener); resolve(got) }
      },
      error: (e: unknown) => { clearTimeout(timer); reject(e instanceof Error ? e : new Error(String(e))) },
      complete: () => { clearTimeout(timer); reject(new Error("subscription completed")) }
    }
    stream.addListener(listener)
  })

test("subscribeNewBlockHeader: consecutive headers of this chain", async ({ tm, h }) => {
  const headers = await take<comet38.Header>(tm.subscribeNewBlockHeader(), 3)
  assert.is(headers[0]!.chainId, h.chainId)
  assert.is(headers[1]!.height, headers[0]!.height + 1)
  assert.is(headers[2]!.height, headers[1]!.height + 1)
  const block = await tm.block(headers[1]!.height)
  assert.is(toHex(block.block.header.appHash), toHex(headers[1]!.appHash))
})

test("subscribeNewBlock and subscribeTx: a bank send arrives in both, with its hash and result", async ({ tm, signer, alice, bob }) => {
  const blocks = take<comet38.NewBlockEvent>(tm.subscribeNewBlock(), 40)
  const txs = take<comet38.TxEvent>(tm.subscribeTx(), 1)
  await new Promise((r) => setTimeout(r, 300))
  const res = await signer.sendTokens(alice, bob, [{ denom: "boot", amount: "777" }], "auto", "over the websocket")
  assert.is(res.code, 0, res.rawLog)
  const [ev] = await txs
  assert.is(toHex(ev!.hash).toUpperCase(), res.transactionHash)
  assert.is(ev!.height, res.height)
  assert.is(ev!.result.code, 0)
  assert.ok(ev!.result.events.some((e) => e.type === "transfer" && e.attributes.some((a) => a.key === "recipient" && a.value === bob)))
  // Blocks stream on; the one holding the tx is among them.
  const seen = await blocks
  const holding = seen.find((b) => b.header.height === res.height)
  assert.ok(holding, `block ${res.height} arrived as a NewBlock event`)
  assert.is(holding!.txs.length, 1)
  assert.is(toHex(holding!.txs[0]!), toHex(ev!.tx))
})

test("subscribeTx with transfer.recipient='...' gets that recipient's tx only", async ({ tm, signer, alice, bob, carol }) => {
  const toCarol = take<comet38.TxEvent>(tm.subscribeTx(`transfer.recipient='${carol}'`), 1)
  // A query of its own: CosmJS caches a stream per query and, restarted after a stop, delivers
  // each event twice (its stop keeps the old response listener), whatever the server.
  const all = take<comet38.TxEvent>(tm.subscribeTx("tx.height>0"), 2)
  await new Promise((r) => setTimeout(r, 300))
  const first = await signer.sendTokens(alice, bob, [{ denom: "boot", amount: "5" }], "auto")
  const second = await signer.sendTokens(alice, carol, [{ denom: "boot", amount: "6" }], "auto")
  assert.is(first.code, 0)
  assert.is(second.code, 0)
  const [ev] = await toCarol
  assert.is(toHex(ev!.hash).toUpperCase(), second.transactionHash, "the first event of the query is carol's send, not bob's")
  assert.equal((await all).map((e) => toHex(e.hash).toUpperCase()), [first.transactionHash, second.transactionHash])
})

test("blockSearch: block.height range, CosmJS paging and HTTP GET with order_by", async ({ tm, h }) => {
  while ((await tm.status()).syncInfo.latestBlockHeight < 7) await new Promise((r) => setTimeout(r, 200))
  const r = await tm.blockSearch({ query: "block.height>3 AND block.height<=6" })
  assert.is(r.totalCount, 3)
  assert.equal(r.blocks.map((b) => b.block.header.height), [4, 5, 6])
  const all = await tm.blockSearchAll({ query: "block.height<=6", per_page: 2 })
  assert.equal(all.blocks.map((b) => b.block.header.height), [1, 2, 3, 4, 5, 6])
  const get = (await (await fetch(`${h.rpcUrl}/block_search?query="block.height>3 AND block.height<=6"&order_by="desc"&per_page=2`)).json()) as any
  assert.equal(get.result.blocks.map((b: any) => b.block.header.height), ["6", "5"])
  assert.is(get.result.total_count, "3")
})

test.run()
