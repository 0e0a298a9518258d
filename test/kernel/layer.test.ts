import { test } from "uvu"
import * as assert from "uvu/assert"
import { Effect, Exit } from "effect"
import { machineProcessId, processId } from "../../kernel/Address.ts"
import { execute, Kernel, requestEffect } from "../../kernel/Kernel.ts"
import { request, response } from "../../kernel/Message.ts"

test("the Kernel layer acquires a kernel in a scope and shuts it down on release", async () => {
  let terminated = 0
  const program = Effect.gen(function* () {
    const kernel = yield* Kernel
    kernel.registerMachine("bank", {
      onRequest: (ctx, _s, req) => ctx.respond(response(req.body)),
      terminate: () => void terminated++
    })
    const ctx = yield* execute({ tag: "initialize", spec: { id: processId("client", "test", "sys"), process: {} } })
    yield* execute({ tag: "run", id: processId("client", "test", "sys") })
    const reply = yield* Effect.promise(() => ctx.request(kernel.address(machineProcessId("bank")), request(new Uint8Array([5]), 1000)))
    const caps = yield* execute({
      tag: "grant",
      holder: machineProcessId("gov"),
      grants: [{ issuer: machineProcessId("bank"), params: '{"mint":true}' }]
    }).pipe(Effect.catchTag("ProcessNotFound", () => Effect.succeed("no gov yet" as const)))
    return [reply.response.body[0], caps, kernel.stats().processes] as const
  })
  const [body, caps, processes] = await Effect.runPromise(Effect.provide(program, Kernel.layer({ node: "alice.os" })))
  assert.is(body, 5)
  assert.is(caps, "no gov yet")
  assert.is(processes, 2)
  assert.is(terminated, 1, "scope release killed the processes")
})

test("kernel commands fail with typed, tagged errors", async () => {
  const program = Effect.gen(function* () {
    yield* execute({ tag: "initialize", spec: { id: processId("a", "test", "sys"), process: {} } })
    return yield* execute({ tag: "initialize", spec: { id: processId("a", "test", "sys"), process: {} } })
  })
  const exit = await Effect.runPromiseExit(Effect.provide(program, Kernel.layer({ node: "alice.os" })))
  assert.ok(Exit.isFailure(exit))
  const tag = await Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        yield* execute({ tag: "kill", id: processId("ghost", "test", "sys") })
        return "none"
      }).pipe(Effect.catchTag("ProcessNotFound", (e) => Effect.succeed(e._tag))),
      Kernel.layer({ node: "alice.os" })
    )
  )
  assert.is(tag, "ProcessNotFound")
  const bad = await Effect.runPromise(
    Effect.provide(
      execute({ tag: "initialize", spec: { id: { processName: "Bad", packageName: "x", publisherNode: "sys" }, process: {} } }).pipe(
        Effect.map(() => "ok"),
        Effect.catchTag("AddressError", (e) => Effect.succeed(e.part))
      ),
      Kernel.layer({ node: "alice.os" })
    )
  )
  assert.is(bad, "process")
})

test("requestEffect fails with the typed send error, recoverable by tag", async () => {
  const program = Effect.gen(function* () {
    const kernel = yield* Kernel
    kernel.registerMachine("mute")
    const ctx = kernel.spawn({ id: processId("client", "test", "sys"), process: {} })
    const timedOut = yield* requestEffect(ctx, kernel.address(machineProcessId("mute")), request(new Uint8Array(), 10)).pipe(
      Effect.map(() => "answered"),
      Effect.catchTag("SendFailed", (e) => Effect.succeed(e.kind))
    )
    const offline = yield* requestEffect(ctx, kernel.address(machineProcessId("ghost")), request(new Uint8Array(), 10)).pipe(
      Effect.map(() => "answered"),
      Effect.catchTag("SendFailed", (e) => Effect.succeed(e.kind))
    )
    return [timedOut, offline]
  })
  assert.equal(await Effect.runPromise(Effect.provide(program, Kernel.layer({ node: "alice.os" }))), ["timeout", "offline"])
})

test("a bad node name fails the layer with AddressError", async () => {
  const r = await Effect.runPromise(
    Effect.provide(Kernel.use(() => Effect.succeed("built")), Kernel.layer({ node: "Not A Node" })).pipe(
      Effect.catchTag("AddressError", (e) => Effect.succeed(e.part))
    )
  )
  assert.is(r, "node")
})

test.run()
