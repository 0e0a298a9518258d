/**
 * Building userspace components from JavaScript sources with the upstream Bytecode Alliance
 * toolchain (componentize-js), cached under `.cache/components/` by the SHA-256 of the source
 * and the WIT, and transpiling components with jco (`transpile`, `--instantiation async`) into
 * `.cache/components/<hash>-js/` for kernel/userspace/ to instantiate.
 *
 * componentize-js takes about 20-26 s and 800 MB per build (docs/userspace.md); the cache makes
 * later calls a file read. Builds disable StarlingMonkey's WASI features (stdio, random, clocks,
 * http), so the component imports only the process world.
 */
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { sha256Parts, toHex } from "../../lib/Bytes.ts"

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
/** The project's WIT (the process-v1 world). */
export const WIT_PATH = join(ROOT, "wit/process.wit")
/** Where built components and their transpiled glue are cached (gitignored). */
export const CACHE_DIR = join(ROOT, ".cache/components")

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false)

/** The first 16 bytes of sha256(parts...) as hex: a cache key. */
const cacheKey = (...parts: Array<string | Uint8Array>): string => toHex(sha256Parts(parts)).slice(0, 32)

/**
 * Build (or take from the cache) the component of the JavaScript module `sourcePath` for the
 * process-v1 world. Returns the path of the `.wasm` component. Rejects with componentize-js's
 * error (syntax errors, bad imports).
 */
export const buildComponent = async (sourcePath: string): Promise<string> => {
  const source = await readFile(sourcePath)
  const wit = await readFile(WIT_PATH)
  const out = join(CACHE_DIR, `${cacheKey(source, "\0", wit)}.wasm`)
  if (await exists(out)) return out
  const { componentize } = await import("@bytecodealliance/componentize-js")
  const { component } = await componentize({
    sourcePath: resolve(sourcePath),
    witPath: WIT_PATH,
    worldName: "process-v1",
    disableFeatures: ["stdio", "random", "clocks", "http"]
  })
  await mkdir(CACHE_DIR, { recursive: true })
  const tmp = `${out}.${process.pid}.tmp`
  await writeFile(tmp, component)
  await rename(tmp, out)
  return out
}

/** Bumped when `patchGlue` changes, so that older cached glue is not reused. */
const GLUE_VERSION = "2"
const DEBUG_CHECK = "if (!globalThis?.process?.env?.JCO_DEBUG) { return; }"

/**
 * jco 1.34's glue reads `process.env.JCO_DEBUG` on every lifted call (docs: TOOLCHAIN.md, 2.6x
 * slower than a constant): read it once when the module loads instead. Glue without that line
 * is left as it is.
 */
export const patchGlue = (js: string): string =>
  js.includes(DEBUG_CHECK)
    ? `const __jcoDebug = !!globalThis?.process?.env?.JCO_DEBUG;\n${js.replaceAll(DEBUG_CHECK, "if (!__jcoDebug) { return; }")}`
    : js

/** A transpiled component: the ES module with `instantiate` and its core Wasm modules. */
export interface Transpiled {
  /** Absolute path of the generated ES module (exports `instantiate(getCoreModule, imports)`). */
  readonly modulePath: string
  /** Core module file name to its bytes path (as `getCoreModule` is asked for them). */
  readonly dir: string
}

/**
 * Transpile a component with jco (async instantiation, no WASI shim imports baked in), cached
 * in `<cacheDir>/<hash of the component>-js/` (default `.cache/components/`). Returns the generated module's path.
 */
export const transpileComponent = async (componentPath: string, cacheDir: string = CACHE_DIR): Promise<Transpiled> => {
  const bytes = await readFile(componentPath)
  await mkdir(cacheDir, { recursive: true })
  const dir = join(cacheDir, `${cacheKey(bytes)}-js${GLUE_VERSION}`)
  const modulePath = join(dir, "component.js")
  if (await exists(modulePath)) return { modulePath, dir }
  const { transpile } = await import("@bytecodealliance/jco")
  const { files } = await transpile(bytes, {
    name: "component",
    instantiation: { tag: "async" },
    noTypescript: true,
    noNodejsCompat: true,
    tlaCompat: false,
    base64Cutoff: 0
  } as never)
  const tmp = `${dir}.${process.pid}.tmp`
  await mkdir(tmp, { recursive: true })
  for (const [name, data] of Object.entries(files as Record<string, Uint8Array>)) {
    await mkdir(dirname(join(tmp, name)), { recursive: true })
    await writeFile(join(tmp, name), name.endsWith(".js") ? patchGlue(new TextDecoder().decode(data)) : data)
  }
  await rename(tmp, dir).catch(async (e: unknown) => {
    if (!(await exists(modulePath))) throw e
  })
  return { modulePath, dir }
}

/** Build then transpile `sourcePath` (both cached). */
export const prepareComponent = async (sourcePath: string): Promise<Transpiled & { readonly componentPath: string }> => {
  const componentPath = await buildComponent(sourcePath)
  return { componentPath, ...(await transpileComponent(componentPath)) }
}
