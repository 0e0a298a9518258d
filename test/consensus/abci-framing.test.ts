/** ABCI framing edge cases: split frames, several frames per chunk, oversize/malformed frames. */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Request, Response } from "cosmjs-types/tendermint/abci/types"
import { encodeFrame, encodeUvarint, FrameDecoder, FrameError } from "../../modules/consensus/abci/Framing.ts"
import { startAbciServer } from "../../modules/consensus/abci/AbciServer.ts"
import { AbciConnection, AbciException } from "./cometClient.ts"
import { KvApp } from "./kvApp.ts"

const echo = (m: string) => Request.encode(Request.fromPartial({ echo: { message: m } })).finish()

test("uvarint prefix is unsigned (300 -> ac 02), not zigzag", () => {
  assert.equal([...encodeUvarint(300)], [0xac, 0x02])
  assert.equal([...encodeUvarint(0)], [0])
  assert.equal([...encodeUvarint(127)], [127])
})

test("decoder: frame split byte by byte", () => {
  const d = new FrameDecoder()
  const f = encodeFrame(echo("split"))
  const got: Uint8Array[] = []
  for (const b of f) got.push(...d.push(Uint8Array.of(b)))
  assert.is(got.length, 1)
  assert.is(Request.decode(got[0]!).echo!.message, "split")
  assert.is(d.pending, 0)
})

test("decoder: several frames and a partial one in one chunk", () => {
  const d = new FrameDecoder()
  const a = encodeFrame(echo("a")), b = encodeFrame(echo("b")), c = encodeFrame(echo("c".repeat(200)))
  const all = new Uint8Array([...a, ...b, ...c.subarray(0, 5)])
  const first = d.push(all)
  assert.equal(first.map((f) => Request.decode(f).echo!.message), ["a", "b"])
  const rest = d.push(c.subarray(5))
  assert.is(Request.decode(rest[0]!).echo!.message, "c".repeat(200))
  // an empty frame (length 0) is a valid empty message
  assert.is(d.push(Uint8Array.of(0)).length, 1)
})

test("decoder: oversize frame and over-long varint throw FrameError", () => {
  assert.throws(() => new FrameDecoder(10).push(encodeFrame(new Uint8Array(11))), (e: unknown) => e instanceof FrameError)
  assert.throws(() => new FrameDecoder().push(new Uint8Array(11).fill(0xff)), (e: unknown) => e instanceof FrameError)
})

const withServer = async (body: (address: string, errors: unknown[]) => Promise<void>, maxFrameBytes?: number) => {
  const dir = mkdtempSync(join(tmpdir(), "abci-frame-"))
  const app = await KvApp.open(dir)
  const errors: unknown[] = []
  const server = await startAbciServer({ app, address: "tcp://127.0.0.1:0", maxFrameBytes, onConnectionError: (e) => errors.push(e) })
  try { await body(server.address, errors) } finally {
    await server.close(); await app.close(); rmSync(dir, { recursive: true, force: true })
  }
}

test("server: pipelined requests in one write are answered in order, Flush after them", async () => {
  await withServer(async (address) => {
    const c = await AbciConnection.open(address, "t")
    const ps = [c.send({ echo: { message: "1" } }), c.send({ info: {} }), c.send({ echo: { message: "3" } }), c.send({ flush: {} })]
    const rs = await Promise.all(ps)
    assert.is(rs[0]!.echo!.message, "1")
    assert.ok(rs[1]!.info !== undefined)
    assert.is(rs[2]!.echo!.message, "3")
    assert.ok(rs[3]!.flush !== undefined)
    c.close()
  })
})

test("server: malformed frame -> ResponseException and that connection closes; server lives on", async () => {
  await withServer(async (address, errors) => {
    const bad = await AbciConnection.open(address, "bad")
    const ok = await AbciConnection.open(address, "ok")
    const p = bad.send({ echo: { message: "before" } })
    // a frame whose body is not a Request protobuf (field 1 wire type 7 is invalid)
    bad.writeRaw(encodeFrame(Uint8Array.of(0x0f, 0x01)))
    assert.is((await p).echo!.message, "before")
    await bad.closed()
    assert.is(errors.length, 1)
    assert.is((await ok.call({ echo: { message: "still" } })).echo!.message, "still")
    ok.close()
  })
})

test("server: oversize frame -> exception response, connection closed", async () => {
  await withServer(async (address, errors) => {
    const c = await AbciConnection.open(address, "big")
    const raw = await rawExchange(address, encodeFrame(new Uint8Array(100)))
    const res = Response.decode(new FrameDecoder().push(raw)[0]!)
    assert.match(res.exception!.error, /exceeds the limit of 64 bytes/)
    assert.is(errors.length, 1)
    c.close()
  }, 64)
})

test("server: application exception -> ResponseException, connection closed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "abci-frame-"))
  const app = await KvApp.open(dir)
  const server = await startAbciServer({ app, address: "tcp://127.0.0.1:0" })
  try {
    const c = await AbciConnection.open(server.address, "x")
    app.throwOn = "info"
    await c.send({ info: {} }).then(() => assert.unreachable("expected exception"), (e) => {
      assert.instance(e, AbciException)
      assert.match((e as Error).message, /injected failure/)
    })
    await c.closed()
    const c2 = await AbciConnection.open(server.address, "y")
    assert.is((await c2.call({ info: {} })).info!.lastBlockHeight, 0n)
    c2.close()
  } finally { await server.close(); await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

test("server: unknown address scheme is a typed error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "abci-frame-"))
  const app = await KvApp.open(dir)
  try {
    await startAbciServer({ app, address: "http://x:1" }).then(() => assert.unreachable(), (e) => assert.is(e._tag, "AbciServeError"))
  } finally { await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

/** Writes raw bytes on a fresh socket and collects everything until the server closes it. */
const rawExchange = async (address: string, bytes: Uint8Array): Promise<Uint8Array> => {
  const { connect } = await import("node:net")
  const m = /^tcp:\/\/(.+):(\d+)$/.exec(address)!
  return new Promise((resolve, reject) => {
    const s = connect(Number(m[2]), m[1]!)
    const chunks: Buffer[] = []
    s.on("data", (d) => chunks.push(d))
    s.on("close", () => resolve(new Uint8Array(Buffer.concat(chunks))))
    s.on("error", reject)
    s.on("connect", () => s.write(bytes))
  })
}

test("decoder: random splits of many frames give the same frames; a 4 MiB frame in 64 KiB chunks", () => {
  let seed = 12345
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
  const bodies = Array.from({ length: 300 }, (_, i) => new Uint8Array(rnd(400)).fill(i % 256))
  const all = new Uint8Array(bodies.reduce((a, b) => a + encodeFrame(b).length, 0))
  let o = 0
  for (const b of bodies) { const f = encodeFrame(b); all.set(f, o); o += f.length }
  for (let round = 0; round < 20; round++) {
    const d = new FrameDecoder()
    const got: Uint8Array[] = []
    for (let i = 0; i < all.length;) { const k = 1 + rnd(700); got.push(...d.push(all.subarray(i, i + k))); i += k }
    assert.is(got.length, bodies.length)
    assert.ok(got.every((g, i) => g.length === bodies[i]!.length && g.every((x) => x === i % 256)))
    assert.is(d.pending, 0)
  }
  const big = new Uint8Array(4 << 20).map((_, i) => i & 0xff)
  const f = encodeFrame(big)
  const d = new FrameDecoder()
  const t0 = performance.now()
  const out: Uint8Array[] = []
  for (let i = 0; i < f.length; i += 65536) out.push(...d.push(f.subarray(i, i + 65536)))
  assert.is(out.length, 1)
  assert.is(out[0]!.length, big.length)
  assert.is(out[0]![123457], 123457 & 0xff)
  assert.ok(performance.now() - t0 < 2000, "linear-time reassembly")
})

test.run()
