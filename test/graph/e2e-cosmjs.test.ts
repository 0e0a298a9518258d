/**
 * A CosmJS client signs go-cyber's MsgCyberlink (registered in a CosmJS Registry) and broadcasts
 * it to a real node (CLI `start` in a child process, graph module enabled, rank every 5 blocks);
 * the links land, and after two period boundaries the rank is published and queryable over
 * abci_query on go-cyber's gRPC paths.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { initHome } from "../../node/home/Home.ts"
import { freePort, startNode, type NodeProcess } from "../e2e/harness.ts"
import { MSG_CYBERLINK_URL, QueryGraphStatsResponse, QueryRankProofResponse, QueryRankResponse, QuerySearchResponse, QueryTopRequest, StringRequest } from "../../modules/graph/Messages.ts"
import { verifyRankProof } from "../../modules/graph/rank/RankMerkleTree.ts"
import { cidOf, graphRegistry } from "./machineFixture.ts"

test("CosmJS-signed MsgCyberlink through a real node; rank published and queried", async () => {
  const home = mkdtempSync(join(tmpdir(), "ck-graph-e2e-"))
  const port = await freePort()
  const config = {
    ...defaultConfig,
    rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` },
    consensus: { ...defaultConfig.consensus, blockTimeMs: 150 },
    modules: { ...defaultConfig.modules, graph: { ...defaultConfig.modules.graph, enabled: true } }
  }
  const init = await Effect.runPromise(initHome({ home, config }))
  const h = { home, rpcUrl: `http://127.0.0.1:${port}`, chainId: init.chainId, mnemonic: init.devAccount!.mnemonic!, devAddress: init.devAccount!.address }
  let node: NodeProcess | undefined
  let comet: Comet38Client | undefined
  try {
    node = await startNode(h)
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
    const client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, { registry: graphRegistry(), gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 100 })
    const [a, b, c] = [cidOf("e2e a"), cidOf("e2e b"), cidOf("e2e c")]
    const msg = { typeUrl: MSG_CYBERLINK_URL, value: { neuron: h.devAddress, links: [{ from: a, to: b }, { from: a, to: c }, { from: b, to: c }] } }
    const res = await client.signAndBroadcast(h.devAddress, [msg], "auto")
    assert.is(res.code, 0, res.rawLog)
    // a bad link is refused with go-cyber's codespace and code
    const bad = await client.signAndBroadcast(h.devAddress, [{ typeUrl: MSG_CYBERLINK_URL, value: { neuron: h.devAddress, links: [{ from: a, to: a }] } }], 300000).catch((e: Error) => e)
    const badText = bad instanceof Error ? bad.message : `${bad.code} ${bad.rawLog}`
    assert.match(badText, /loop cyberlink not allowed/)
    client.disconnect()

    comet = await Comet38Client.connect(h.rpcUrl)
    const query = async (path: string, data: Uint8Array) => {
      const r = await comet!.abciQuery({ path, data })
      assert.is(r.code, 0, r.log)
      return r.value
    }
    const stats = QueryGraphStatsResponse.decode(await query("/cyber.graph.v1beta1.Query/GraphStats", new Uint8Array()))
    assert.equal(stats, { cyberlinks: 3n, particles: 3n })
    // snapshot at the next multiple of 5, published at the one after
    const target = (Math.floor(res.height / 5) + 2) * 5
    while ((await comet.status()).syncInfo.latestBlockHeight < target) await new Promise((r) => setTimeout(r, 100))
    const rc = QueryRankResponse.decode(await query("/cyber.rank.v1beta1.Query/Rank", StringRequest.encode({ value: c }).finish())).rank
    const ra = QueryRankResponse.decode(await query("/cyber.rank.v1beta1.Query/Rank", StringRequest.encode({ value: a }).finish())).rank
    assert.ok(rc > ra, `c (two in-links) outranks a (none): ${rc} > ${ra}`)
    const top = QuerySearchResponse.decode(await query("/cyber.rank.v1beta1.Query/Top", QueryTopRequest.encode({ pagination: { page: 0, perPage: 10 } }).finish()))
    assert.is(top.result[0]!.particle, c)
    const proof = QueryRankProofResponse.decode(await query("/cyber.rank.v1beta1.Query/RankProof", StringRequest.encode({ value: c }).finish()))
    assert.ok(verifyRankProof(proof.rank, proof.proof, proof.root))

    // restart the node: after one block it answers the same rank and proof root
    comet.disconnect()
    await node.kill("SIGTERM")
    node = await startNode(h)
    comet = await Comet38Client.connect(h.rpcUrl)
    const resumed = (await comet.status()).syncInfo.latestBlockHeight
    while ((await comet.status()).syncInfo.latestBlockHeight < resumed + 1) await new Promise((r) => setTimeout(r, 100))
    const again = QueryRankProofResponse.decode(await query("/cyber.rank.v1beta1.Query/RankProof", StringRequest.encode({ value: c }).finish()))
    assert.is(again.rank, proof.rank)
    assert.is(Buffer.from(again.root).toString("hex"), Buffer.from(proof.root).toString("hex"))
  } finally {
    comet?.disconnect()
    await node?.kill("SIGTERM")
  }
})

test.run()
