/**
 * A plugin's hand-written interface against its WIT file: wit/chain.ts generates the interface of
 * `plugins/<plugin>/wit` (as for the built-in machines), the generated module is imported from a
 * temp folder with its chain/ imports pointed at this checkout, and both sides must have the same
 * methods and read-only marks, give the same bytes for every sample and decode each other's
 * encodings. Plugins hand-write their codecs because an installed copy cannot import the generated
 * module's kernel files (docs/plugins.md).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as assert from "uvu/assert"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import { generateChain } from "../../wit/chain.ts"

const root = new URL("../..", import.meta.url)

/** Request and response samples per method. */
export type WireSamples = Record<string, { readonly request: ReadonlyArray<unknown>; readonly response: ReadonlyArray<unknown> }>

/** Assert that `hand` (the plugin machine's interface) matches plugins/<plugin>/wit's `world` (module doc). */
export const assertMatchesWit = async (plugin: string, world: string, hand: InterfaceSpec, samples: WireSamples): Promise<void> => {
  const text = generateChain(new URL(`plugins/${plugin}/wit`, root).pathname, [{ name: plugin, world }]).get(`${plugin}.ts`)
  assert.ok(text, "generated module")
  const dir = mkdtempSync(join(tmpdir(), `ck-${plugin}-wit-`))
  try {
    const file = join(dir, `${plugin}.ts`)
    writeFileSync(file, text!.replaceAll('from "../', `from "${new URL("chain/", root).href}`))
    const generated = (await import(pathToFileURL(file).href)) as Record<string, InterfaceSpec>
    const wit = generated[`${plugin}Interface`]!
    assert.ok(wit, `the generated module exports ${plugin}Interface`)
    assert.is(hand.name, wit.name)
    assert.equal(Object.keys(hand.methods).sort(), Object.keys(wit.methods).sort())
    for (const [name, m] of Object.entries(wit.methods)) {
      const h = hand.methods[name]!
      assert.is(h.readOnly, m.readOnly, `${name} read-only`)
      assert.ok(samples[name], `samples for ${name}`)
      for (const side of ["request", "response"] as const) {
        for (const v of samples[name]![side]) {
          const a = h[side].encode(v)
          const b = m[side].encode(v)
          assert.equal(Array.from(a), Array.from(b), `${name} ${side} bytes of ${JSON.stringify(v, (_k, x) => typeof x === "bigint" ? x.toString() : x)}`)
          assert.equal(h[side].decode(b), v)
          assert.equal(m[side].decode(a), v)
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
