/**
 * The libp2p RemoteTransport between real nodes on loopback: ordered delivery under the sender's
 * authenticated name, the key check against the directory, size limits, reconnection.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { TransportError } from "../../kernel/Transport.ts"
import { generateEd25519 } from "../../node/home/ValidatorKey.ts"
import { collect, startTestNode, TestDirectory, until } from "./support.ts"

const u32 = (n: number) => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n)
  return b
}
const readU32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0)

test("10,000 frames arrive in order, named by the sender, both ways on one channel", async () => {
  const dir = new TestDirectory()
  const a = await startTestNode("alice.os", dir)
  const b = await startTestNode("bob.os", dir)
  try {
    const atB = collect(b)
    const atA = collect(a)
    const sends: Array<Promise<void>> = []
    for (let i = 0; i < 10_000; i++) sends.push(a.net.transport.send("bob.os", u32(i)))
    await Promise.all(sends)
    await until(() => atB.length === 10_000, 20_000, "10,000 frames at bob")
    atB.forEach((f, i) => {
      if (f.node !== "alice.os" || readU32(f.frame) !== i) assert.unreachable(`frame ${i}: from ${f.node} value ${readU32(f.frame)}`)
    })
    // bob answers on the channel alice opened (no second dial needed)
    await b.net.transport.send("alice.os", u32(7))
    await until(() => atA.length === 1, 5000, "bob's reply")
    assert.is(atA[0]!.node, "bob.os")
    assert.is(readU32(atA[0]!.frame), 7)
    const stats = a.net.peers().find((p) => p.name === "bob.os")!
    assert.is(stats.framesOut, 10_000)
    assert.is(stats.connected, true)
  } finally {
    await a.stop()
    await b.stop()
  }
})

test("both nodes dialling each other at once: each direction stays in order", async () => {
  const dir = new TestDirectory()
  const a = await startTestNode("alice.os", dir)
  const b = await startTestNode("bob.os", dir)
  try {
    const atA = collect(a)
    const atB = collect(b)
    const sends: Array<Promise<void>> = []
    for (let i = 0; i < 2000; i++) {
      sends.push(a.net.transport.send("bob.os", u32(i)))
      sends.push(b.net.transport.send("alice.os", u32(i)))
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 1))
    }
    await Promise.all(sends)
    await until(() => atA.length === 2000 && atB.length === 2000, 10_000, "2,000 frames each way")
    assert.equal(atB.map((f) => readU32(f.frame)), Array.from({ length: 2000 }, (_, i) => i))
    assert.equal(atA.map((f) => readU32(f.frame)), Array.from({ length: 2000 }, (_, i) => i))
  } finally {
    await a.stop()
    await b.stop()
  }
})

test("a large frame up to the limit passes intact; a larger one is refused as too-large without sending", async () => {
  const dir = new TestDirectory()
  const limits = { maxFrameBytes: 1 << 20 }
  const a = await startTestNode("alice.os", dir, { limits })
  const b = await startTestNode("bob.os", dir, { limits })
  try {
    const atB = collect(b)
    const big = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff)
    await a.net.transport.send("bob.os", big)
    await until(() => atB.length === 1, 10_000, "the 1 MiB frame")
    assert.equal(atB[0]!.frame, big)
    const err = await a.net.transport.send("bob.os", new Uint8Array((1 << 20) + 1)).then(() => undefined, (e: unknown) => e)
    assert.instance(err, TransportError)
    assert.is((err as TransportError).reason, "too-large")
  } finally {
    await a.stop()
    await b.stop()
  }
})

test("a peer whose Noise key is not the name's ~net-key is refused both ways; unknown names are offline", async () => {
  const dir = new TestDirectory()
  const a = await startTestNode("alice.os", dir)
  const b = await startTestNode("bob.os", dir)
  // mallory claims "carol.os", whose registered key is someone else's
  const carolKey = generateEd25519()
  const m = await startTestNode("carol.os", dir, { publishKey: carolKey.pubkey })
  try {
    const atA = collect(a)
    // inbound: mallory dials alice saying "carol.os"; alice checks the key and refuses
    const err = await m.net.transport.send("alice.os", u32(1)).then(() => undefined, (e: unknown) => e)
    assert.instance(err, TransportError)
    assert.is((err as TransportError).reason, "offline")
    await until(() => a.logs.some((l) => l.includes("does not match the ~net-key of \"carol.os\"")), 5000, "alice's refusal log")
    assert.is(atA.length, 0)
    assert.is(a.net.peers().find((p) => p.peerId === m.net.peerId.toString())?.refused, 1)
    // outbound: alice dials "carol.os" at mallory's port expecting carol's key: Noise refuses
    const out = await a.net.transport.send("carol.os", u32(2)).then(() => undefined, (e: unknown) => e)
    assert.instance(out, TransportError)
    assert.is((out as TransportError).reason, "offline")
    // a name not in the directory
    const unknown = await a.net.transport.send("nobody.os", u32(3)).then(() => undefined, (e: unknown) => e)
    assert.is((unknown as TransportError).reason, "offline")
    assert.match((unknown as Error).message, /not registered/)
    // alice still talks to bob
    const atB = collect(b)
    await a.net.transport.send("bob.os", u32(4))
    await until(() => atB.length === 1, 5000, "alice → bob after the refusals")
  } finally {
    await a.stop()
    await b.stop()
    await m.stop()
  }
})

test("a restarted peer gets its channel back: disconnect reported, sends offline meanwhile, then delivered", async () => {
  const dir = new TestDirectory()
  const a = await startTestNode("alice.os", dir)
  const cKey = generateEd25519()
  let c = await startTestNode("carol.os", dir, { key: cKey })
  const port = c.port
  try {
    const lost: Array<string> = []
    a.net.transport.onDisconnect((n) => lost.push(n))
    let atC = collect(c)
    await a.net.transport.send("carol.os", u32(1))
    await until(() => atC.length === 1, 5000, "first frame")
    await c.stop()
    await until(() => lost.includes("carol.os"), 5000, "onDisconnect(carol.os)")
    const err = await a.net.transport.send("carol.os", u32(2)).then(() => undefined, (e: unknown) => e)
    assert.is((err as TransportError).reason, "offline")
    c = await startTestNode("carol.os", dir, { key: cKey, port })
    atC = collect(c)
    // alice's background reconnect (back-off ≤ 1 s here) restores the channel without a send
    await until(() => a.net.transport.connectedNames().includes("carol.os"), 10_000, "alice reconnecting to carol")
    await a.net.transport.send("carol.os", u32(3))
    await until(() => atC.length === 1, 5000, "frame after restart")
    assert.is(readU32(atC[0]!.frame), 3)
  } finally {
    await a.stop()
    await c.stop()
  }
})

test.run()
