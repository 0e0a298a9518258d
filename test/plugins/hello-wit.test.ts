// plugins/hello's hand-written interface follows its WIT file: wit/chain.ts generates the codecs of
// plugins/hello/wit/hello.wit (through jco, as for the built-in machines), and both sides must give
// the same methods, read-only marks and bytes, and decode each other's encodings.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import { pluginHost } from "../../plugins/Host.ts"
import createHello from "../../plugins/hello/Hello.ts"
import { generateChain } from "../../wit/chain.ts"

const root = new URL("../..", import.meta.url)

test("hello's interface equals the one generated from wit/hello.wit (methods, read-only, wire bytes both ways)", async () => {
  const text = generateChain(new URL("plugins/hello/wit", root).pathname, [{ name: "hello", world: "hello-machine" }]).get("hello.ts")
  assert.ok(text, "generated module")
  // The generated module imports chain/ by relative path: point those at this checkout.
  const dir = mkdtempSync(join(tmpdir(), "ck-hello-wit-"))
  try {
    const file = join(dir, "hello.ts")
    writeFileSync(file, text!.replaceAll('from "../', `from "${new URL("chain/", root).href}`))
    const generated = (await import(pathToFileURL(file).href)) as { helloInterface: InterfaceSpec }
    const hand = createHello({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost }).interface!
    const wit = generated.helloInterface
    assert.is(hand.name, wit.name)
    assert.equal(Object.keys(hand.methods).sort(), Object.keys(wit.methods).sort())
    const samples: Record<string, { request: unknown[]; response: unknown[] }> = {
      greeting: {
        request: [{ address: "" }, { address: "cyber1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a" }],
        response: [{ found: false, text: "" }, { found: true, text: "gm ✨" }, { found: true, text: "" }]
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
