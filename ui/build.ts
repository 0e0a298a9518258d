/**
 * Bundle the dashboard (ui/src) with esbuild into ui/dist: app.js (minified ES module, every
 * dependency inside: preact, htm, uplot, cytoscape; nothing fetched at run time), app.css and
 * index.html. Run by `npm install` (package.json "install") and by the ui test set-up when
 * ui/dist is missing; the node serves ui/dist at /ui (node/ui/Dashboard.ts).
 *
 * Usage: `npx node ui/build.ts` (prints the files and sizes).
 */
import { build } from "esbuild"
import { copyFileSync, mkdirSync, statSync } from "node:fs"
import { join } from "node:path"

const here = new URL(".", import.meta.url).pathname
/** Output folder of the bundle. */
export const DIST_DIR = join(here, "dist")

/** Build ui/dist; resolves with the files written (absolute paths). Rejects on a build error. */
export const buildUi = async (): Promise<string[]> => {
  mkdirSync(DIST_DIR, { recursive: true })
  await build({
    entryPoints: { app: join(here, "src/main.ts") },
    outdir: DIST_DIR,
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    legalComments: "none",
    logLevel: "warning",
    loader: { ".css": "css" }
  })
  copyFileSync(join(here, "index.html"), join(DIST_DIR, "index.html"))
  return ["index.html", "app.js", "app.css"].map((f) => join(DIST_DIR, f))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await buildUi()
  for (const f of files) process.stdout.write(`${f} ${(statSync(f).size / 1024).toFixed(1)} KiB\n`)
}
