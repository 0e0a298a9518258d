/** test/support/Scoped.ts: a failed acquisition releases what it had acquired before the failure. */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Effect } from "effect"
import { openScoped } from "../support/Scoped.ts"

test("a failure halfway closes the scope, releasing what was acquired, and rethrows", async () => {
  const released: Array<string> = []
  const acquire = (name: string) => Effect.acquireRelease(Effect.succeed(name), () => Effect.sync(() => void released.push(name)))
  const failing = Effect.gen(function* () {
    yield* acquire("socket")
    yield* acquire("worker")
    return yield* Effect.fail(new Error("port in use"))
  })
  try {
    await openScoped(failing)
    assert.unreachable("openScoped resolved")
  } catch (e) {
    assert.is((e as Error).message, "port in use")
  }
  assert.equal(released, ["worker", "socket"])
})

test("on success the scope stays open until close()", async () => {
  const released: Array<string> = []
  const s = await openScoped(Effect.acquireRelease(Effect.succeed(7), () => Effect.sync(() => void released.push("node"))))
  assert.is(s.value, 7)
  assert.equal(released, [])
  await s.close()
  assert.equal(released, ["node"])
})

test.run()
