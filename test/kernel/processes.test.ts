import { test } from "uvu"
import * as assert from "uvu/assert"
import { CapabilityNotHeld } from "../../capabilities/CapabilityError.ts"
import { MESSAGING } from "../../capabilities/Capability.ts"
import { processId, type ProcessId } from "../../kernel/Address.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { InvalidMessage, NameTaken, ProcessNotFound } from "../../kernel/KernelError.ts"
import { request, response } from "../../kernel/Message.ts"

const parent = processId("parent", "app", "pub.os")
const tick = () => new Promise((r) => setImmediate(r))

test("spawn starts a private child in the parent's package, with requested and granted capabilities", async () => {
  const k = makeKernel({ node: "alice.os" })
  const bank = processId("bank", "chain", "sys")
  k.spawn({ id: bank, process: {}, public: true })
  const p = k.spawn({ id: parent, process: {}, grants: [{ issuer: bank, params: '{"mint":true}' }] })
  const mint = p.capabilities()[0]!
  const child = p.spawn({
    name: "worker",
    process: { onRequest: (ctx, _s, req) => ctx.respond(response(req.body)) },
    requestCapabilities: [mint],
    grantCapabilities: [[p.our.process, MESSAGING]]
  })
  assert.equal(child, processId("worker", "app", "pub.os"))
  assert.ok(k.hasCapability(child, { issuer: bank, params: '{"mint":true}' }))
  const r = await p.request(k.address(child), request(new Uint8Array([8]), 1000))
  assert.equal(r.response.body, new Uint8Array([8]))
  const anon = p.spawn({ process: {} })
  assert.match(anon.processName, /^\d+$/)
  assert.throws(() => p.spawn({ name: "worker", process: {} }), (e: unknown) => e instanceof NameTaken)
  assert.throws(
    () => p.spawn({ name: "greedy", process: {}, requestCapabilities: [{ issuer: k.address(bank), params: '{"burn":true}' }] }),
    (e: unknown) => e instanceof CapabilityNotHeld
  )
  assert.not.ok(k.has(processId("greedy", "app", "pub.os")), "a refused spawn leaves nothing behind")
  k.shutdown()
})

test("initialize queues messages until run; commands as data; errors are typed", async () => {
  const k = makeKernel({ node: "alice.os" })
  const got: number[] = []
  const id: ProcessId = processId("late", "app", "pub.os")
  k.command({ tag: "initialize", spec: { id, process: { onRequest: (_c, _s, req) => void got.push(req.body[0]!) }, public: true } })
  const p = k.spawn({ id: parent, process: {} })
  await p.sendRequests([
    [k.address(id), request(new Uint8Array([1]))],
    [k.address(id), request(new Uint8Array([2]))]
  ])
  await tick()
  assert.equal(got, [], "not delivered before run")
  assert.is(k.mailbox(id).queued, 2)
  k.command({ tag: "run", id })
  await tick()
  assert.equal(got, [1, 2])
  k.command({ tag: "set-on-exit", id, onExit: { tag: "restart", val: { initialMs: 1, maxMs: 10 } } })
  const caps = k.command({ tag: "grant", holder: parent, grants: [{ issuer: id, params: "[1, 2]" }] })
  assert.is(caps[0]!.params, "[1,2]")
  k.command({ tag: "drop", holder: parent, capabilities: [{ issuer: k.address(id), params: "[1,2]" }] })
  assert.not.ok(k.hasCapability(parent, { issuer: id, params: "[1,2]" }))
  assert.throws(() => k.command({ tag: "kill", id: processId("ghost", "app", "pub.os") }), (e: unknown) => e instanceof ProcessNotFound)
  assert.throws(() => p.send(k.address(id), request(new Uint8Array(), -1)), (e: unknown) => e instanceof InvalidMessage)
  assert.throws(() => p.send(k.address(id), request(new Uint8Array(), Number.NaN)), (e: unknown) => e instanceof InvalidMessage)
  k.command({ tag: "kill", id })
  assert.not.ok(k.has(id))
  k.shutdown()
})

test.run()
