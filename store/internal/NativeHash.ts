/**
 * The SHA-256 chain hasher of commit hashing (./HashBatch.ts): the native addon's `sha256Chain`
 * (modules/graph-native/src/sha256batch.cc, target store_native, built by `npm install`).
 *
 * When the addon is missing, fails to load, or `CYBERKERNEL_STORE_HASH=js` is set (read once, at
 * first use; tests run the golden vectors both ways with it), `nativeChain()` is undefined and
 * the trees hash node by node with node:crypto (Node.ts `hashLeaf` / `hashInner`): the same bytes.
 * `jsSha256Chain` is the same contract in TypeScript (node:crypto), for tests of the batch layout
 * and of the native function. Never throws while loading; `hasherInfo().reason` says why the
 * addon is not used.
 */
import { hash } from "node:crypto"
import { createRequire } from "node:module"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/**
 * Hashes `count` inputs packed in `data`, in order: input i is `data[offsets[i], offsets[i + 1])`
 * (`offsets` holds at least count + 1 entries); its 32-byte digest goes to `out[32 i, 32 i + 32)`.
 * Patch p is `(patches[2p], patches[2p + 1]) = (pos, src)`: just before input i is hashed, digest
 * `src` (< i) is copied to `data[pos, pos + 32)`, which lies inside input i; patches are ordered
 * by `pos`. Throws RangeError, with nothing hashed or written, on an offset that decreases or
 * points past `data`, an `out` shorter than 32 * count, or a patch outside its input, out of
 * order or taking a digest that is not earlier; TypeError on an argument of the wrong type.
 */
export type Sha256Chain = (
  data: Uint8Array,
  offsets: Uint32Array,
  count: number,
  out: Uint8Array,
  patches: Uint32Array,
  patchCount: number
) => void

/** Which hashing is in use: "native" (the addon's chain) or "js" (node:crypto per node), and why not native. */
export interface HasherInfo {
  readonly kind: "native" | "js"
  /** Why the addon is not used (undefined when it is). */
  readonly reason: string | undefined
}

const addonPath = fileURLToPath(new URL("../../modules/graph-native/build/Release/store_native.node", import.meta.url))
const failurePath = fileURLToPath(new URL("../../modules/graph-native/build/BUILD_FAILED.txt", import.meta.url))

const range = (m: string): never => {
  throw new RangeError(`sha256Chain: ${m}`)
}

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff

/** The checks of the native function, in the same order (all before any write). */
const check = (data: Uint8Array, offsets: Uint32Array, count: number, out: Uint8Array, patches: Uint32Array, patchCount: number): void => {
  if (!(data instanceof Uint8Array) || !(out instanceof Uint8Array)) throw new TypeError("sha256Chain: data and out must be Uint8Arrays")
  if (!(offsets instanceof Uint32Array) || !(patches instanceof Uint32Array)) throw new TypeError("sha256Chain: offsets and patches must be Uint32Arrays")
  if (typeof count !== "number" || typeof patchCount !== "number") throw new TypeError("sha256Chain: count and patchCount must be numbers")
  if (!isCount(count)) range("count must be an integer in [0, 2^32)")
  if (!isCount(patchCount)) range("patchCount must be an integer in [0, 2^32)")
  if (Math.floor(patches.length / 2) < patchCount) range("patches must hold 2 * patchCount entries")
  if (count === 0) {
    if (patchCount !== 0) range("patches without inputs")
    return
  }
  if (offsets.length < count + 1) range("offsets must hold count + 1 entries")
  if (offsets[count]! > data.length) range("offsets[count] is past the end of data")
  if (Math.floor(out.length / 32) < count) range("out must hold 32 * count bytes")
  let p = 0
  for (let i = 0; i < count; i++) {
    const start = offsets[i]!
    const end = offsets[i + 1]!
    if (start > end) range(`offsets must not decrease (entry ${i})`)
    for (; p < patchCount && patches[2 * p]! < end; p++) {
      const pos = patches[2 * p]!
      if (pos < start || pos + 32 > end) range(`patch ${p} is not inside one input`)
      if (patches[2 * p + 1]! >= i) range(`patch ${p} takes a digest that is not earlier`)
    }
  }
  if (p !== patchCount) range(`patch ${p} is past the last input or out of order`)
}

/** `sha256Chain` in TypeScript: one node:crypto call per input (tests and reference). */
export const jsSha256Chain: Sha256Chain = (data, offsets, count, out, patches, patchCount) => {
  check(data, offsets, count, out, patches, patchCount)
  let p = 0
  for (let i = 0; i < count; i++) {
    const end = offsets[i + 1]!
    for (; p < patchCount && patches[2 * p]! < end; p++) {
      const src = 32 * patches[2 * p + 1]!
      data.set(out.subarray(src, src + 32), patches[2 * p]!)
    }
    out.set(hash("sha256", data.subarray(offsets[i]!, end), "buffer"), 32 * i)
  }
}

let chosen: { readonly fn: Sha256Chain | undefined; readonly info: HasherInfo } | undefined

const choose = (): { readonly fn: Sha256Chain | undefined; readonly info: HasherInfo } => {
  const js = (reason: string) => ({ fn: undefined, info: { kind: "js" as const, reason } })
  if (process.env.CYBERKERNEL_STORE_HASH === "js") return js("CYBERKERNEL_STORE_HASH=js")
  if (!existsSync(addonPath)) {
    const why = existsSync(failurePath) ? readFileSync(failurePath, "utf8").split("\n")[0] : "not built (run npm install)"
    return js(`native addon ${why}`)
  }
  try {
    const addon = createRequire(import.meta.url)(addonPath) as { sha256Chain?: unknown }
    if (typeof addon.sha256Chain !== "function") return js("native addon has no sha256Chain")
    return { fn: addon.sha256Chain as Sha256Chain, info: { kind: "native", reason: undefined } }
  } catch (e) {
    return js(`native addon failed to load: ${(e as Error).message}`)
  }
}

/** The addon's `sha256Chain`, or undefined when hashing falls back to node:crypto per node. */
export const nativeChain = (): Sha256Chain | undefined => (chosen ??= choose()).fn

/** Which hashing the store uses, and why it is not the native one. */
export const hasherInfo = (): HasherInfo => (chosen ??= choose()).info
