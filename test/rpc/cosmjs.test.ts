/**
 * The RPC server driven by CosmJS's own clients (Comet38Client, StargateClient) against a fake
 * application and engine over a real LevelDB block store.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { Comet38Client, connectComet } from "@cosmjs/tendermint-rpc"
import { StargateClient } from "@cosmjs/stargate"
import { toHex } from "@cosmjs/encoding"
import { startTestNode, type TestNode } from "./fixtures/node.ts"
import { VALIDATOR_KEY } from "./fixtures/doubles.ts"
import { CHAIN_ID, PROPOSER, sha256, utf8 } from "../blockstore/fixtures/chain.ts"

const t = suite("rpc via CosmJS")
let node: TestNode
let client: Comet38Client

t.before(async () => {
  node = await startTestNode()
  // Height 1 empty; height 2 with two transfers; height 3 with a transfer and a failed tx.
  await node.engine.produceBlock()
  await node.engine.broadcastTx(utf8("send:cyber1alice:cyber1bob:5"))
  await node.engine.broadcastTx(utf8("send:cyber1bob:cyber1carol:7"))
  await node.engine.produceBlock()
  await node.engine.broadcastTx(utf8("send:cyber1alice:cyber1carol:9"))
  await node.engine.broadcastTx(utf8("fail:cyber1carol:cyber1alice:1"))
  await node.engine.produceBlock()
  client = await Comet38Client.connect(node.url)
})
t.after(async () => {
  client.disconnect()
  await node.close()
})

t("connectComet picks the Comet 0.38 client from status.node_info.version", async () => {
  const c = await connectComet(node.url)
  assert.ok(c instanceof Comet38Client)
  c.disconnect()
})

t("status", async () => {
  const s = await client.status()
  assert.is(s.nodeInfo.network, CHAIN_ID)
  assert.ok(s.nodeInfo.version.startsWith("0.38."))
  assert.is(s.nodeInfo.moniker, "test-node")
  assert.is(s.syncInfo.latestBlockHeight, 3)
  assert.is(s.syncInfo.earliestBlockHeight, 1)
  assert.is(toHex(s.syncInfo.latestBlockHash), toHex(sha256(utf8("block-3"))))
  assert.is(s.syncInfo.catchingUp, false)
  assert.equal(s.validatorInfo.pubkey, { algorithm: "ed25519", data: VALIDATOR_KEY })
  assert.is(s.validatorInfo.votingPower, 10n)
  assert.is(s.syncInfo.latestBlockTime.toISOString(), new Date((1_700_000_003) * 1000 + 123).toISOString())
})

t("abci_info and abci_query round trip (with proof ops, and an app error code)", async () => {
  const info = await client.abciInfo()
  assert.is(info.data, "fake-app")
  assert.is(info.lastBlockHeight, 3)
  const q = await client.abciQuery({ path: "/store/bank/key", data: Uint8Array.of(1, 2, 3), height: 2, prove: true })
  assert.is(q.code, 0)
  assert.equal(q.key, Uint8Array.of(1, 2, 3))
  assert.equal(q.value, Uint8Array.of(3, 2, 1))
  assert.is(q.height, 2)
  assert.is(q.proof!.ops[0]!.type, "ics23:iavl")
  const bad = await client.abciQuery({ path: "/nope", data: new Uint8Array() })
  assert.is(bad.code, 6)
  assert.is(bad.codespace, "sdk")
  assert.match(bad.log ?? "", /unknown query path/)
})

t("broadcast_tx_sync: accepted and refused", async () => {
  const tx = utf8("send:cyber1dave:cyber1erin:3")
  const ok = await client.broadcastTxSync({ tx })
  assert.is(ok.code, 0)
  assert.equal(ok.hash, sha256(tx))
  assert.is((await client.numUnconfirmedTxs()).total, 1)
  const refused = await client.broadcastTxSync({ tx: utf8("bad tx") })
  assert.is(refused.code, 5)
  assert.match(refused.log ?? "", /insufficient funds/)
  await node.engine.produceBlock()
  const found = await client.tx({ hash: sha256(tx) })
  assert.is(found.height, 4)
  assert.is(found.index, 0)
})

t("broadcast_tx_commit waits for the block; a CheckTx refusal comes back at height 0", async () => {
  node.engine.autoCommitMs = 5
  try {
    const tx = utf8("send:cyber1frank:cyber1grace:11")
    const r = await client.broadcastTxCommit({ tx })
    assert.is(r.checkTx.code, 0)
    assert.is(r.txResult!.code, 0)
    assert.ok(r.height > 4)
    assert.equal(r.hash, sha256(tx))
    assert.is(r.txResult!.events.find((e) => e.type === "transfer")!.attributes[0]!.value, "cyber1grace")
    const refused = await client.broadcastTxCommit({ tx: utf8("bad again") })
    assert.is(refused.checkTx.code, 5)
    assert.is(refused.height, 0)
  } finally {
    node.engine.autoCommitMs = undefined
  }
})

t("tx by hash", async () => {
  const r = await client.tx({ hash: sha256(utf8("send:cyber1bob:cyber1carol:7")) })
  assert.is(r.height, 2)
  assert.is(r.index, 1)
  assert.equal(r.tx, utf8("send:cyber1bob:cyber1carol:7"))
  assert.is(r.result.code, 0)
  assert.is(r.result.gasWanted, 200000n)
  const failed = await client.tx({ hash: sha256(utf8("fail:cyber1carol:cyber1alice:1")) })
  assert.is(failed.result.code, 5)
  assert.is(failed.result.codespace, "sdk")
})

t("tx_search by tx.height, by event attribute, ordering and paging", async () => {
  const h2 = await client.txSearch({ query: "tx.height=2" })
  assert.is(h2.totalCount, 2)
  assert.equal(h2.txs.map((x) => x.index), [0, 1])
  const toCarol = await client.txSearch({ query: "transfer.recipient='cyber1carol'" })
  assert.equal(toCarol.txs.map((x) => x.height), [2, 3])
  const fromAlice = await client.txSearch({ query: "message.sender='cyber1alice' AND tx.height>=3" })
  assert.is(fromAlice.totalCount, 1)
  assert.is(fromAlice.txs[0]!.height, 3)
  const desc = await client.txSearch({ query: "tx.height>0", order_by: "desc", per_page: 2, page: 1 })
  assert.ok(desc.totalCount >= 5)
  assert.ok(desc.txs[0]!.height >= desc.txs[1]!.height)
  const all = await client.txSearchAll({ query: "tx.height>0", per_page: 2 })
  assert.is(all.txs.length, all.totalCount)
  const byHash = await client.txSearch({ query: `tx.hash='${toHex(sha256(utf8("send:cyber1alice:cyber1bob:5"))).toUpperCase()}'` })
  assert.is(byHash.txs[0]!.height, 2)
})

t("block, block_results, blockchain, commit", async () => {
  const b = await client.block(2)
  assert.is(b.block.header.height, 2)
  assert.is(b.block.header.chainId, CHAIN_ID)
  assert.equal(b.block.header.proposerAddress, PROPOSER)
  assert.equal(b.blockId.hash, sha256(utf8("block-2")))
  assert.ok(b.blockId.parts.total >= 1)
  assert.is(b.block.txs.length, 2)
  assert.equal(b.block.header.lastBlockId!.hash, sha256(utf8("block-1")))
  assert.is(b.block.lastCommit!.height, 1)
  assert.is(b.block.lastCommit!.signatures.length, 1)
  const first = await client.block(1)
  assert.is(first.block.lastCommit, null)
  assert.is(first.block.header.lastBlockId, null)
  const latest = await client.block()
  assert.is(latest.block.header.height, node.engine.tip().height)

  const r = await client.blockResults(3)
  assert.is(r.height, 3)
  assert.is(r.results.length, 2)
  assert.is(r.results[1]!.code, 5)
  assert.is(r.finalizeBlockEvents[0]!.type, "mint")
  const empty = await client.blockResults(1)
  assert.is(empty.results.length, 0)

  const chain = await client.blockchain(1, 3)
  assert.equal(chain.blockMetas.map((m) => m.header.height), [3, 2, 1])
  assert.is(chain.blockMetas[1]!.numTxs, 2)

  const c = await client.commit(2)
  assert.is(c.canonical, true)
  assert.is(c.header.height, 2)
  assert.is(c.commit.height, 2)
  assert.equal(c.commit.blockId.hash, sha256(utf8("block-2")))
})

t("validators, genesis, health, num_unconfirmed_txs", async () => {
  const v = await client.validators({})
  assert.is(v.total, 1)
  assert.equal(v.validators[0]!.address, PROPOSER)
  assert.equal(v.validators[0]!.pubkey!.data, VALIDATOR_KEY)
  assert.is(v.validators[0]!.votingPower, 10n)
  const g = await client.genesis()
  assert.is(g.chainId, CHAIN_ID)
  assert.is(g.validators.length, 1)
  assert.is(await client.health(), null)
  assert.is((await client.numUnconfirmedTxs()).total, 0)
})

t("StargateClient: connect, chain id, height, block, broadcastTx (polls tx_search), getTx, searchTx", async () => {
  const sc = await StargateClient.connect(node.url)
  try {
    assert.is(await sc.getChainId(), CHAIN_ID)
    const h = await sc.getHeight()
    assert.is(h, node.engine.tip().height)
    const blk = await sc.getBlock(2)
    assert.is(blk.header.height, 2)
    assert.is(blk.txs.length, 2)
    node.engine.autoCommitMs = 5
    const tx = utf8("send:cyber1heidi:cyber1ivan:13")
    const res = await sc.broadcastTx(tx, 5000, 20)
    assert.is(res.code, 0)
    assert.is(res.transactionHash, toHex(sha256(tx)).toUpperCase())
    assert.ok(res.height > h)
    const got = await sc.getTx(res.transactionHash)
    assert.is(got!.height, res.height)
    const found = await sc.searchTx("transfer.recipient='cyber1ivan'")
    assert.is(found.length, 1)
    assert.is(found[0]!.hash, res.transactionHash)
  } finally {
    node.engine.autoCommitMs = undefined
    sc.disconnect()
  }
})

t.run()
