/**
 * Debian package dependency graph from `apt-cache dumpavail` (the real input of the graph
 * machine's import, issue 4): one particle per package (CIDv0 of the sha256 multihash of its
 * name), one cyberlink package -> dependency for each Depends / Pre-Depends entry (first
 * alternative, version and architecture qualifiers dropped, dependencies that are no real package
 * skipped), made by the package's maintainer as the neuron.
 *
 * Usage: `npx node scripts/debian-graph.ts [out.json]` (default bench/out/debian-graph.json):
 * writes { packages: string[], cids: string[], maintainers: string[], links: number[] } with links
 * as flat (from, to, maintainer) triples. Library use: `parseDumpavail(text)`, `packageCid(name)`.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { CID } from "multiformats/cid"
import * as Digest from "multiformats/hashes/digest"
import { sha256 } from "../lib/Bytes.ts"

/** Parsed graph: names, maintainers and (from, to, maintainer) triples by index. */
export interface DebianGraph {
  readonly packages: string[]
  readonly maintainers: string[]
  readonly links: number[]
}

/** CIDv0 (dag-pb, sha2-256) of a package name's sha256, as the issue prescribes. */
export const packageCid = (name: string): string =>
  CID.create(0, 0x70, Digest.create(0x12, sha256(name))).toString()

/** Parse `apt-cache dumpavail` output (first stanza per package name wins). */
export const parseDumpavail = (text: string): DebianGraph => {
  const stanzas = text.split(/\n\s*\n/)
  const index = new Map<string, number>()
  const packages: string[] = []
  const deps: Array<[number, string[], string]> = []
  for (const st of stanzas) {
    const fields = new Map<string, string>()
    let last = ""
    for (const line of st.split("\n")) {
      if (/^\s/.test(line) && last) fields.set(last, fields.get(last)! + " " + line.trim())
      else {
        const c = line.indexOf(":")
        if (c > 0) { last = line.slice(0, c); fields.set(last, line.slice(c + 1).trim()) }
      }
    }
    const name = fields.get("Package")
    if (!name || index.has(name)) continue
    index.set(name, packages.length)
    packages.push(name)
    const list = [fields.get("Pre-Depends"), fields.get("Depends")].filter((x): x is string => !!x).join(", ")
    const targets = list.split(",").map((d) => d.split("|")[0]!.trim().split(/[\s(:]/)[0]!).filter((d) => d.length > 0)
    deps.push([packages.length - 1, targets, fields.get("Maintainer") ?? "unknown"])
  }
  const mIndex = new Map<string, number>()
  const maintainers: string[] = []
  const links: number[] = []
  for (const [from, targets, maint] of deps) {
    let u = mIndex.get(maint)
    if (u === undefined) { u = maintainers.length; mIndex.set(maint, u); maintainers.push(maint) }
    for (const t of new Set(targets)) {
      const to = index.get(t)
      if (to === undefined || to === from) continue
      links.push(from, to, u)
    }
  }
  return { packages, maintainers, links }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? new URL("../bench/out/debian-graph.json", import.meta.url).pathname
  const text = execFileSync("apt-cache", ["dumpavail"], { encoding: "utf8", maxBuffer: 1 << 30 })
  const g = parseDumpavail(text)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify({ ...g, cids: g.packages.map(packageCid) }))
  console.log(`${g.packages.length} packages, ${g.links.length / 3} links, ${g.maintainers.length} maintainers -> ${out}`)
}
