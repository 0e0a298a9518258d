import { readFileSync } from "node:fs"
const OUT = process.env.OUT ?? "bench/out/txpath"
const rows = readFileSync(process.argv[2] ?? `${OUT}/rounds.log`, "utf8").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
const variants = [...new Set(rows.map((r) => r.variant))]
const keys = ["finCpu", "finWall", "nodeCheckCpu", "nodeCheckWall", "checkCpu", "checkWall", "checkWarmDecodeCpu"]
const med = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2 }
console.log("| variant | " + keys.map((k) => `${k} min / median`).join(" | ") + " |")
const base: Record<string, number[]> = {}
for (const v of variants) {
  const rs = rows.filter((r) => r.variant === v)
  const cells = keys.map((k) => { const a = rs.map((r) => r.r[k]); if (v === variants[0]) base[k] = a; return `${Math.min(...a).toFixed(1)} / ${med(a).toFixed(1)}` })
  console.log(`| ${v} (${rs.length}) | ${cells.join(" | ")} |`)
}
console.log("\nratios to base, per round (same round), then median of per-round ratios:")
for (const v of variants.slice(1)) {
  const line = keys.map((k) => {
    const ratios = rows.filter((r) => r.variant === v).map((r) => { const b = rows.find((x) => x.variant === variants[0] && x.round === r.round); return r.r[k] / b.r[k] })
    const mins = Math.min(...rows.filter((r) => r.variant === v).map((r) => r.r[k])) / Math.min(...rows.filter((r) => r.variant === variants[0]).map((r) => r.r[k]))
    return `${k}: med ${med(ratios).toFixed(2)} [${ratios.map((x) => x.toFixed(2)).join(",")}] best/best ${mins.toFixed(2)}`
  })
  console.log(v + "\n  " + line.join("\n  "))
}
console.log("\nresults/appHash:", [...new Set(rows.map((r) => `${r.r.results}/${r.r.appHash}`))].join(" "), "loads:", rows.map((r) => r.load).join(","), "times:", rows[0]?.time, "-", rows.at(-1)?.time)
