// Scheduling, reserve, rent and lifecycle (Active -> Frozen -> Evicted), async sends and determinism.
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { TestEnv } from "../../modules/cyberwasm/TestEnv.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"

const wasm = await buildExamples(["ticker", "counter", "mailbox"])
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)

const test = suite("cyberwasm schedule")

test("a self-scheduling program runs every 10 blocks with no transaction", () => {
  const env = new TestEnv()
  const t = env.deploy(wasm.ticker!, { input: enc("10"), reserve: 10_000_000n })
  assert.equal(env.schedule(t).map((e) => [e.height, e.every]), [[10n, 10n]])
  env.advance(44) // heights 2..45
  assert.is(dec(env.query(t, enc("heights"))), "10,20,30,40")
  assert.is(dec(env.query(t, enc("ticks"))), "4")
  assert.equal(env.schedule(t).map((e) => e.height), [50n])
  const runs = env.eventsOf("cyberwasm.scheduled_run")
  assert.is(runs.length, 4)
  assert.ok(runs.every((e) => e.attributes.find((a) => a.key === "status")?.value === "ok"))
  // cancel works
  assert.is(dec(env.call(t, enc("stop"))), "stopped")
  env.advance(20)
  assert.is(dec(env.query(t, enc("ticks"))), "4")
})

test("freezes when the reserve runs out, resumes after a deposit, evicted after the grace period", () => {
  const env = new TestEnv({ params: { gracePeriodBlocks: 30 } })
  const t = env.deploy(wasm.ticker!, { input: enc("10"), reserve: 1_000_000n })
  env.advance(9)
  const perBlockRent = env.machine.params.rentBasePerBlock + env.machine.params.rentPerPagePerBlock * BigInt(env.info(t).pages)
  env.advance(1) // height 10: first run
  const used = BigInt(env.eventsOf("cyberwasm.scheduled_run")[0]!.attributes.find((a) => a.key === "gas_used")!.value)
  assert.ok(used > 0n)
  // top up the reserve to just over two more runs (rent included), then watch it freeze
  const info = env.info(t)
  assert.ok(info.reserve > 0n)
  const target = 2n * used + 25n * perBlockRent
  const tight = new TestEnv({ params: { gracePeriodBlocks: 30 } })
  const t2 = tight.deploy(wasm.ticker!, { input: enc("10"), reserve: target + 9n * perBlockRent + used })
  tight.advance(60)
  const ticks = Number(dec(tight.query(t2, enc("ticks"))))
  assert.ok(ticks >= 2 && ticks <= 4, `ran ${ticks} times before freezing`)
  const frozen = tight.info(t2)
  assert.is(frozen.status, "frozen")
  assert.is(frozen.reserve, 0n)
  const pagesWhileFrozen = tight.storedPages(t2)
  assert.ok(pagesWhileFrozen.length > 0, "pages kept while frozen")
  assert.ok(tight.eventsOf("cyberwasm.frozen").length + tight.eventsOf("cyberwasm.scheduled_run").filter((e) => e.attributes.some((a) => a.value.startsWith("payer reserve"))).length > 0)
  // resume
  tight.deposit(t2, 5_000_000n)
  assert.is(tight.info(t2).status, "active")
  const h = tight.height
  tight.advance(10 - (h % 10) + 1)
  assert.is(dec(tight.query(t2, enc("ticks"))), String(ticks + 1))
  // starve it again and let the grace period pass
  const freezeTight = new TestEnv({ params: { gracePeriodBlocks: 30 } })
  const t3 = freezeTight.deploy(wasm.counter!, { reserve: 20n })
  freezeTight.advance(15)
  assert.is(freezeTight.info(t3).status, "frozen")
  const frozenAt = freezeTight.info(t3).frozenHeight
  freezeTight.advance(frozenAt + 30 - freezeTight.height)
  const ev = freezeTight.info(t3)
  assert.is(ev.status, "evicted")
  assert.equal(freezeTight.storedPages(t3), [])
  assert.ok(ev.memoryRoot.length === 32, "root and address kept")
  assert.ok(freezeTight.tryCall(t3, enc("inc")).error.includes("evicted"))
  // redeploy to the same address (creator/admin only), fresh memory
  assert.throws(() => freezeTight.deploy(wasm.counter!, { address: t3, sender: freezeTight.account("mallory") }), /neither the admin nor the creator/)
  assert.is(freezeTight.deploy(wasm.counter!, { address: t3, reserve: 1_000_000n }), t3)
  assert.is(freezeTight.info(t3).status, "active")
  const out = freezeTight.call(t3, enc("inc"))
  assert.is(new DataView(out.buffer, out.byteOffset).getBigUint64(0, true), 1n)
})

test("two environments fed the same operations reach the same state (pages and schedules included)", () => {
  const run = () => {
    const env = new TestEnv()
    const t = env.deploy(wasm.ticker!, { input: enc("3"), reserve: 5_000_000n })
    const c = env.deploy(wasm.counter!)
    for (let i = 0; i < 20; i++) {
      env.call(c, enc("inc"))
      env.advance(1)
    }
    void t
    return [...env.store.iterate()].map(([k, v]) => Buffer.from(k).toString("hex") + "=" + Buffer.from(v).toString("hex")).join("\n")
  }
  const a = run()
  const b = run()
  assert.ok(a.length > 1000)
  assert.is(a, b)
})

test("async sends are delivered after the block's transactions in FIFO order; replies and delayed sends", () => {
  const env = new TestEnv()
  const a = env.deploy(wasm.mailbox!)
  const b = env.deploy(wasm.mailbox!)
  const c = env.deploy(wasm.mailbox!)
  env.call(a, enc(`send ${b} m1`))
  env.call(c, enc(`send ${b} m2`))
  env.call(a, enc(`send ${b} m3`))
  env.call(a, enc(`ask ${b} q`))
  env.call(c, enc(`later ${b} 3 d1`))
  assert.is(dec(env.query(b, enc("log"))), "", "nothing delivered inside the block")
  env.advance(1)
  assert.is(dec(env.query(b, enc("log"))), "got:m1,got:m2,got:m3,got:q")
  assert.is(dec(env.query(a, enc("log"))), "reply:7:ok:ack:q")
  env.advance(2)
  assert.is(dec(env.query(b, enc("log"))), "got:m1,got:m2,got:m3,got:q,got:d1")
  const deliveries = env.eventsOf("cyberwasm.deliver")
  assert.is(deliveries.length, 5)
  // the sender's reserve paid for the deliveries
  assert.ok(env.reserve(a) < env.reserve(b))
})

test.run()
