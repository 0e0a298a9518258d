/** The StateStore Effect service: opens in a scope, serves the multistore, closes on release. */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { StateStore } from "../../store/StateStore.ts"
import { MemoryStorage } from "../../store/IavlMultiStore.ts"

const enc = new TextEncoder()

test("layer opens a LevelDB store, commits, and closes it on release (reopen works)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ck-svc-"))
  const program = Effect.gen(function* () {
    const store = yield* StateStore
    store.store("bank").set(enc.encode("k"), enc.encode("v"))
    return yield* Effect.promise(() => store.commit())
  })
  const first = await Effect.runPromise(Effect.provide(program, StateStore.layer({ path: dir, namespaces: ["bank"] })))
  assert.is(first.version, 1)
  // the database lock was released: a second layer opens the same directory
  const again = await Effect.runPromise(
    Effect.provide(StateStore.use((s) => Effect.succeed(s.lastCommit())), StateStore.layer({ path: dir, namespaces: ["bank"] }))
  )
  assert.equal(again, first)
  rmSync(dir, { recursive: true, force: true })
})

test("a bad namespace name fails the layer with StoreError, recoverable by tag", async () => {
  const out = await Effect.runPromise(
    Effect.provide(StateStore.use(() => Effect.succeed("opened")), StateStore.layer({ memory: new MemoryStorage(), namespaces: ["bad/name"] })).pipe(
      Effect.catchTag("StoreError", (e) => Effect.succeed(e.reason))
    )
  )
  assert.is(out, "invalid-store-name")
})

test.run()
