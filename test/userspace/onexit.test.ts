import { test } from "uvu"
import * as assert from "uvu/assert"
import { makeKernel } from "../../kernel/Kernel.ts"
import { request } from "../../kernel/Message.ts"
import type { Request } from "../../kernel/Message.ts"
import { json, parse, pid } from "./setup.ts"

/** A fake clock: `now` and the kernel's restart timers, advanced by hand. */
class FakeClock {
  t = 0
  #timers: Array<{ at: number; fn: () => void; live: boolean }> = []
  now = (): number => this.t
  timers = {
    set: (fn: () => void, ms: number): unknown => {
      const h = { at: this.t + ms, fn, live: true }
      this.#timers.push(h)
      return h
    },
    clear: (h: unknown): void => {
      ;(h as { live: boolean }).live = false
    }
  }
  /** The delay of the one pending timer (asserts there is exactly one). */
  pending(): number {
    const live = this.#timers.filter((x) => x.live)
    assert.is(live.length, 1)
    return live[0]!.at - this.t
  }
  /** Advance by `ms`, firing due timers in order. */
  advance(ms: number): void {
    this.t += ms
    for (;;) {
      const due = this.#timers.filter((x) => x.live && x.at <= this.t).sort((a, b) => a.at - b.at)[0]
      if (due === undefined) return
      due.live = false
      due.fn()
    }
  }
}

const tick = () => new Promise((r) => setImmediate(r))

test("restart backoff doubles at a steady crash cadence and resets after stable uptime", async () => {
  const clock = new FakeClock()
  const k = makeKernel({ node: "alice.os", now: clock.now, timers: clock.timers, restartStableMs: 60_000 })
  let starts = 0
  k.spawn({
    id: pid("flaky"),
    public: true,
    onExit: { tag: "restart", val: { initialMs: 100, maxMs: 10_000 } },
    process: {
      init: () => {
        starts++
      },
      onRequest: () => {
        throw new Error("crash")
      }
    }
  })
  const client = k.spawn({ id: pid("client"), process: {} })
  const crash = async () => {
    await client.send(k.address(pid("flaky")), request(json({})))
    await tick()
  }
  // Crash every 5 s of uptime (a steady cadence well under the stable threshold): the delay
  // keeps doubling up to maxMs, unlike a policy that resets whenever a run outlived its delay.
  const delays: number[] = []
  for (let i = 0; i < 9; i++) {
    await crash()
    const d = clock.pending()
    delays.push(d)
    clock.advance(d)
    clock.advance(5_000)
  }
  assert.equal(delays, [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000])
  assert.is(starts, 10)
  // Stable for 60 s: the next crash restarts after initialMs again.
  clock.advance(60_000)
  await crash()
  assert.is(clock.pending(), 100)
  k.shutdown()
})

test("on-exit requests fire with the exiting process's identity, without expecting responses", async () => {
  const k = makeKernel({ node: "alice.os" })
  const got: Array<{ source: string; body: unknown; expects: number | undefined }> = []
  k.spawn({
    id: pid("watcher"),
    public: true,
    process: { onRequest: (_c, source, req: Request) => void got.push({ source: source.process.processName, body: parse(req.body), expects: req.expectsResponse }) }
  })
  k.spawn({
    id: pid("doomed"),
    public: true,
    onExit: {
      tag: "requests",
      val: [
        [k.address(pid("watcher")), request(json({ died: 1 }), 1000), undefined],
        [k.address(pid("watcher")), request(json({ died: 2 })), undefined]
      ]
    },
    process: { onRequest: () => Promise.reject(new Error("boom")) }
  })
  const client = k.spawn({ id: pid("client"), process: {} })
  await client.send(k.address(pid("doomed")), request(json({})))
  await new Promise((r) => setTimeout(r, 10))
  assert.equal(got, [
    { source: "doomed", body: { died: 1 }, expects: undefined },
    { source: "doomed", body: { died: 2 }, expects: undefined }
  ])
  assert.not.ok(k.has(pid("doomed")))
  k.shutdown()
})

test.run()
