import { test } from "uvu"
import * as assert from "uvu/assert"

test("node runtime is the pinned LTS, not the system Node 20", () => {
  const major = Number(process.versions.node.split(".")[0])
  assert.ok(major >= 24, `expected Node >= 24, got ${process.versions.node}`)
})

test.run()
