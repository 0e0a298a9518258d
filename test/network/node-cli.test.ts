/**
 * The network service in a node started by the CLI: `[p2p] enabled` starts libp2p with the node
 * key as peer identity; RPC `status` and `cyberkernel status` report the peer id, name and listen
 * addresses; a listen port already taken stops the start with an error naming the network.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect } from "effect"
import { loadConfig, writeConfig } from "../../node/config/ConfigFile.ts"
import { readEd25519KeyFile } from "../../node/home/ValidatorKey.ts"
import { peerIdOfNetKey } from "../../node/network/PeerIdentity.ts"
import { freePort, makeHome, rpc, startNode, type TestHome } from "../e2e/harness.ts"

const root = new URL("../..", import.meta.url).pathname
const run = promisify(execFile)

const enableP2p = async (h: TestHome, port: number, name: string) => {
  const config = await Effect.runPromise(loadConfig(h.home))
  writeConfig(h.home, { ...config, p2p: { ...config.p2p, enabled: true, listen: [`/ip4/127.0.0.1/tcp/${port}`], name } })
}

test("a CLI node with [p2p] enabled reports its peer id (the node key) and listen address", async () => {
  const h = await makeHome(200)
  const port = await freePort()
  await enableP2p(h, port, "alice.os")
  const node = await startNode(h)
  try {
    const expected = peerIdOfNetKey(readEd25519KeyFile(join(h.home, "config", "node_key.json")).pubkey).toString()
    const status = await rpc(h.rpcUrl, "status")
    assert.is(status.node_info.other.p2p_peer_id, expected)
    assert.is(status.node_info.other.p2p_name, "alice.os")
    assert.is(status.node_info.listen_addr, `/ip4/127.0.0.1/tcp/${port}/p2p/${expected}`)
    const { stdout } = await run(process.execPath, [join(root, "cli/main.ts"), "status", "--node", h.rpcUrl], { cwd: root })
    assert.match(stdout, `p2p peer id:  ${expected}`)
    assert.match(stdout, `p2p name:     alice.os`)
    assert.match(stdout, `p2p listen:   /ip4/127.0.0.1/tcp/${port}/p2p/${expected}`)
    // a second node asking for the same port does not start, and says why
    const h2 = await makeHome(200)
    await enableP2p(h2, port, "bob.os")
    const err = await startNode(h2, 20_000).then(async (n) => {
      await n.kill()
      return undefined
    }, (e: unknown) => e as Error)
    assert.ok(err, "the second node started on a taken p2p port")
    assert.match(err!.message, /node start failed at network: network listen on \/ip4\/127\.0\.0\.1\/tcp\/\d+/)
  } finally {
    await node.kill()
  }
})

test("without [p2p] the node starts no network and status has no p2p fields", async () => {
  const h = await makeHome(200)
  const node = await startNode(h)
  try {
    const status = await rpc(h.rpcUrl, "status")
    assert.is(status.node_info.other.p2p_peer_id, undefined)
  } finally {
    await node.kill()
  }
})

test.run()
