/**
 * Kernel message path benchmark: local request/response round trips per second between two
 * native processes, with the capability check of a private target on every request (and, in
 * one case, a capability attached to every request), against a plain Promise-based mailbox
 * baseline measured in the same run.
 *
 * Run: `npx node bench/kernel.bench.ts [roundTrips]` (default 1,000,000 per measurement).
 * Prints one line per number of requests in flight: the baseline, then each kernel case (best
 * of 3 runs) with its ratio to the baseline. Every kernel request goes to a private process
 * (messaging capability looked up per request) and expects a response within 30 s (an entry in
 * the timer heap, cancelled by the response).
 */
import { MESSAGING } from "../capabilities/Capability.ts"
import { processId } from "../kernel/Address.ts"
import { makeKernel } from "../kernel/Kernel.ts"
import { request, response, type Response } from "../kernel/Message.ts"
import type { ProcessContext } from "../kernel/Process.ts"

const N = Number(process.argv[2] ?? 1_000_000)
const RUNS = 3

/** Baseline: a plain Promise mailbox served by an async receive loop. */
interface Letter {
  readonly body: Uint8Array
  readonly resolve: (r: Uint8Array) => void
}
class PromiseMailbox {
  readonly #queue: Letter[] = []
  #head = 0
  #waiter: ((l: Letter) => void) | undefined = undefined
  push(l: Letter): void {
    const w = this.#waiter
    if (w !== undefined) {
      this.#waiter = undefined
      w(l)
    } else this.#queue.push(l)
  }
  take(): Promise<Letter> | Letter {
    if (this.#head < this.#queue.length) {
      const l = this.#queue[this.#head++]!
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head)
        this.#head = 0
      }
      return l
    }
    return new Promise((r) => (this.#waiter = r))
  }
}

const baseline = async (inFlight: number): Promise<number> => {
  const box = new PromiseMailbox()
  let running = true
  void (async () => {
    while (running) {
      const l = await box.take()
      l.resolve(l.body)
    }
  })()
  const body = new Uint8Array(8)
  const t = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = 0; i < N / inFlight; i++) await new Promise<Uint8Array>((resolve) => box.push({ body, resolve }))
    })
  )
  const dt = performance.now() - t
  running = false
  box.push({ body, resolve: () => undefined })
  return (N / dt) * 1000
}

/** What each request carries: nothing, a held signed capability, or an unsigned claim on one. */
type Attach = "none" | "held" | "claim"

const kernelCase = async (inFlight: number, attach: Attach): Promise<number> => {
  const k = makeKernel({ node: "bench.os" })
  const server = processId("echo", "bench", "sys")
  const client = processId("client", "bench", "sys")
  const reply: Response = response(new Uint8Array(8))
  k.spawn({ id: server, public: false, process: { onRequest: (ctx) => ctx.respond(reply) } })
  const c: ProcessContext = k.spawn({
    id: client,
    process: {},
    grants: [
      { issuer: server, params: MESSAGING },
      { issuer: server, params: '{"read":true}' }
    ]
  })
  const to = k.address(server)
  const read = c.capabilities().find((x) => x.params === '{"read":true}')!
  const caps = attach === "held" ? [read] : attach === "claim" ? [{ issuer: to, params: '{"read":true}' }] : []
  const req = request(new Uint8Array(8), 30_000, { capabilities: caps })
  const t = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = 0; i < N / inFlight; i++) await c.request(to, req)
    })
  )
  const dt = performance.now() - t
  const s = k.stats()
  if (s.delivered !== N || s.outstanding !== 0 || s.verifications !== 0) throw new Error(`bad run ${JSON.stringify(s)}`)
  k.shutdown()
  return (N / dt) * 1000
}

const best = async (f: () => Promise<number>): Promise<number> => {
  let b = 0
  for (let i = 0; i < RUNS; i++) b = Math.max(b, await f())
  return b
}

const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M/s`
process.stdout.write(`kernel message path, ${N} round trips per run, best of ${RUNS}, Node ${process.versions.node}\n`)
for (const inFlight of [1, 32]) {
  const base = await best(() => baseline(inFlight))
  const kern = await best(() => kernelCase(inFlight, "none"))
  const held = await best(() => kernelCase(inFlight, "held"))
  const claim = await best(() => kernelCase(inFlight, "claim"))
  const r = (x: number) => `${fmt(x)} (${(x / base).toFixed(2)}x)`
  process.stdout.write(
    `in flight ${String(inFlight).padStart(2)}: promise mailbox ${fmt(base)} | kernel, private target ${r(kern)} | ` +
      `+ held signed capability attached ${r(held)} | + unsigned capability claim attached ${r(claim)}\n`
  )
}

/**
 * The chain plane's synchronous check: `hasCapability(gov, {issuer: bank, params})` per call,
 * against a baseline of one `Map.get(holder).has(key)` on precomputed strings.
 */
const checks = (): [number, number] => {
  const M = N * 2
  const k = makeKernel({ node: "bench.os" })
  const bank = processId("bank", "chain", "sys")
  const gov = processId("gov", "chain", "sys")
  k.spawn({ id: bank, process: {}, public: true })
  k.spawn({ id: gov, process: {}, grants: [{ issuer: bank, params: '{"mint":true}' }] })
  const cap = { issuer: bank, params: '{"mint":true}' }
  let hits = 0
  let t = performance.now()
  for (let i = 0; i < M; i++) if (k.hasCapability(gov, cap)) hits++
  const kernelRate = (M / (performance.now() - t)) * 1000
  const table = new Map([["gov:chain:sys", new Set(['bench.os@bank:chain:sys {"mint":true}'])]])
  const holder = "gov:chain:sys"
  const key = 'bench.os@bank:chain:sys {"mint":true}'
  t = performance.now()
  for (let i = 0; i < M; i++) if (table.get(holder)!.has(key)) hits++
  const baseRate = (M / (performance.now() - t)) * 1000
  if (hits !== 2 * M) throw new Error("capability check failed")
  k.shutdown()
  return [kernelRate, baseRate]
}
let bestChecks: [number, number] = [0, 0]
for (let i = 0; i < RUNS; i++) {
  const [a, b] = checks()
  if (a > bestChecks[0]) bestChecks = [a, Math.max(b, bestChecks[1])]
}
process.stdout.write(
  `hasCapability(holder, {issuer, params}): ${fmt(bestChecks[0])} checks | Map+Set baseline ${fmt(bestChecks[1])} ` +
    `(${(bestChecks[0] / bestChecks[1]).toFixed(2)}x)\n`
)
