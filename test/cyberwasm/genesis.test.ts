// CyberWasm genesis entries: hex keys and values round-trip through init/export; text that is
// not hex (odd length, a bad character, not a string) is refused as InvalidRequest naming the
// entry, and nothing is written (Buffer's hex codec used to stop silently at a bad character).
import { test } from "uvu"
import * as assert from "uvu/assert"
import { isChainError } from "../../chain/ChainError.ts"
import type { ExecContext, QueryContext } from "../../chain/Machine.ts"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { MemoryKVStore } from "../../modules/cyberwasm/internal/MemoryKVStore.ts"

const ctxOf = (store: MemoryKVStore) => ({ store }) as unknown as ExecContext & QueryContext

test("hex entries round-trip through initGenesis and exportGenesis", () => {
  const m = new CyberWasmMachine()
  const store = new MemoryKVStore()
  m.initGenesis(ctxOf(store), { entries: [["0a0B", "ff00"], ["01", ""]] })
  // the chain params are written too (defaults here) and exported as `params`, not as an entry
  assert.equal(m.exportGenesis(ctxOf(store)), { params: { max_code_bytes: "1032192", max_call_gas: "1000000" }, entries: [["01", ""], ["0a0b", "ff00"]] })
})

for (const [what, entry] of [["odd length", ["abc", "00"]], ["a non-hex character", ["00", "0g"]], ["a number", [1, "00"]], ["not a pair", "00"]] as const) {
  test(`an entry with ${what} is InvalidRequest and writes nothing`, () => {
    const m = new CyberWasmMachine()
    const store = new MemoryKVStore()
    try {
      m.initGenesis(ctxOf(store), { entries: [entry] })
      assert.unreachable("accepted")
    } catch (e) {
      assert.ok(isChainError(e), String(e))
      assert.is((e as { _tag: string })._tag, "InvalidRequest")
      assert.match((e as { log: string }).log, /cyberwasm genesis entries\[0\]/)
    }
    assert.is(store.size, 0)
  })
}

test.run()
