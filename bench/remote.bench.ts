/**
 * Remote kernel messaging benchmark: request/response round trips per second between a process
 * on node A and a public process on node B through both kernels (networking capability check,
 * frame encode/decode, relay entry on B, deadline on A), against the bare frame round trip of
 * the same transport (a fixed frame echoed by B's transport handler, no kernel) in the same run.
 *
 * Transports: `memory` (test/kernel/remote-memory.ts: one microtask per frame, so the figure is
 * the kernel's own cost) and `libp2p` (node/network's KernelTransport over loopback TCP with
 * Noise and yamux, two hosts in this process).
 *
 * Run: `npx node bench/remote.bench.ts [roundTrips] [memory|libp2p|all]` (default 100,000, all).
 * Prints per transport and per requests-in-flight: bare frames/s, kernel round trips/s, ratio
 * (best of 3 runs each).
 */
import { KERNEL_PROCESS, processId } from "../kernel/Address.ts"
import { NETWORKING } from "../capabilities/Capability.ts"
import { type KernelApi, makeKernel } from "../kernel/Kernel.ts"
import { request, response } from "../kernel/Message.ts"
import type { RemoteTransport } from "../kernel/Transport.ts"
import { MemoryNetwork } from "../test/kernel/remote-memory.ts"

const N = Number(process.argv[2] ?? 100_000)
const which = process.argv[3] ?? "all"
const RUNS = 3
const FLIGHTS = [1, 64]

const client = processId("client", "bench", "sys")
const server = processId("server", "bench", "sys")

interface Pair {
  readonly name: string
  readonly a: RemoteTransport
  readonly b: RemoteTransport
  /** Transports for the bare measurement (a second pair; kernels own the first). */
  readonly bareA: RemoteTransport
  readonly bareB: RemoteTransport
  readonly close: () => Promise<void>
}

/** Bare: `flight` frames in flight, each echoed by B's handler; frames/s for `n` round trips. */
const bare = async (p: Pair, n: number, flight: number): Promise<number> => {
  const frame = new Uint8Array(64)
  p.bareB.onFrame((node, f) => void p.bareB.send(node, f))
  let done = 0
  let sent = 0
  let finish!: () => void
  const finished = new Promise<void>((r) => (finish = r))
  p.bareA.onFrame(() => {
    done++
    if (done === n) finish()
    else if (sent < n) {
      sent++
      void p.bareA.send(p.bareB.our, frame)
    }
  })
  const t0 = performance.now()
  for (; sent < Math.min(flight, n); ) {
    sent++
    void p.bareA.send(p.bareB.our, frame)
  }
  await finished
  return n / ((performance.now() - t0) / 1000)
}

/** Kernel: `flight` concurrent request loops from A's client to B's server. */
const kernelRoundTrips = async (ka: KernelApi, b: string, n: number, flight: number): Promise<number> => {
  const c = ka.spawn({ id: { ...client, processName: `client-${flight}-${Math.random().toString(36).slice(2, 8)}` }, process: {}, grants: [{ issuer: KERNEL_PROCESS, params: NETWORKING }] })
  const to = { node: b, process: server }
  const body = new Uint8Array(64)
  const per = Math.ceil(n / flight)
  const t0 = performance.now()
  await Promise.all(Array.from({ length: flight }, async () => {
    for (let i = 0; i < per; i++) await c.request(to, request(body, 30_000))
  }))
  return (per * flight) / ((performance.now() - t0) / 1000)
}

const memoryPair = async (): Promise<Pair> => {
  const net = new MemoryNetwork()
  const bareNet = new MemoryNetwork()
  return { name: "memory", a: net.transport("a.os"), b: net.transport("b.os"), bareA: bareNet.transport("a.os"), bareB: bareNet.transport("b.os"), close: async () => {} }
}

const libp2pPair = async (): Promise<Pair> => {
  const { Effect, Exit, Scope } = await import("effect")
  const { makeNetwork } = await import("../node/network/Network.ts")
  const { staticPeerDirectory } = await import("../node/network/PeerDirectory.ts")
  const { generateEd25519 } = await import("../node/home/ValidatorKey.ts")
  const scope = Effect.runSync(Scope.make())
  const names = ["a.os", "b.os", "a2.os", "b2.os"]
  const base = 40_000 + Math.floor(Math.random() * 20_000)
  const nodes = names.map((name, i) => ({ name, key: generateEd25519(), port: base + i }))
  const directory = staticPeerDirectory(nodes.map((n) => ({ name: n.name, owner: "bench", netKey: n.key.pubkey, ip: "127.0.0.1", tcpPort: n.port, routers: [] })))
  const started = await Promise.all(nodes.map((n) =>
    Effect.runPromise(
      makeNetwork({
        key: n.key,
        our: n.name,
        listen: [`/ip4/127.0.0.1/tcp/${n.port}`],
        directory,
        // The bench floods on purpose: lift the per-peer rate limit.
        limits: { peerFramesPerSecond: 10_000_000, peerFrameBurst: 10_000_000 }
      }).pipe(Scope.provide(scope))
    )
  ))
  const [a, b, a2, b2] = started
  return {
    name: "libp2p",
    a: a!.transport,
    b: b!.transport,
    bareA: a2!.transport,
    bareB: b2!.transport,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const best = async (f: () => Promise<number>): Promise<number> => {
  let top = 0
  for (let i = 0; i < RUNS; i++) top = Math.max(top, await f())
  return top
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US")

for (const make of [memoryPair, libp2pPair]) {
  if (which !== "all" && !make.name.startsWith(which)) continue
  const p = await make()
  const ka = makeKernel({ node: p.a.our })
  const kb = makeKernel({ node: p.b.our })
  ka.attachTransport(p.a)
  kb.attachTransport(p.b)
  kb.spawn({ id: server, public: true, process: { onRequest: (ctx, _s, req) => ctx.respond(response(req.body)) } })
  // Warm up both paths.
  await bare(p, Math.min(N, 10_000), 64)
  await kernelRoundTrips(ka, p.b.our, Math.min(N, 10_000), 64)
  for (const flight of FLIGHTS) {
    const f = await best(() => bare(p, N, flight))
    const k = await best(() => kernelRoundTrips(ka, p.b.our, N, flight))
    console.log(`${p.name.padEnd(7)} in flight ${String(flight).padStart(3)}: bare frames ${fmt(f).padStart(10)} rt/s, kernel ${fmt(k).padStart(10)} rt/s, kernel/bare ${(k / f).toFixed(2)}`)
  }
  console.log(`${p.name}: a remote stats ${JSON.stringify(ka.remoteStats())}`)
  ka.shutdown()
  kb.shutdown()
  await p.close()
}
