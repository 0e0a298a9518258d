// The producer's beforePropose hook (modules/consensus/producer/Producer.ts), which the node uses
// to stop before a block that activates a machine it lacks: a throw halts the producer with the
// message, nothing of that height reaches the application or the block store, and a producer
// started again on the same stores (without the refusal) makes that height.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { ConsensusHalted, makeProducer, type ProducerConfig } from "../../modules/consensus/producer/Producer.ts"
import { KvApp } from "../consensus/kvApp.ts"
import { MemBlockStore } from "../consensus/memBlockStore.ts"

const enc = new TextEncoder()

test("a refusal in beforePropose halts before PrepareProposal: no block saved or finalized; a restart makes that height", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ck-producer-stop-"))
  const app = await KvApp.open(dir)
  const blocks = new MemBlockStore()
  const halts: string[] = []
  const base: ProducerConfig = {
    app, blockStore: blocks, chainId: "stop-1", validatorKey: new Uint8Array(32).fill(7), blockTimeMs: 3_600_000,
    genesis: { time: { seconds: 1_800_000_000n, nanos: 0 }, appState: enc.encode('{"kv":{}}') }
  }
  const run = async (cfg: ProducerConfig, f: (p: Awaited<ReturnType<typeof start>>) => Promise<void>) => {
    const scope = Effect.runSync(Scope.make())
    try {
      await f(await start(cfg, scope))
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }
  const start = (cfg: ProducerConfig, scope: Scope.Closeable) => Effect.runPromise(Scope.provide(scope)(makeProducer(cfg)))
  try {
    await run({ ...base, onHalt: (e) => halts.push(e.reason), beforePropose: (h) => { if (h >= 3n) throw new Error(`machine "x" activates at ${h}`) } }, async (p) => {
      await p.produceBlock(1n)
      await p.produceBlock(2n)
      const calls = app.calls.length
      const refused = await p.produceBlock(3n).then(() => undefined, (e: unknown) => e)
      assert.instance(refused, ConsensusHalted)
      assert.ok((refused as ConsensusHalted).reason.includes(`machine "x" activates at 3`), String(refused))
      assert.equal(halts, [`machine "x" activates at 3`])
      assert.is(p.tip().height, 2)
      assert.is(blocks.height(), 2, "block 3 was not saved")
      assert.equal(app.calls.slice(calls), [], "the application saw nothing of height 3")
    })
    // Started again with the code (no refusal): the handshake finds nothing to replay; height 3 is made.
    await run(base, async (p) => {
      assert.is(p.tip().height, 2)
      const tip = await p.produceBlock(4n)
      assert.is(tip.height, 3)
      assert.is(blocks.height(), 3)
    })
  } finally {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
