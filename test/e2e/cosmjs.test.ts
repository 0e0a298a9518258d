/**
 * CosmJS end to end: a node started as a child process by the real CLI; CosmJS (a client nobody
 * on this project wrote) signs and sends MsgSend and MsgMultiSend, reads balances, finds the tx
 * by hash and by event, reads the block, and gets the SDK's error text for an overdraw.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { GetTxRequest, GetTxResponse } from "cosmjs-types/cosmos/tx/v1beta1/service"
import { makeHome, startNode, type NodeProcess, type TestHome } from "./harness.ts"

const test = suite<{ h: TestHome; node: NodeProcess; client: SigningStargateClient; alice: string; others: string[] }>("cosmjs")

test.before(async (ctx) => {
  ctx.h = await makeHome(200)
  ctx.node = await startNode(ctx.h)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(ctx.h.mnemonic, { prefix: "cyber" })
  ctx.alice = (await wallet.getAccounts())[0]!.address
  const others = await DirectSecp256k1HdWallet.generate(12, { prefix: "cyber" })
  ctx.others = [ctx.alice]
  for (let i = 0; i < 3; i++) {
    const w = await DirectSecp256k1HdWallet.generate(12, { prefix: "cyber" })
    ctx.others.push((await w.getAccounts())[0]!.address)
  }
  void others
  ctx.client = await SigningStargateClient.connectWithSigner(ctx.h.rpcUrl, wallet, {
    gasPrice: GasPrice.fromString("0.01boot"),
    broadcastPollIntervalMs: 100,
    broadcastTimeoutMs: 20_000
  })
})

test.after(async (ctx) => {
  ctx.client?.disconnect()
  await ctx.node?.kill("SIGTERM")
})

test("the dev account from genesis is funded and the chain id matches", async ({ client, alice, h }) => {
  assert.is(await client.getChainId(), h.chainId)
  const bal = await client.getBalance(alice, "boot")
  assert.is(bal.amount, "1000000000000000")
})

test("MsgSend: balances move, the tx is found by hash and by event, the block holds it", async ({ client, alice, others, h }) => {
  const rpcUrl = h.rpcUrl
  const bob = others[1]!
  const res = await client.sendTokens(alice, bob, [{ denom: "boot", amount: "12345" }], "auto", "hello")
  assert.is(res.code, 0, res.rawLog)
  assert.is((await client.getBalance(bob, "boot")).amount, "12345")
  const found = await client.getTx(res.transactionHash)
  assert.ok(found, "getTx finds the tx")
  assert.is(found!.height, res.height)
  assert.is(found!.code, 0)
  const byEvent = await client.searchTx(`transfer.recipient='${bob}'`)
  assert.ok(byEvent.some((t) => t.hash === res.transactionHash), "tx_search by transfer.recipient")
  const block = await client.getBlock(res.height)
  assert.is(block.header.height, res.height)
  assert.is(block.header.chainId, await client.getChainId())
  assert.ok(block.txs.length >= 1)
  const acct = await client.getAccount(alice)
  assert.ok(acct && acct.sequence >= 1, "sequence advanced")
  // The Cosmos tx service over abci_query, as gRPC-gateway clients use it.
  const comet = await Comet38Client.connect(rpcUrl)
  const q = await comet.abciQuery({ path: "/cosmos.tx.v1beta1.Service/GetTx", data: GetTxRequest.encode({ hash: res.transactionHash }).finish() })
  comet.disconnect()
  assert.is(q.code, 0, q.log)
  const got = GetTxResponse.decode(q.value)
  assert.is(got.txResponse!.txhash, res.transactionHash)
  assert.is(got.txResponse!.height, BigInt(res.height))
  assert.is(got.tx!.body!.memo, "hello")
})

test("MsgMultiSend: one input, several outputs", async ({ client, alice, others }) => {
  const [, , carol, dave] = others
  const msg = {
    typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
    value: {
      inputs: [{ address: alice, coins: [{ denom: "boot", amount: "300" }] }],
      outputs: [
        { address: carol!, coins: [{ denom: "boot", amount: "100" }] },
        { address: dave!, coins: [{ denom: "boot", amount: "200" }] }
      ]
    }
  }
  const res = await client.signAndBroadcast(alice, [msg], "auto")
  assert.is(res.code, 0, res.rawLog)
  assert.is((await client.getBalance(carol!, "boot")).amount, "100")
  assert.is((await client.getBalance(dave!, "boot")).amount, "200")
})

test("an overdraw is rejected with the SDK's error text and changes nothing", async ({ client, alice, others }) => {
  const bob = others[1]!
  const before = (await client.getBalance(alice, "boot")).amount
  const seq = (await client.getAccount(alice))!.sequence
  // With gas "auto", simulation refuses it.
  const simErr = await client.sendTokens(alice, bob, [{ denom: "boot", amount: "999999999999999999" }], "auto").then(() => undefined, (e: Error) => e)
  assert.ok(simErr, "simulation refuses the overdraw")
  assert.match(simErr!.message, /insufficient funds/)
  assert.match(simErr!.message, /smaller than 999999999999999999boot/)
  // With a fixed fee, CheckTx refuses it at broadcast.
  const fee = { amount: [{ denom: "boot", amount: "2000" }], gas: "200000" }
  const err = await client.sendTokens(alice, bob, [{ denom: "boot", amount: "999999999999999999" }], fee).then(() => undefined, (e: Error) => e)
  assert.ok(err, "broadcast refuses the overdraw")
  assert.match(err!.message, /code 5/)
  assert.match(err!.message, /spendable balance \d+boot is smaller than 999999999999999999boot: insufficient funds/)
  assert.is((await client.getBalance(alice, "boot")).amount, before, "no fee was taken")
  assert.is((await client.getAccount(alice))!.sequence, seq, "sequence unchanged")
  // The account still works afterwards.
  const ok = await client.sendTokens(alice, bob, [{ denom: "boot", amount: "1" }], "auto")
  assert.is(ok.code, 0, ok.rawLog)
})

test.run()
