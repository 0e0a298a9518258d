/**
 * Network transport benchmark: node/network's KernelTransport (`/cyberkernel/kernel/1`: framing,
 * hello-authenticated channel, per-peer rate bucket and counters) against a bare libp2p stream
 * echo between the same two libp2p hosts (TCP, Noise, yamux on loopback, one process) in the
 * same run.
 *
 * Measures, best of 3 runs each:
 * - round trips/s, one in flight: 64-byte frame A → B, B answers with the same frame, A waits;
 *   bare: 64 bytes written on a raw stream, echoed back, A waits for 64 bytes;
 * - round trips/s, 64 in flight (pipelined), same frames;
 * - bulk MB/s one way: 64 MiB in 64 KiB frames, B acknowledges the last byte;
 * - then the same two hosts carry two kernels (issue 14's figure): remote round trips/s through
 *   both kernels (a process on A with the networking capability requests a public process on B
 *   that answers at once; 64-byte bodies, 1 and 64 in flight) and kernel bulk MB/s (requests with
 *   64 KiB bodies, 8 in flight, empty answers), each against the bare stream of this run.
 *
 * Run: `npx node bench/network.bench.ts [roundTrips=20000] [bulkMiB=64]`.
 */
import { Effect, Exit, Scope } from "effect"
import { NETWORKING } from "../capabilities/Capability.ts"
import { KERNEL_PROCESS, processId } from "../kernel/Address.ts"
import { makeKernel } from "../kernel/Kernel.ts"
import { request, response } from "../kernel/Message.ts"
import { generateEd25519 } from "../node/home/ValidatorKey.ts"
import { makeNetwork, type NetworkApi } from "../node/network/Network.ts"
import type { Stream } from "../node/network/Libp2pTypes.ts"
import type { NodeRecord } from "../node/network/PeerDirectory.ts"

const ROUND_TRIPS = Number(process.argv[2] ?? 20_000)
const BULK_MIB = Number(process.argv[3] ?? 64)
const RUNS = 3
const ECHO = "/bench/echo/1"
const CHUNK = 64 * 1024

const records = new Map<string, NodeRecord>()
const directory = { resolve: async (name: string) => records.get(name) }
const scope = Effect.runSync(Scope.make())
const start = async (name: string): Promise<NetworkApi> => {
  const key = generateEd25519()
  const net = await Effect.runPromise(makeNetwork({
    key, our: name, listen: ["/ip4/127.0.0.1/tcp/0"], directory,
    limits: { peerFramesPerSecond: 1e9, peerFrameBurst: 1e9, maxFrameBytes: 1 << 20 }
  }).pipe(Scope.provide(scope)))
  const port = Number(/\/tcp\/(\d+)/.exec(net.listenAddresses()[0]!)![1])
  records.set(name, { name, owner: "", netKey: key.pubkey, ip: "127.0.0.1", tcpPort: port, routers: [] })
  return net
}

const a = await start("a.os")
const b = await start("b.os")

// Bare echo on B: every chunk written back as is.
await b.libp2p.handle(ECHO, (stream: Stream) => {
  stream.addEventListener("message", (e) => {
    stream.send(e.data)
  })
  stream.addEventListener("remoteCloseWrite", () => void stream.close())
})

/** Bytes arriving on `stream`, resolved in `need`-sized waits. */
const reader = (stream: Stream) => {
  let have = 0
  let want = 0
  let wake: (() => void) | undefined
  stream.addEventListener("message", (e) => {
    have += e.data.byteLength
    if (wake && have >= want) {
      const w = wake
      wake = undefined
      w()
    }
  })
  return (need: number) => {
    if (have >= need) {
      have -= need
      return Promise.resolve()
    }
    want = need
    return new Promise<void>((r) => (wake = () => {
      have -= need
      r()
    }))
  }
}

const send = async (stream: Stream, data: Uint8Array) => {
  if (!stream.send(data)) await stream.onDrain()
}

const best = async (f: () => Promise<number>): Promise<number> => {
  let top = 0
  for (let i = 0; i < RUNS; i++) top = Math.max(top, await f())
  return top
}

const frame64 = new Uint8Array(64).fill(7)

// Bare: round trips with `flight` in flight.
const bareRoundTrips = async (flight: number): Promise<number> => {
  const stream = await a.libp2p.dialProtocol(b.libp2p.getMultiaddrs()[0]!, ECHO)
  const read = reader(stream)
  const t0 = performance.now()
  let sent = 0
  for (; sent < flight; sent++) stream.send(frame64)
  for (let done = 0; done < ROUND_TRIPS; done++) {
    await read(64)
    if (sent < ROUND_TRIPS) {
      await send(stream, frame64)
      sent++
    }
  }
  const s = (performance.now() - t0) / 1000
  await stream.close()
  return ROUND_TRIPS / s
}

// Transport: B answers every frame with the same frame.
b.transport.onFrame((from, frame) => void b.transport.send(from, frame))
let onReply: () => void = () => undefined
a.transport.onFrame(() => onReply())

const transportRoundTrips = async (flight: number): Promise<number> => {
  let done = 0
  let sent = 0
  const t0 = performance.now()
  await new Promise<void>((resolve) => {
    onReply = () => {
      done++
      if (done === ROUND_TRIPS) return resolve()
      if (sent < ROUND_TRIPS) {
        sent++
        void a.transport.send("b.os", frame64)
      }
    }
    for (; sent < flight; sent++) void a.transport.send("b.os", frame64)
  })
  return ROUND_TRIPS / ((performance.now() - t0) / 1000)
}

const bulkBytes = BULK_MIB * 1024 * 1024
const chunk = new Uint8Array(CHUNK).fill(1)

const bareBulk = async (): Promise<number> => {
  const sink = "/bench/sink/1"
  await b.libp2p.handle(sink, (stream: Stream) => {
    let got = 0
    stream.addEventListener("message", (e) => {
      got += e.data.byteLength
      if (got === bulkBytes) stream.send(new Uint8Array(1))
    })
  }, { force: true })
  const stream = await a.libp2p.dialProtocol(b.libp2p.getMultiaddrs()[0]!, sink)
  const read = reader(stream)
  const t0 = performance.now()
  for (let sent = 0; sent < bulkBytes; sent += CHUNK) await send(stream, chunk)
  await read(1)
  const s = (performance.now() - t0) / 1000
  await stream.close()
  return bulkBytes / s / 1e6
}

const transportBulk = async (): Promise<number> => {
  let got = 0
  b.transport.onFrame((from, frame) => {
    got += frame.length
    if (got === bulkBytes) void b.transport.send(from, frame64)
  })
  const acked = new Promise<void>((r) => (onReply = r))
  const t0 = performance.now()
  for (let sent = 0; sent < bulkBytes; sent += CHUNK) await a.transport.send("b.os", chunk)
  await acked
  return bulkBytes / ((performance.now() - t0) / 1000) / 1e6
}

const rows: Array<[string, number, number, string]> = []
await transportRoundTrips(1) // warm the channel (dial + hello)
for (const flight of [1, 64]) {
  const bare = await best(() => bareRoundTrips(flight))
  const ours = await best(() => transportRoundTrips(flight))
  rows.push([`round trips/s, ${flight} in flight (64-byte frames)`, bare, ours, "rt/s"])
}
{
  const bare = await best(bareBulk)
  const ours = await best(transportBulk)
  rows.push([`bulk one way (64 KiB frames, ${BULK_MIB} MiB)`, bare, ours, "MB/s"])
}

// Kernels on the same two hosts: attachTransport takes over the transports' frame handlers.
const ka = makeKernel({ node: "a.os" })
const kb = makeKernel({ node: "b.os" })
ka.attachTransport(a.transport)
kb.attachTransport(b.transport)
const server = processId("server", "bench", "sys")
kb.spawn({ id: server, public: true, process: { onRequest: (ctx, _s, req) => ctx.respond(response(req.body.length > 64 ? new Uint8Array(0) : req.body)) } })
const clientOf = (tag: string) =>
  ka.spawn({ id: processId(`client-${tag}`, "bench", "sys"), process: {}, grants: [{ issuer: KERNEL_PROCESS, params: NETWORKING }] })
let clients = 0
/** `flight` loops of requests with `body` from a fresh client on A to B's server; requests/s. */
const kernelLoop = async (body: Uint8Array, total: number, flight: number): Promise<number> => {
  const c = clientOf(String(clients++))
  const to = { node: "b.os", process: server }
  const per = Math.ceil(total / flight)
  const t0 = performance.now()
  await Promise.all(Array.from({ length: flight }, async () => {
    for (let i = 0; i < per; i++) await c.request(to, request(body, 60_000))
  }))
  return (per * flight) / ((performance.now() - t0) / 1000)
}
await kernelLoop(frame64, 2_000, 64) // warm
const kernelRows: Array<[string, number, number, string]> = []
for (const flight of [1, 64]) {
  const bare = await best(() => bareRoundTrips(flight))
  const ours = await best(() => kernelLoop(frame64, ROUND_TRIPS, flight))
  kernelRows.push([`round trips/s, ${flight} in flight (64-byte bodies)`, bare, ours, "rt/s"])
}
{
  const bare = await best(bareBulk)
  const n = Math.ceil(bulkBytes / CHUNK)
  const ours = await best(async () => (await kernelLoop(chunk, n, 8)) * CHUNK / 1e6)
  kernelRows.push([`bulk one way (64 KiB request bodies, ${BULK_MIB} MiB, 8 in flight)`, bare, ours, "MB/s"])
}
ka.shutdown()
kb.shutdown()

const print = (title: string, r: Array<[string, number, number, string]>) => {
  console.log(`| measure | bare libp2p stream | ${title} | ratio |`)
  console.log("|---|---:|---:|---:|")
  for (const [what, bare, ours, unit] of r) {
    const fmt = (x: number) => unit === "MB/s" ? `${x.toFixed(1)} MB/s` : `${Math.round(x).toLocaleString("en-US")} rt/s`
    console.log(`| ${what} | ${fmt(bare)} | ${fmt(ours)} | ${(ours / bare).toFixed(2)} |`)
  }
}
console.log(`network bench: ${ROUND_TRIPS} round trips, ${BULK_MIB} MiB bulk; best of ${RUNS}; node ${process.version}`)
print("KernelTransport", rows)
print("through both kernels", kernelRows)
await Effect.runPromise(Scope.close(scope, Exit.void))
