import { test } from "uvu"
import * as assert from "uvu/assert"
import { CapabilityForeign, CapabilityForged, CapabilityNotHeld } from "../../capabilities/CapabilityError.ts"
import { MESSAGING, type SignedCapability } from "../../capabilities/Capability.ts"
import { NodeKey } from "../../capabilities/NodeKey.ts"
import { machineProcessId, processId, type Address } from "../../kernel/Address.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { SendFailed } from "../../kernel/KernelError.ts"
import { request, response, type Request, type SendError } from "../../kernel/Message.ts"
import type { NativeProcess } from "../../kernel/Process.ts"

const bytes = (...xs: number[]) => Uint8Array.from(xs)
const echo = (): NativeProcess => ({
  onRequest(ctx, _source, req) {
    if (req.expectsResponse !== undefined) ctx.respond(response(req.body))
  }
})
const rejects = async (p: Promise<unknown>, check: (e: unknown) => boolean, what: string) => {
  try {
    await p
  } catch (e) {
    assert.ok(check(e), `${what}: unexpected ${String(e)}`)
    return
  }
  assert.unreachable(`${what}: expected a rejection`)
}
const throws = (f: () => unknown, check: (e: unknown) => boolean, what: string) => {
  try {
    f()
  } catch (e) {
    assert.ok(check(e), `${what}: unexpected ${String(e)}`)
    return
  }
  assert.unreachable(`${what}: expected a throw`)
}

const vault = processId("vault", "test", "sys")
const client = processId("client", "test", "sys")

test("a private process is unreachable without its messaging capability, reachable with it", async () => {
  const k = makeKernel({ node: "alice.os" })
  k.spawn({ id: vault, process: echo() })
  const c = k.spawn({ id: client, process: {} })
  const to = k.address(vault)
  throws(() => c.send(to, request(bytes(1))), (e) => e instanceof CapabilityNotHeld && /is private/.test(e.message), "send")
  await rejects(c.request(to, request(bytes(1), 1000)), (e) => e instanceof CapabilityNotHeld, "request")
  const [cap] = k.grant(client, [{ issuer: vault, params: MESSAGING }])
  assert.ok(k.hasCapability(client, { issuer: vault, params: '"messaging"' }))
  const r = await c.request(to, request(bytes(7), 1000))
  assert.equal(r.response.body, bytes(7))
  assert.equal(r.source, to)
  k.drop(client, [cap!])
  await rejects(c.request(to, request(bytes(1), 1000)), (e) => e instanceof CapabilityNotHeld, "after drop")
  k.shutdown()
})

test("public processes take anyone's messages; machines register as <name>:chain:sys with grants", async () => {
  const k = makeKernel({ node: "alice.os" })
  k.registerMachine("bank", echo())
  k.registerMachine("gov", {}, { grants: [{ issuer: machineProcessId("bank"), params: '{"mint": true}' }] })
  const c = k.spawn({ id: client, process: {} })
  const r = await c.request(k.address(machineProcessId("bank")), request(bytes(3), 1000))
  assert.equal(r.response.body, bytes(3))
  const mint = { issuer: k.address(machineProcessId("bank")), params: '{"mint":true}' }
  assert.ok(k.hasCapability(machineProcessId("gov"), mint))
  assert.ok(k.hasCapability(k.address(machineProcessId("gov")), { issuer: machineProcessId("bank"), params: '{ "mint" : true }' }))
  assert.not.ok(k.hasCapability(client, mint))
  assert.not.ok(k.hasCapability(processId("nobody", "test", "sys"), mint))
  k.shutdown()
})

test("a forged capability attached to a message is refused", async () => {
  const k = makeKernel({ node: "alice.os" })
  k.spawn({ id: vault, process: echo(), public: true })
  const c = k.spawn({ id: client, process: {} })
  const to = k.address(vault)
  const [genuine] = k.grant(client, [{ issuer: vault, params: '{"read":true}' }])
  const forged: SignedCapability = { issuer: to, params: '{"admin":true}', signer: k.publicKey, signature: new Uint8Array(64).fill(7) }
  throws(() => c.send(to, request(bytes(1), undefined, { capabilities: [forged] })), (e) => e instanceof CapabilityForged, "forged")
  const badSig: SignedCapability = { ...genuine!, signature: genuine!.signature.map((b) => b ^ 1) }
  throws(() => c.send(to, request(bytes(1), undefined, { capabilities: [badSig] })), (e) => e instanceof CapabilityForged, "tampered")
  throws(() => c.saveCapabilities([forged]), (e) => e instanceof CapabilityForged, "save forged")
  // An unsigned claim on a capability not held is refused as not held.
  throws(
    () => c.send(to, request(bytes(1), undefined, { capabilities: [{ issuer: to, params: '{"admin":true}' }] })),
    (e) => e instanceof CapabilityNotHeld,
    "unsigned claim"
  )
  // A held capability travels, signed by the kernel, and the receiver can save it.
  let received: Request | undefined
  k.spawn({
    id: processId("receiver", "test", "sys"),
    public: true,
    process: {
      onRequest(ctx, _s, req) {
        received = req
        ctx.saveCapabilities(req.capabilities)
        ctx.respond(response())
      }
    }
  })
  await c.request(k.address(processId("receiver", "test", "sys")), request(bytes(), 1000, { capabilities: [{ issuer: to, params: '{"read":true}' }] }))
  assert.is((received!.capabilities[0] as SignedCapability).signature.length, 64)
  assert.ok(k.hasCapability(processId("receiver", "test", "sys"), { issuer: vault, params: '{"read":true}' }))
  // The forged one was verified (and refused) twice; held and tabled ones are lookups, never verified.
  assert.is(k.stats().verifications, 2)
  k.shutdown()
})

test("a response may carry only capabilities the responder holds; a refused one leaves the request answerable", async () => {
  const k = makeKernel({ node: "alice.os" })
  const notHeld: unknown[] = []
  k.spawn({
    id: vault,
    public: true,
    grants: [{ issuer: vault, params: '{"read":true}' }],
    process: {
      onRequest(ctx) {
        try {
          ctx.respond(response(bytes(), { capabilities: [{ issuer: ctx.our, params: '{"write":true}' }] }))
        } catch (e) {
          notHeld.push(e)
        }
        ctx.respond(response(bytes(1), { capabilities: [{ issuer: ctx.our, params: '{"read":true}' }] }))
      }
    }
  })
  const c = k.spawn({ id: client, process: {} })
  const r = await c.request(k.address(vault), request(bytes(), 1000))
  assert.ok(notHeld[0] instanceof CapabilityNotHeld)
  assert.equal(r.response.body, bytes(1))
  c.saveCapabilities(r.response.capabilities)
  assert.ok(c.hasCapability({ issuer: k.address(vault), params: '{"read":true}' }))
  k.shutdown()
})

test("a foreign-signed capability is refused", () => {
  const k = makeKernel({ node: "alice.os" })
  const other = makeKernel({ node: "alice.os", key: NodeKey.generate() })
  k.spawn({ id: vault, process: echo(), public: true })
  other.spawn({ id: vault, process: echo(), public: true })
  other.spawn({ id: client, process: {} })
  const c = k.spawn({ id: client, process: {} })
  const [foreign] = other.grant(client, [{ issuer: vault, params: MESSAGING }])
  throws(() => c.send(k.address(vault), request(bytes(1), undefined, { capabilities: [foreign!] })), (e) => e instanceof CapabilityForeign, "send")
  throws(() => c.saveCapabilities([foreign!]), (e) => e instanceof CapabilityForeign && /not by node alice\.os's key/.test(e.message), "save")
  k.shutdown()
  other.shutdown()
})

test("kill makes sends fail with offline, including queued and outstanding requests", async () => {
  const k = makeKernel({ node: "alice.os" })
  const held: Array<() => void> = []
  k.spawn({
    id: vault,
    public: true,
    process: { onRequest: () => new Promise<void>((res) => { held.push(res) }) }
  })
  const c = k.spawn({ id: client, process: {} })
  const to = k.address(vault)
  const first = c.request(to, request(bytes(1), 5000)) // being handled
  const second = c.request(to, request(bytes(2), 5000)) // queued
  await new Promise((r) => setImmediate(r))
  assert.is(held.length, 1)
  k.kill(vault)
  const offline = (e: unknown) => e instanceof SendFailed && e.kind === "offline"
  await rejects(first, offline, "outstanding")
  await rejects(second, offline, "queued")
  throws(() => c.send(to, request(bytes(3))), offline, "send after kill")
  await rejects(c.request(to, request(bytes(4), 100)), offline, "request after kill")
  const remote: Address = { node: "bob.os", process: vault }
  throws(() => c.send(remote, request(bytes(5))), offline, "remote node (networking not built)")
  assert.is(k.stats().outstanding, 0)
  k.shutdown()
})

test("per (source, target) FIFO order holds under concurrency and backpressure", async () => {
  const k = makeKernel({ node: "alice.os", mailboxCapacity: 8 })
  const seen = new Map<string, number[]>()
  k.spawn({
    id: vault,
    public: true,
    process: {
      async onRequest(_ctx, source, req) {
        const key = source.process.processName
        const list = seen.get(key) ?? []
        list.push(new DataView(req.body.buffer).getUint32(0))
        seen.set(key, list)
        if (list.length % 7 === 0) await new Promise((r) => setImmediate(r))
      }
    }
  })
  const senders = Array.from({ length: 5 }, (_, i) => k.spawn({ id: processId(`s${i}`, "test", "sys"), process: {} }))
  const to = k.address(vault)
  const N = 2000
  await Promise.all(
    senders.map(async (s) => {
      for (let i = 0; i < N; i++) {
        const b = new Uint8Array(4)
        new DataView(b.buffer).setUint32(0, i)
        await s.send(to, request(b))
        if (i % 13 === 0) await Promise.resolve()
      }
    })
  )
  while ([...seen.values()].reduce((a, l) => a + l.length, 0) < 5 * N) await new Promise((r) => setImmediate(r))
  for (let i = 0; i < 5; i++) {
    const got = seen.get(`s${i}`)!
    assert.is(got.length, N)
    assert.ok(got.every((v, j) => v === j), `sender s${i} out of order`)
  }
  k.shutdown()
})

test("responses to send() arrive with their context; timeouts arrive as send errors", async () => {
  const k = makeKernel({ node: "alice.os" })
  k.spawn({ id: vault, public: true, process: echo() })
  k.spawn({ id: processId("mute", "test", "sys"), public: true, process: {} })
  const events: string[] = []
  let done!: () => void
  const finished = new Promise<void>((r) => (done = r))
  const c = k.spawn({
    id: client,
    process: {
      onResponse(_ctx, source, resp, context) {
        events.push(`response ${source.process.processName} ${resp.body[0]} ctx ${context?.[0]}`)
        if (events.length === 2) done()
      },
      onSendError(_ctx, error: SendError, context) {
        events.push(`${error.kind} ${error.target.process.processName} ctx ${context?.[0]}`)
        if (events.length === 2) done()
      }
    }
  })
  await c.send(k.address(vault), request(bytes(9), 1000), { context: bytes(1) })
  await c.send(k.address(processId("mute", "test", "sys")), request(bytes(9), 20), { context: bytes(2) })
  await finished
  assert.equal(events, ["response vault 9 ctx 1", "timeout mute ctx 2"])
  k.shutdown()
})

test("an inheriting request hands the duty of answering to the next process", async () => {
  const k = makeKernel({ node: "alice.os" })
  const backend = processId("backend", "test", "sys")
  k.spawn({ id: backend, public: true, process: { onRequest: (ctx, _s, req) => ctx.respond(response(bytes(req.body[0]! + 100))) } })
  k.spawn({
    id: vault,
    public: true,
    process: { onRequest: (ctx, _s, req) => void ctx.send(k.address(backend), request(req.body, undefined, { inherit: true })) }
  })
  const c = k.spawn({ id: client, process: {} })
  const r = await c.request(k.address(vault), request(bytes(5), 1000))
  assert.equal(r.response.body, bytes(105))
  assert.equal(r.source, k.address(backend))
  k.shutdown()
})

test("a crashing process restarts after its backoff, or sends its on-exit requests", async () => {
  const crashes: string[] = []
  const k = makeKernel({ node: "alice.os", onCrash: (p, e) => void crashes.push(`${p.processName}: ${(e as Error).message}`) })
  let inits = 0
  k.spawn({
    id: vault,
    public: true,
    onExit: { tag: "restart", val: { initialMs: 5, maxMs: 50 } },
    process: {
      init() {
        inits++
      },
      onRequest(ctx, _s, req) {
        if (req.body[0] === 0) throw new Error("boom")
        ctx.respond(response(req.body))
      }
    }
  })
  const c = k.spawn({ id: client, process: {} })
  await c.send(k.address(vault), request(bytes(0)))
  const r = await c.request(k.address(vault), request(bytes(4), 1000))
  assert.equal(r.response.body, bytes(4))
  assert.is(inits, 2)
  assert.is(k.stats().crashes, 1)

  const notes: number[] = []
  k.spawn({ id: processId("notary", "test", "sys"), public: true, process: { onRequest: (_c, _s, req) => void notes.push(req.body[0]!) } })
  k.spawn({
    id: processId("fragile", "test", "sys"),
    public: true,
    onExit: { tag: "requests", val: [[k.address(processId("notary", "test", "sys")), request(bytes(42), 1000), undefined]] },
    process: {
      onRequest() {
        throw new Error("fragile")
      }
    }
  })
  await c.send(k.address(processId("fragile", "test", "sys")), request(bytes(1)))
  for (let i = 0; i < 10 && notes.length === 0; i++) await new Promise((r) => setImmediate(r))
  assert.equal(notes, [42])
  assert.equal(crashes, ["vault: boom", "fragile: fragile"])
  assert.not.ok(k.has(processId("fragile", "test", "sys")))
  k.shutdown()
})

test.run()
