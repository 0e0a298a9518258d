/**
 * Hostile peers on the kernel protocol, between real nodes on loopback: random bytes, an
 * oversized frame, a 10,000 frames/s flood and frames the kernel cannot decode each get the
 * peer cut off (connection closed, refused for the back-off), while another peer's traffic
 * continues.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { randomBytes } from "node:crypto"
import { NodeKey } from "../../capabilities/NodeKey.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { TransportError } from "../../kernel/Transport.ts"
import { KERNEL_PROTOCOL } from "../../node/network/KernelTransport.ts"
import { collect, startTestNode, TestDirectory, until, type TestNode } from "./support.ts"

const u32 = (n: number) => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n)
  return b
}
const readU32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0)
const header = (length: number, kind: number) => {
  const h = new Uint8Array(5)
  new DataView(h.buffer).setUint32(0, length)
  h[4] = kind
  return h
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A raw stream from `from` to `to` on the kernel protocol, no hello sent. */
const rawStream = (from: TestNode, to: TestNode) => from.net.libp2p.dialProtocol(to.net.libp2p.getMultiaddrs()[0]!, KERNEL_PROTOCOL)

const statsOf = (at: TestNode, peer: TestNode) => at.net.peers().find((p) => p.peerId === peer.net.peerId.toString())

/** bob sends `n` numbered frames to alice at about 1,000/s and they all arrive in order. */
const bobKeepsTalking = async (bob: TestNode, atAlice: Array<{ node: string; frame: Uint8Array }>, n: number) => {
  for (let i = 0; i < n; i++) {
    await bob.net.transport.send("alice.os", u32(i))
    if (i % 10 === 9) await sleep(10)
  }
  await until(() => atAlice.filter((f) => f.node === "bob.os").length === n, 10_000, `${n} frames from bob`)
  const fromBob = atAlice.filter((f) => f.node === "bob.os").map((f) => readU32(f.frame))
  assert.equal(fromBob, Array.from({ length: n }, (_, i) => i))
}

const three = async (limits = {}) => {
  const dir = new TestDirectory()
  const alice = await startTestNode("alice.os", dir, { limits: { cutOffMs: 30_000, ...limits } })
  const bob = await startTestNode("bob.os", dir)
  const mallory = await startTestNode("mallory.os", dir)
  return { dir, alice, bob, mallory, stop: async () => Promise.all([alice.stop(), bob.stop(), mallory.stop()]) }
}

test("random bytes: the peer is cut off and refused; another peer's frames keep flowing", async () => {
  const { alice, bob, mallory, stop } = await three()
  try {
    const atAlice = collect(alice)
    const talk = bobKeepsTalking(bob, atAlice, 500)
    const s = await rawStream(mallory, alice)
    // a header whose kind byte is neither hello (1) nor data (2), then noise
    const junk = new Uint8Array(randomBytes(4096))
    junk[4] = 0x7f
    s.send(junk)
    await until(() => (statsOf(alice, mallory)?.cutOffs ?? 0) === 1, 5000, "mallory cut off")
    assert.match(statsOf(alice, mallory)!.lastCutOff!, /unknown frame kind 127/)
    await until(() => alice.net.libp2p.getConnections(mallory.net.peerId).length === 0, 5000, "mallory's connection closed")
    // mallory is refused while cut off, even through the proper protocol
    const again = await mallory.net.transport.send("alice.os", u32(1)).then(() => undefined, (e: unknown) => e)
    assert.instance(again, TransportError)
    assert.is((again as TransportError).reason, "offline")
    await talk
    assert.is(atAlice.filter((f) => f.node === "mallory.os").length, 0)
  } finally {
    await stop()
  }
})

test("an oversized frame header cuts the peer off before its payload is buffered", async () => {
  const { alice, bob, mallory, stop } = await three({ maxFrameBytes: 64 * 1024 })
  try {
    const atAlice = collect(alice)
    const s = await rawStream(mallory, alice)
    s.send(header(64 * 1024 + 1, 2))
    s.send(new Uint8Array(1000))
    await until(() => (statsOf(alice, mallory)?.cutOffs ?? 0) === 1, 5000, "mallory cut off")
    assert.match(statsOf(alice, mallory)!.lastCutOff!, /frame of 65537 bytes over the 65536-byte limit/)
    await bobKeepsTalking(bob, atAlice, 200)
  } finally {
    await stop()
  }
})

test("a data frame before the hello and an unanswered hello are refused", async () => {
  const { alice, mallory, stop } = await three({ helloTimeoutMs: 500 })
  try {
    const s = await rawStream(mallory, alice)
    s.send(header(4, 2))
    s.send(u32(9))
    await until(() => (statsOf(alice, mallory)?.cutOffs ?? 0) === 1, 5000, "data before hello cut off")
    assert.match(statsOf(alice, mallory)!.lastCutOff!, /before the hello/)
  } finally {
    await stop()
  }
  const second = await three({ helloTimeoutMs: 500 })
  try {
    await rawStream(second.mallory, second.alice) // says nothing
    await until(() => (statsOf(second.alice, second.mallory)?.refused ?? 0) === 1, 5000, "silent peer refused")
    assert.ok(second.alice.logs.some((l) => l.includes("no hello within 500 ms")))
  } finally {
    await second.stop()
  }
})

test("a peer refused five times (hellos naming unknown nodes) is cut off", async () => {
  const { alice, mallory, stop } = await three()
  try {
    const name = new TextEncoder().encode("nobody.os")
    for (let i = 0; i < 5; i++) {
      const s = await rawStream(mallory, alice)
      s.send(header(name.length, 1))
      s.send(name)
      await until(() => (statsOf(alice, mallory)?.refused ?? 0) === i + 1, 5000, `refusal ${i + 1}`)
      await sleep(250) // under libp2p's 5 inbound connections/s per host
    }
    const m = statsOf(alice, mallory)!
    assert.is(m.cutOffs, 1)
    assert.match(m.lastCutOff!, /refused 5 times \(last: name "nobody.os" is not registered\)/)
    const again = await rawStream(mallory, alice).then(() => "opened", (e: unknown) => String(e))
    assert.not.equal(again, "opened")
  } finally {
    await stop()
  }
})

test("a 10,000 frames/s flood is cut off; bob's traffic to alice continues in order", async () => {
  const { alice, bob, mallory, stop } = await three({ peerFramesPerSecond: 2000, peerFrameBurst: 4000 })
  try {
    const atAlice = collect(alice)
    const talk = bobKeepsTalking(bob, atAlice, 1000)
    // 10,000 frames/s: 100 frames every 10 ms, for up to 3 s
    let sent = 0
    let refusedAt: number | undefined
    for (let tick = 0; tick < 300 && refusedAt === undefined; tick++) {
      for (let i = 0; i < 100; i++) {
        mallory.net.transport.send("alice.os", u32(sent++)).catch(() => (refusedAt ??= sent))
      }
      await sleep(10)
    }
    await until(() => (statsOf(alice, mallory)?.cutOffs ?? 0) === 1, 5000, "the flood cut off")
    const m = statsOf(alice, mallory)!
    assert.match(m.lastCutOff!, /flood: over 2000 frames\/s/)
    assert.ok(m.cutOffUntil !== undefined)
    // alice took at most the burst plus what the rate refilled, not the whole flood
    assert.ok(m.framesIn < sent, `alice accepted ${m.framesIn} of ${sent} flooded frames`)
    await talk
    // a frame sent after the cut-off does not get through
    const err = await mallory.net.transport.send("alice.os", u32(0)).then(() => undefined, (e: unknown) => e)
    assert.instance(err, TransportError)
  } finally {
    await stop()
  }
})

test("frames the kernel cannot decode count against the peer: past the budget it is cut off", async () => {
  const { alice, bob, mallory, stop } = await three()
  const kernel = makeKernel({ node: "alice.os", key: NodeKey.fromSecret(alice.key.seed) })
  try {
    kernel.attachTransport(alice.net.transport, { onDrop: (node, reason) => alice.net.transport.penalize(node, reason) })
    for (let i = 0; i < 300; i++) {
      const sent = await mallory.net.transport.send("alice.os", new Uint8Array(randomBytes(64))).then(() => true, () => false)
      if (!sent) break
    }
    await until(() => (statsOf(alice, mallory)?.cutOffs ?? 0) === 1, 5000, "garbage cut off")
    const m = statsOf(alice, mallory)!
    assert.match(m.lastCutOff!, /garbage: over 100 frames dropped by the kernel/)
    assert.ok(m.dropped > 100)
    assert.ok(kernel.remoteStats().framesDropped >= m.dropped)
    // bob is unaffected: his channel is still up
    await bob.net.transport.send("alice.os", u32(1))
    await until(() => alice.net.peers().find((p) => p.name === "bob.os")?.framesIn === 1, 5000, "bob's frame")
  } finally {
    kernel.shutdown()
    await stop()
  }
})

test.run()
