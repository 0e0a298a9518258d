/**
 * Sync over the network service (`[p2p] enabled`, node/network): the producer serves
 * `/cyberkernel/sync/1` and publishes block gossip on its p2p host; a full node with its own
 * network service started by the CLI with `--sync-from` the producer's p2p address reaches the
 * producer's blocks with the same block ids and app hashes.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { freePort, makeHome, startNode, type NodeProcess } from "../e2e/harness.ts"
import { appHashes, makeFullNodeHome, startFullNode, waitHeight } from "./support.ts"

const enableP2p = (home: string, listen: string): void => {
  const file = join(home, "config", "config.toml")
  const text = readFileSync(file, "utf8")
  const edited = text.replace(/(\[p2p\][^[]*?\nenabled = )false/, "$1true").replace(/(\[p2p\][^[]*?\nlisten = )\[[^\]]*\]/, `$1["${listen}"]`)
  if (!edited.includes(`listen = ["${listen}"]`) || edited === text) throw new Error(`could not enable [p2p] in ${file}`)
  writeFileSync(file, edited)
}

test("a full node syncs from a producer's network service ([p2p] enabled on both)", async () => {
  const p = await makeHome(50)
  const port = await freePort()
  enableP2p(p.home, `/ip4/127.0.0.1/tcp/${port}`)
  let pn: NodeProcess | undefined
  let fn: (NodeProcess & { exited: Promise<number | null> }) | undefined
  try {
    pn = await startNode(p)
    await waitHeight(p.rpcUrl, 30, 60_000, pn.output)
    const f = await makeFullNodeHome(50)
    // the full node's own home is created by start: enable its network before (config only so far)
    enableP2p(f.home, `/ip4/127.0.0.1/tcp/${await freePort()}`)
    fn = await startFullNode(f.home, f.rpcUrl, `/ip4/127.0.0.1/tcp/${port}`)
    await waitHeight(f.rpcUrl, 30, 60_000, fn.output)
    const [a, b] = await Promise.all([appHashes(p.rpcUrl, 1, 30), appHashes(f.rpcUrl, 1, 30)])
    for (let h = 1; h <= 30; h++) assert.is(b.get(h), a.get(h), `app hash at ${h}`)
    assert.match(pn.output(), "block sync (/cyberkernel/sync/1) on")
  } finally {
    await fn?.kill("SIGTERM")
    await pn?.kill("SIGTERM")
  }
})

test.run()
