/**
 * Userspace benchmark: request/response round trips per second between two userspace Wasm
 * processes (componentize-js components, each in its own worker thread) and between a userspace
 * process and a runtime module (kv), against the kernel-only figure (two native processes)
 * measured in the same run; memory per idle userspace process and how many fit in 1 GiB; cold
 * start (spawn to first answered request).
 *
 * Run: `npx node bench/userspace.bench.ts [pairs]` (default 3000 pairs per userspace case). The
 * fixture component is built (or taken from .cache/components/) first.
 */
import { formatAddress } from "../kernel/Address.ts"
import { makeKernel } from "../kernel/Kernel.ts"
import { request, response } from "../kernel/Message.ts"
import type { Request } from "../kernel/Message.ts"
import { userspaceProcess } from "../kernel/userspace/UserspaceProcess.ts"
import { ask, json, parse, pid, removeHome, serviceProgram, startNode } from "../test/userspace/setup.ts"

const PAIRS = Number(process.argv[2] ?? 3000)
const program = await serviceProgram()

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

for (const r of rows) console.log(r)
await node.stop()
await removeHome(node.home)
