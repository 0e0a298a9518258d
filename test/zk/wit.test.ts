// plugins/zk's hand-written interface follows its WIT file: wit/chain.ts generates the codecs of
// plugins/zk/wit/zk.wit (through jco, as for the built-in machines), and both sides must give the
// same methods, read-only marks and bytes, and decode each other's encodings (as hello-wit.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import { pluginHost } from "../../plugins/Host.ts"
import createZk from "../../plugins/zk/Zk.ts"
import { generateChain } from "../../wit/chain.ts"

const root = new URL("../..", import.meta.url)

test("zk's interface equals the one generated from wit/zk.wit (methods, read-only, wire bytes both ways)", async () => {
  const text = generateChain(new URL("plugins/zk/wit", root).pathname, [{ name: "zk", world: "zk-machine" }]).get("zk.ts")
  assert.ok(text, "generated module")
  const dir = mkdtempSync(join(tmpdir(), "ck-zk-wit-"))
  try {
    const file = join(dir, "zk.ts")
    writeFileSync(file, text!.replaceAll('from "../', `from "${new URL("chain/", root).href}`))
    const generated = (await import(pathToFileURL(file).href)) as { zkInterface: InterfaceSpec }
    const hand = createZk({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost }).interface!
    const wit = generated.zkInterface
    assert.is(hand.name, wit.name)
    assert.equal(Object.keys(hand.methods).sort(), Object.keys(wit.methods).sort())
    const samples: Record<string, { request: unknown[]; response: unknown[] }> = {
      verify: {
        request: [
          { keyHash: "", proof: new Uint8Array(0), publicInputs: [] },
          { keyHash: "ab".repeat(32), proof: new TextEncoder().encode("{\"pi_a\":[]}"), publicInputs: ["38", "5"] },
          { keyHash: "ab".repeat(32), proof: Uint8Array.of(1), publicInputs: ["", "0"] }
        ],
        response: [{ valid: false }, { valid: true }]
      }
    }
    for (const [name, m] of Object.entries(wit.methods)) {
      const h = hand.methods[name]!
      assert.is(h.readOnly, m.readOnly, `${name} read-only`)
      for (const side of ["request", "response"] as const) {
        for (const v of samples[name]![side]) {
          const a = h[side].encode(v)
          const b = m[side].encode(v)
          assert.equal(Array.from(a), Array.from(b), `${name} ${side} bytes of ${JSON.stringify(v)}`)
          assert.equal(h[side].decode(b), v)
          assert.equal(m[side].decode(a), v)
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
