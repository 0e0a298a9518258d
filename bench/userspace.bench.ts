/**
 * Userspace benchmark: request/response round trips per second between two userspace Wasm
 * processes (componentize-js components, each in its own worker thread) and between a userspace
 * process and a runtime module (kv), against the kernel-only figure (two native processes)
 * measured in the same run; memory per idle userspace process and how many fit in 1 GiB; cold
 * start (spawn to first answered request).
 *
 * Light guests (process-lite, AssemblyScript, many per worker in a LitePool; issue 16) in the same
 * run: round trips between two light processes on one worker (in-worker routes after the first
 * admitted request) and across two workers (through the kernel thread), native -> light, cold
 * start, and idle memory per process.
 *
 * Run: `npx node bench/userspace.bench.ts [pairs]` (default 3000 pairs per userspace case; the light
 * cases use 100x). The fixture components are built (or taken from .cache/) first.
 *
 * `npx node bench/userspace.bench.ts transport [pairs] [rounds]` runs only the thread-transport
 * rows: round trips between two threads over postMessage and over shared-memory rings
 * (kernel/userspace/internal/LiteRing.ts; woken by Atomics.waitAsync, or polling first), one and
 * 64 in flight, the variants alternated in each round, each as a ratio to postMessage in the same
 * round (default 20,000 pairs, 5 rounds).
 *
 * `npx node bench/userspace.bench.ts lite [pairs] [rounds]` runs only the two-worker light rows
 * (one in flight, 100 in flight, 100 in flight with pipeline 32), each with the `message` and the
 * `ring` transport (LitePool `transport`), alternated in each round, as ratios to the kernel-only
 * figure of the same round (default 30,000 pairs, 3 rounds; one in flight uses a tenth).
 */
import { formatAddress } from "../kernel/Address.ts"
import { makeKernel } from "../kernel/Kernel.ts"
import { request, response } from "../kernel/Message.ts"
import type { Request } from "../kernel/Message.ts"
import { LitePool } from "../kernel/userspace/LitePool.ts"
import { userspaceProcess } from "../kernel/userspace/UserspaceProcess.ts"
import { transport } from "../test/userspace/lite-ring-peer.ts"
import { bytes, liteProgram, text } from "../test/userspace/lite-setup.ts"
import { ask, json, parse, pid, removeHome, serviceProgram, startNode } from "../test/userspace/setup.ts"

if (process.argv[2] === "transport") {
  const n = Number(process.argv[3] ?? 20_000)
  const rounds = Number(process.argv[4] ?? 5)
  const variants: ReadonlyArray<readonly [string, "ring" | "port", number, number]> = [
    ["postMessage, 1 in flight", "port", 1, 0], ["ring + waitAsync, 1 in flight", "ring", 1, 0], ["ring, poll 2,000 then waitAsync, 1 in flight", "ring", 1, 2000],
    ["postMessage, 64 in flight", "port", 64, 0], ["ring + waitAsync, 64 in flight", "ring", 64, 0]
  ]
  const ratios = new Map<string, number[]>(variants.map(([l]) => [l, []]))
  const rates = new Map<string, number[]>(variants.map(([l]) => [l, []]))
  for (let r = 0; r < rounds; r++) {
    const base = new Map<number, number>()
    for (const [label, mode, window, spin] of r % 2 === 0 ? variants : [...variants].reverse()) {
      const x = await transport(mode, window === 1 ? n / 4 : n, window, spin)
      rates.get(label)!.push(x)
      if (mode === "port") base.set(window, x)
    }
    for (const [label, , window] of variants) ratios.get(label)!.push(rates.get(label)![r]! / base.get(window)!)
  }
  const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1]!
  for (const [label] of variants) {
    console.log(`${label}: median ${med(rates.get(label)!).toFixed(0)} round trips/s, ${med(ratios.get(label)!).toFixed(2)}x postMessage (rounds: ${ratios.get(label)!.map((v) => v.toFixed(2)).join(" ")})`)
  }
  process.exit(0)
}

const kernelOnly = async (n: number): Promise<number> => {
  const k = makeKernel({ node: "alice.os" })
  k.spawn({ id: pid("echo"), process: { onRequest: (ctx) => ctx.respond(response(new Uint8Array(8))) } })
  const c = k.spawn({ id: pid("c"), process: {} })
  k.grant(pid("c"), [{ issuer: pid("echo"), params: '"messaging"' }])
  const to = k.address(pid("echo"))
  const body = new Uint8Array(8)
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await c.request(to, request(body, 30_000))
  const s = (performance.now() - t0) / 1000
  k.shutdown()
  return n / s
}

if (process.argv[2] === "lite") {
  const n = Number(process.argv[3] ?? 30_000)
  const rounds = Number(process.argv[4] ?? 3)
  const node = await startNode()
  const k = node.kernel
  const lite = await liteProgram()
  const client = k.spawn({ id: pid("client"), process: {} })
  let report!: (v: any) => void
  k.spawn({ id: pid("driver"), public: true, process: { onRequest: (_c, _s, req: Request) => report(JSON.parse(text(req.body))) } })
  const driver = formatAddress(k.address(pid("driver")))
  const pools = { message: new LitePool({ workers: 2 }), ring: new LitePool({ workers: 2, transport: "ring" }) }
  const rowsL = [["one in flight", 1, 1], ["100 in flight", 100, 1], ["100 in flight, pipeline 32", 100, 32]] as const
  for (const [t, pool] of Object.entries(pools)) {
    rowsL.forEach(([, , pipe], i) => {
      // least-loaded placement: x on worker 0, y on worker 1
      k.spawn({ id: pid(`${t}x${i}`), process: pool.process(lite, { pipeline: pipe }), public: true })
      k.spawn({ id: pid(`${t}y${i}`), process: pool.process(lite, { pipeline: pipe }), public: true })
    })
  }
  const run = async (t: string, row: number, pairs: number, window: number): Promise<number> => {
    const done = new Promise<any>((r) => (report = r))
    const t0 = performance.now()
    await client.request(k.address(pid(`${t}x${row}`)), request(bytes(`pingpong ${formatAddress(k.address(pid(`${t}y${row}`)))} ${pairs} ${window} ${driver}`), 60_000))
    const r = await done
    if (r.bad !== 0 || r.pairs !== pairs) throw new Error(`lite pingpong: ${JSON.stringify(r)}`)
    return pairs / ((performance.now() - t0) / 1000)
  }
  const ratios = new Map<string, number[]>()
  for (let r = 0; r < rounds; r++) {
    const kernelRate = await kernelOnly(200_000)
    const order = r % 2 === 0 ? ["message", "ring"] : ["ring", "message"]
    for (const [i, [label, window]] of rowsL.entries()) {
      for (const t of order) {
        const x = await run(t, i, window === 1 ? n / 10 : n, window)
        const key = `two workers, ${label}, ${t}`
        ratios.set(key, [...(ratios.get(key) ?? []), x / kernelRate])
        console.log(`round ${r}: ${key}: ${x.toFixed(0)} round trips/s (${(x / kernelRate).toExponential(2)}x kernel ${(kernelRate / 1e6).toFixed(2)} M/s)`)
      }
    }
  }
  const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1]!
  for (const [label] of rowsL) {
    const m = ratios.get(`two workers, ${label}, message`)!
    const g = ratios.get(`two workers, ${label}, ring`)!
    console.log(`two workers, ${label}: ring/message median ${med(g.map((v, i) => v / m[i]!)).toFixed(2)} (rounds: ${g.map((v, i) => (v / m[i]!).toFixed(2)).join(" ")})`)
  }
  await pools.message.close()
  await pools.ring.close()
  await node.stop()
  await removeHome(node.home)
  process.exit(0)
}

const PAIRS = Number(process.argv[2] ?? 3000)
const program = await serviceProgram()

const node = await startNode()
const k = node.kernel
const client = k.spawn({ id: pid("client"), process: {} })
k.spawn({ id: pid("a"), process: userspaceProcess(program, { state: node.runtime.state }), public: true })
k.spawn({ id: pid("b"), process: userspaceProcess(program), public: true })
await ask(client, pid("a"), { op: "call", target: "alice.os@kv:distro:sys", body: { op: "open", db: "main" } })

let report!: (v: any) => void
k.spawn({ id: pid("driver"), public: true, process: { onRequest: (_c, _s, req: Request) => report(parse(req.body)) } })
const driver = k.address(pid("driver"))
const pingpong = async (n: number, batch: number): Promise<number> => {
  const done = new Promise<any>((r) => (report = r))
  const t0 = performance.now()
  await client.send(k.address(pid("a")), request(json({ op: "pingpong", target: formatAddress(k.address(pid("b"))), n, batch, reportTo: formatAddress(driver) })))
  const r = await done
  if (r.bad !== 0) throw new Error(`pingpong: ${r.bad} bad pairs`)
  return n / ((performance.now() - t0) / 1000)
}

const rows: string[] = []
const kernelRate = Math.max(await kernelOnly(200_000), await kernelOnly(200_000))
rows.push(`kernel only (native <-> native, await each): ${(kernelRate / 1e6).toFixed(2)} M round trips/s`)
const rate = (label: string, r: number) => rows.push(`${label}: ${r.toFixed(0)} round trips/s (${(r / kernelRate).toExponential(2)}x kernel)`)
rate("userspace <-> userspace, one in flight", Math.max(await pingpong(PAIRS / 3, 1), await pingpong(PAIRS / 3, 1)))
rate("userspace <-> userspace, 100 in flight", Math.max(await pingpong(PAIRS, 100), await pingpong(PAIRS, 100)))
{
  const t0 = performance.now()
  const r = await ask(client, pid("a"), { op: "kvloop", n: PAIRS }, 600_000)
  if (r.ok !== PAIRS) throw new Error(`kvloop: ${JSON.stringify(r)}`)
  rate("userspace -> kv runtime module (send-and-await-response)", PAIRS / ((performance.now() - t0) / 1000))
}
{
  const t0 = performance.now()
  const n = PAIRS / 3
  for (let i = 0; i < n; i++) await ask(client, pid("b"), { op: "ping", n: i })
  rate("native -> userspace (await each)", n / ((performance.now() - t0) / 1000))
}

// Cold start: spawn to first answered request.
const starts: number[] = []
for (let i = 0; i < 8; i++) {
  const t0 = performance.now()
  k.spawn({ id: pid(`cold${i}`), process: userspaceProcess(program), public: true })
  await ask(client, pid(`cold${i}`), { op: "ping", n: 0 })
  starts.push(performance.now() - t0)
  k.kill(pid(`cold${i}`))
}
starts.sort((x, y) => x - y)
rows.push(`cold start (spawn to first answer): median ${starts[4]!.toFixed(0)} ms, min ${starts[0]!.toFixed(0)} ms, max ${starts[7]!.toFixed(0)} ms`)

// Memory per idle process: RSS growth over N idle processes (each answered one request).
const N = 24
await new Promise((r) => setTimeout(r, 200))
const rss0 = process.memoryUsage().rss
for (let i = 0; i < N; i++) {
  k.spawn({ id: pid(`idle${i}`), process: userspaceProcess(program), public: true })
  await ask(client, pid(`idle${i}`), { op: "ping", n: i })
}
await new Promise((r) => setTimeout(r, 500))
const per = (process.memoryUsage().rss - rss0) / N
rows.push(`idle userspace process: ${(per / 2 ** 20).toFixed(1)} MiB RSS each (${N} processes) -> about ${Math.floor(2 ** 30 / per)} per GiB`)

// ---- light guests ----
const lite = await liteProgram()
const askLite = async (target: string, body: string): Promise<any> =>
  JSON.parse(text((await client.request(k.address(pid(target)), request(bytes(body), 60_000))).response.body))
const litePingpong = async (a: string, b: string, n: number, batch: number): Promise<number> => {
  const done = new Promise<any>((r) => (report = r))
  const t0 = performance.now()
  await askLite(a, `pingpong ${formatAddress(k.address(pid(b)))} ${n} ${batch} ${formatAddress(driver)}`)
  const r = await done
  if (r.bad !== 0 || r.pairs !== n) throw new Error(`lite pingpong: ${JSON.stringify(r)}`)
  return n / ((performance.now() - t0) / 1000)
}
const one = new LitePool({ workers: 1 })
const two = new LitePool({ workers: 2 })
const twoRing = new LitePool({ workers: 2, transport: "ring" })
k.spawn({ id: pid("la"), process: one.process(lite), public: true })
k.spawn({ id: pid("lb"), process: one.process(lite), public: true })
// least-loaded placement: lx on worker 0, ly on worker 1
k.spawn({ id: pid("lx"), process: two.process(lite), public: true })
k.spawn({ id: pid("ly"), process: two.process(lite), public: true })
const LN = PAIRS * 100
rate("light <-> light, one worker, one in flight", Math.max(await litePingpong("la", "lb", LN / 10, 1), await litePingpong("la", "lb", LN / 10, 1)))
rate("light <-> light, one worker, 100 in flight", Math.max(await litePingpong("la", "lb", LN, 100), await litePingpong("la", "lb", LN, 100)))
{
  const s = one.stats().find((x) => x.process === formatAddress(k.address(pid("lb"))))!
  rows.push(`  one worker: ${s.local} of lb's ${s.received} messages handled inside the worker (in-worker route), the rest through the kernel thread`)
}
rate("light <-> light, two workers, one in flight", Math.max(await litePingpong("lx", "ly", LN / 10, 1), await litePingpong("lx", "ly", LN / 10, 1)))
rate("light <-> light, two workers, 100 in flight", Math.max(await litePingpong("lx", "ly", LN, 100), await litePingpong("lx", "ly", LN, 100)))
// the `ring` transport between the kernel thread and each worker (LitePool `transport`)
k.spawn({ id: pid("rx"), process: twoRing.process(lite), public: true })
k.spawn({ id: pid("ry"), process: twoRing.process(lite), public: true })
rate("light <-> light, two workers, one in flight, ring transport", Math.max(await litePingpong("rx", "ry", LN / 10, 1), await litePingpong("rx", "ry", LN / 10, 1)))
rate("light <-> light, two workers, 100 in flight, ring transport", Math.max(await litePingpong("rx", "ry", LN, 100), await litePingpong("rx", "ry", LN, 100)))
// Pipelined delivery (LiteOptions.pipeline): up to 32 messages per process on its worker at once.
k.spawn({ id: pid("pa"), process: one.process(lite, { pipeline: 32 }), public: true })
k.spawn({ id: pid("pb"), process: one.process(lite, { pipeline: 32 }), public: true })
k.spawn({ id: pid("px"), process: two.process(lite, { pipeline: 32 }), public: true })
k.spawn({ id: pid("py"), process: two.process(lite, { pipeline: 32 }), public: true })
rate("light <-> light, one worker, 100 in flight, pipeline 32", Math.max(await litePingpong("pa", "pb", LN, 100), await litePingpong("pa", "pb", LN, 100)))
rate("light <-> light, two workers, 100 in flight, pipeline 32", Math.max(await litePingpong("px", "py", LN, 100), await litePingpong("px", "py", LN, 100)))
k.spawn({ id: pid("rpx"), process: twoRing.process(lite, { pipeline: 32 }), public: true })
k.spawn({ id: pid("rpy"), process: twoRing.process(lite, { pipeline: 32 }), public: true })
rate("light <-> light, two workers, 100 in flight, pipeline 32, ring transport", Math.max(await litePingpong("rpx", "rpy", LN, 100), await litePingpong("rpx", "rpy", LN, 100)))
{
  const t0 = performance.now()
  const n = PAIRS * 3
  for (let i = 0; i < n; i++) await askLite("lb", `ping ${i}`)
  rate("native -> light (await each)", n / ((performance.now() - t0) / 1000))
}
{
  const coldLite: number[] = []
  for (let i = 0; i < 101; i++) {
    const t0 = performance.now()
    k.spawn({ id: pid(`lcold${i}`), process: one.process(lite), public: true })
    await askLite(`lcold${i}`, "ping 0")
    coldLite.push(performance.now() - t0)
    k.kill(pid(`lcold${i}`))
  }
  coldLite.sort((x, y) => x - y)
  rows.push(`light cold start (spawn to first answer, compiled module cached): median ${coldLite[50]!.toFixed(2)} ms, min ${coldLite[0]!.toFixed(2)} ms, max ${coldLite[100]!.toFixed(2)} ms`)
}
{
  const LIDLE = 2000
  const pool = new LitePool({ workers: 2 })
  await new Promise((r) => setTimeout(r, 200))
  const rss0 = process.memoryUsage().rss
  const t0 = performance.now()
  for (let i = 0; i < LIDLE; i++) k.spawn({ id: pid(`lidle${i}`), process: pool.process(lite), public: true })
  await Promise.all(Array.from({ length: LIDLE }, (_, i) => askLite(`lidle${i}`, `ping ${i}`)))
  const ms = performance.now() - t0
  await new Promise((r) => setTimeout(r, 500))
  const perLite = (process.memoryUsage().rss - rss0) / LIDLE
  rows.push(`idle light process: ${(perLite / 1024).toFixed(0)} KiB RSS each (${LIDLE} processes on 2 workers, all started and answered in ${ms.toFixed(0)} ms) -> about ${Math.floor(2 ** 30 / perLite)} per GiB`)
  await pool.close()
}
await one.close()
await two.close()
await twoRing.close()

for (const r of rows) console.log(r)
await node.stop()
await removeHome(node.home)
