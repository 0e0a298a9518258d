/**
 * `npm run components:build [source.js ...]`: build (or find in .cache/components/) the Wasm
 * component of each JavaScript source with componentize-js, and transpile it with jco.
 */
import { prepareComponent } from "../Build.ts"

for (const source of process.argv.slice(2)) {
  const t0 = performance.now()
  const r = await prepareComponent(source)
  console.log(`${source} -> ${r.componentPath} (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
}
