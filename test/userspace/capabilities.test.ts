import { test } from "uvu"
import * as assert from "uvu/assert"
import { makeKernel } from "../../kernel/Kernel.ts"
import { request } from "../../kernel/Message.ts"
import type { Request } from "../../kernel/Message.ts"
import { json, pid } from "./setup.ts"

const tag = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    return (e as { _tag: string })._tag
  }
  return "none"
}

test("a capability not held cannot be granted onward (message or spawn)", () => {
  const k = makeKernel({ node: "alice.os" })
  k.spawn({ id: pid("bank"), process: {}, public: true })
  const mallory = k.spawn({ id: pid("mallory"), process: {} })
  const mint = { issuer: k.address(pid("bank")), params: '{"mint":true}' }
  assert.is(tag(() => mallory.send(k.address(pid("bank")), request(json({}), undefined, { capabilities: [mint] }))), "CapabilityNotHeld")
  assert.is(tag(() => mallory.spawn({ name: "child", process: {}, requestCapabilities: [mint] })), "CapabilityNotHeld")
  assert.not.ok(k.has(pid("child")))
  // Once held, it can be passed on.
  k.grant(pid("mallory"), [{ issuer: pid("bank"), params: '{"mint":true}' }])
  assert.is(tag(() => mallory.spawn({ name: "child", process: {}, requestCapabilities: [mint] })), "none")
  assert.ok(k.hasCapability(pid("child"), mint))
  k.shutdown()
})

test("dropping a capability takes effect on the next message", async () => {
  const k = makeKernel({ node: "alice.os" })
  let seen = 0
  k.spawn({ id: pid("vault"), process: { onRequest: () => void seen++ }, public: false })
  const user = k.spawn({ id: pid("user"), process: {} })
  const cap = { issuer: k.address(pid("vault")), params: '"messaging"' }
  k.grant(pid("user"), [{ issuer: pid("vault"), params: '"messaging"' }])
  assert.is(tag(() => user.send(k.address(pid("vault")), request(json(1)))), "none")
  user.dropCapabilities([cap])
  assert.is(tag(() => user.send(k.address(pid("vault")), request(json(2)))), "CapabilityNotHeld")
  await new Promise((r) => setImmediate(r))
  assert.is(seen, 1)
  k.shutdown()
})

for (const revokeOnExit of [true, false]) {
  test(`killing a process ${revokeOnExit ? "revokes" : "keeps (no-revoke)"} the capabilities it issued`, () => {
    const k = makeKernel({ node: "alice.os", revokeOnExit })
    k.spawn({ id: pid("issuer"), process: {}, public: true })
    k.spawn({ id: pid("holder"), process: {} })
    k.spawn({ id: pid("other"), process: {}, public: true })
    k.grant(pid("holder"), [
      { issuer: pid("issuer"), params: '{"write":true}' },
      { issuer: pid("other"), params: '{"write":true}' }
    ])
    k.kill(pid("issuer"))
    assert.is(k.hasCapability(pid("holder"), { issuer: pid("issuer"), params: '{"write":true}' }), !revokeOnExit)
    assert.ok(k.hasCapability(pid("holder"), { issuer: pid("other"), params: '{"write":true}' }))
    k.shutdown()
  })
}

test("a crash without restart revokes too; a restart keeps what the process issued", async () => {
  const k = makeKernel({ node: "alice.os" })
  const crashing = (onExit: "none" | "restart") =>
    k.spawn({
      id: pid(`p-${onExit}`),
      process: { onRequest: (_c, _s, _r: Request) => { throw new Error("x") } },
      public: true,
      onExit: onExit === "none" ? { tag: "none" } : { tag: "restart", val: { initialMs: 1, maxMs: 1 } }
    })
  crashing("none")
  crashing("restart")
  const holder = k.spawn({ id: pid("holder"), process: {} })
  k.grant(pid("holder"), [{ issuer: pid("p-none"), params: '"x"' }, { issuer: pid("p-restart"), params: '"x"' }])
  holder.send(k.address(pid("p-none")), request(json(0)))
  holder.send(k.address(pid("p-restart")), request(json(0)))
  await new Promise((r) => setTimeout(r, 5))
  assert.not.ok(k.hasCapability(pid("holder"), { issuer: pid("p-none"), params: '"x"' }))
  assert.ok(k.hasCapability(pid("holder"), { issuer: pid("p-restart"), params: '"x"' }))
  k.shutdown()
})

test.run()
