/**
 * The libp2p host of the network service: identity from the node key, ping, gossipsub between
 * two hosts (what node/sync follows blocks by), another protocol on the same host, bootstrap
 * peers dialled at start, a clean stop that frees the port, and config errors named.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { createServer } from "node:net"
import { Effect, Exit, Scope } from "effect"
import { generateEd25519 } from "../../node/home/ValidatorKey.ts"
import { makeNetwork, NetworkError } from "../../node/network/Network.ts"
import { peerIdOfNetKey } from "../../node/network/PeerIdentity.ts"
import { startTestNode, TestDirectory, until } from "./support.ts"

test("the peer id is the node key's; ping and a protocol of another module work on the host", async () => {
  const dir = new TestDirectory()
  const key = generateEd25519()
  const a = await startTestNode("alice.os", dir, { key })
  const b = await startTestNode("bob.os", dir)
  try {
    assert.is(a.net.peerId.toString(), peerIdOfNetKey(key.pubkey).toString())
    assert.ok(a.net.listenAddresses()[0]!.endsWith(`/p2p/${a.net.peerId.toString()}`))
    const rtt = await b.net.libp2p.services.ping.ping(a.net.libp2p.getMultiaddrs()[0]!)
    assert.ok(rtt >= 0)
    await a.net.libp2p.handle("/test/other/1", (stream) => {
      stream.addEventListener("message", (e) => stream.send(e.data))
    })
    const s = await b.net.libp2p.dialProtocol(a.net.libp2p.getMultiaddrs()[0]!, "/test/other/1")
    const echoed = new Promise<number>((r) => s.addEventListener("message", (e) => r(e.data.byteLength)))
    s.send(new Uint8Array(3))
    assert.is(await echoed, 3)
  } finally {
    await a.stop()
    await b.stop()
  }
})

test("gossipsub delivers a published message to a subscribed peer", async () => {
  const dir = new TestDirectory()
  const a = await startTestNode("alice.os", dir)
  const b = await startTestNode("bob.os", dir)
  try {
    const topic = "/cyberkernel/test/1"
    a.net.libp2p.services.pubsub.subscribe(topic)
    b.net.libp2p.services.pubsub.subscribe(topic)
    const got: Array<string> = []
    b.net.libp2p.services.pubsub.addEventListener("message", (e) => {
      if (e.detail.topic === topic) got.push(new TextDecoder().decode(e.detail.data))
    })
    await a.net.libp2p.dial(b.net.libp2p.getMultiaddrs()[0]!)
    // the mesh forms on gossipsub's heartbeat: publish until one arrives
    for (let i = 0; i < 50 && got.length === 0; i++) {
      await a.net.libp2p.services.pubsub.publish(topic, new TextEncoder().encode(`block ${i}`))
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.ok(got.length > 0, "no gossip message arrived")
    assert.match(got[0]!, /^block \d+$/)
  } finally {
    await a.stop()
    await b.stop()
  }
})

test("bootstrap peers are dialled at start; stop frees the listen port", async () => {
  const dir = new TestDirectory()
  const a = await startTestNode("alice.os", dir)
  const scope = Effect.runSync(Scope.make())
  const net = await Effect.runPromise(makeNetwork({
    key: generateEd25519(), our: "bob.os", listen: ["/ip4/127.0.0.1/tcp/0"], bootstrap: [a.net.listenAddresses()[0]!], directory: dir
  }).pipe(Scope.provide(scope)))
  const port = Number(/\/tcp\/(\d+)/.exec(net.listenAddresses()[0]!)![1])
  try {
    await until(() => a.net.libp2p.getConnections(net.peerId).length > 0, 5000, "bob's bootstrap dial")
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await a.stop()
  }
  // the port is free again
  await new Promise<void>((resolve, reject) => {
    const s = createServer().once("error", reject)
    s.listen(port, "127.0.0.1", () => s.close(() => resolve()))
  })
})

test("bad addresses fail the start with a NetworkError naming them", async () => {
  const dir = new TestDirectory()
  const start = (listen: string, bootstrap: ReadonlyArray<string> = []) => {
    const scope = Effect.runSync(Scope.make())
    return Effect.runPromiseExit(makeNetwork({ key: generateEd25519(), our: "x.os", listen: [listen], bootstrap, directory: dir }).pipe(Scope.provide(scope)))
      .finally(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  }
  const noPeer = await start("/ip4/127.0.0.1/tcp/0", ["/ip4/127.0.0.1/tcp/1"])
  assert.ok(Exit.isFailure(noPeer))
  const e1 = (noPeer as Exit.Failure<unknown, NetworkError>).cause.reasons[0] as { error?: NetworkError }
  assert.instance(e1.error, NetworkError)
  assert.match(e1.error!.message, /bootstrap address \/ip4\/127\.0\.0\.1\/tcp\/1 has no \/p2p\/<peer id>/)
  const a = await startTestNode("alice.os", dir)
  try {
    const taken = await start(`/ip4/127.0.0.1/tcp/${a.port}`)
    assert.ok(Exit.isFailure(taken))
    const e2 = (taken as Exit.Failure<unknown, NetworkError>).cause.reasons[0] as { error?: NetworkError }
    assert.match(e2.error!.message, new RegExp(`network listen on /ip4/127.0.0.1/tcp/${a.port}`))
  } finally {
    await a.stop()
  }
})

test.run()
