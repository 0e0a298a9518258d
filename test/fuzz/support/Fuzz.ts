/**
 * Shared runner of the property-based fuzzers (fast-check): a bounded case budget per property in
 * `npm test`, a larger one on demand, replay of a failing case, and the failure text CI shows.
 *
 * Environment:
 * - `FUZZ_RUNS=N`: run every property for N cases instead of its CI budget (e.g. 100000).
 * - `FUZZ_SEED=S` (and optionally `FUZZ_PATH=P`): replay; fast-check prints both on failure.
 * - `FUZZ_ONLY=text`: run only the properties whose name contains `text` (use it with FUZZ_PATH,
 *   which belongs to one property).
 *
 * Source: fast-check `fc.check` / `fc.defaultReportMessage` (docs: "Replay a failure").
 */
import fc from "fast-check"

/** Cases per property: FUZZ_RUNS when set, else the property's CI budget. */
export const runsFor = (ciBudget: number): number => {
  const v = process.env.FUZZ_RUNS
  if (v === undefined || v === "") return ciBudget
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`FUZZ_RUNS must be a positive integer, got ${v}`)
  return n
}

const seedParam = (): { seed?: number; path?: string } => {
  const s = process.env.FUZZ_SEED
  if (s === undefined || s === "") return {}
  const seed = Number(s)
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${s}`)
  const path = process.env.FUZZ_PATH
  return path === undefined || path === "" ? { seed } : { seed, path }
}

/** Cases run per property name in this process (printed by `printTotals`). */
export const totals: Array<{ name: string; runs: number; ms: number }> = []

/** True when FUZZ_ONLY is unset or `name` contains it. */
export const selected = (name: string): boolean => {
  const only = process.env.FUZZ_ONLY
  return only === undefined || only === "" || name.includes(only)
}

/** The replay line for a failure. */
const replayHint = (file: string, name: string, seed: number, path: string | null): string =>
  `replay: FUZZ_SEED=${seed}${path === null ? "" : ` FUZZ_PATH=${path}`} FUZZ_ONLY=${JSON.stringify(name)} npx node ${file}`

/**
 * Check `property` for `runsFor(ciBudget)` cases and return fast-check's run details without
 * throwing (the planted-bug test wants the failure itself).
 */
export const runProperty = async <Ts>(
  name: string,
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  ciBudget: number,
  extra: Partial<fc.Parameters<Ts>> = {}
): Promise<fc.RunDetails<Ts>> => {
  const started = performance.now()
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, { numRuns: runsFor(ciBudget), ...seedParam(), ...extra })
  totals.push({ name, runs: details.numRuns, ms: performance.now() - started })
  return details
}

/**
 * Check `property`; on a counterexample throw an Error whose message holds fast-check's report
 * (counterexample, `seed`, `path`, the shrunk error) and a line to replay it.
 */
export const fuzz = async <Ts>(
  file: string,
  name: string,
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  ciBudget: number,
  extra: Partial<fc.Parameters<Ts>> = {}
): Promise<void> => {
  if (!selected(name)) return
  const details = await runProperty(name, property, ciBudget, extra)
  if (details.failed) {
    const report = fc.defaultReportMessage(details) ?? "property failed"
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
    throw new Error(`fuzz property "${name}" failed: seed=${details.seed} path=${details.counterexamplePath}\n${report}\nerror: ${cause}\n${replayHint(file, name, details.seed, details.counterexamplePath)}`)
  }
}

/** Print the number of cases each property ran (end of every fuzz file). */
export const printTotals = (file: string): void => {
  const all = totals.reduce((a, t) => a + t.runs, 0)
  for (const t of totals) process.stdout.write(`  fuzz ${t.name}: ${t.runs} cases, ${(t.ms / 1000).toFixed(2)} s\n`)
  process.stdout.write(`${file}: ${all} fuzz cases run\n`)
}

/** Random bytes of length 0..max, with the length drawn uniformly (not biased to small sizes). */
export const bytesUpTo = (max: number): fc.Arbitrary<Uint8Array> =>
  fc.integer({ min: 0, max }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))

/**
 * A mutation of `base`: bit flips, byte overwrites, truncation, insertion, deletion and splicing
 * of a range from `donors` (other valid encodings), applied 1..4 times.
 */
export const mutated = (base: Uint8Array, donors: ReadonlyArray<Uint8Array> = []): fc.Arbitrary<Uint8Array> => {
  type Op = (b: Uint8Array) => fc.Arbitrary<Uint8Array>
  const pos = (b: Uint8Array) => fc.integer({ min: 0, max: Math.max(0, b.length) })
  const ops: Op[] = [
    // bit flip
    (b) => fc.tuple(pos(b), fc.integer({ min: 0, max: 7 })).map(([i, bit]) => {
      const out = b.slice()
      if (out.length > 0) out[i % out.length] = out[i % out.length]! ^ (1 << bit)
      return out
    }),
    // byte overwrite with an interesting value
    (b) => fc.tuple(pos(b), fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x1a, 0x22)).map(([i, v]) => {
      const out = b.slice()
      if (out.length > 0) out[i % out.length] = v
      return out
    }),
    // truncation
    (b) => pos(b).map((n) => b.slice(0, n)),
    // insertion of random bytes
    (b) => fc.tuple(pos(b), bytesUpTo(12)).map(([i, ins]) => concat(b.subarray(0, i), ins, b.subarray(i))),
    // deletion of a range
    (b) => fc.tuple(pos(b), fc.integer({ min: 1, max: 16 })).map(([i, n]) => concat(b.subarray(0, i), b.subarray(i + n))),
    // splice: replace a range with a range of a donor (field splicing between valid encodings)
    (b) => {
      const pool = donors.length > 0 ? donors : [b]
      return fc.tuple(pos(b), fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: pool.length - 1 }), fc.nat(), fc.integer({ min: 0, max: 64 }))
        .map(([i, n, d, j, m]) => {
          const donor = pool[d]!
          const from = donor.length === 0 ? 0 : j % donor.length
          return concat(b.subarray(0, i), donor.subarray(from, from + m), b.subarray(i + n))
        })
    }
  ]
  const step = (b: Uint8Array): fc.Arbitrary<Uint8Array> => fc.integer({ min: 0, max: ops.length - 1 }).chain((k) => ops[k]!(b))
  return fc.integer({ min: 1, max: 4 }).chain((times) => {
    let arb: fc.Arbitrary<Uint8Array> = fc.constant(base)
    for (let t = 0; t < times; t++) arb = arb.chain(step)
    return arb
  })
}

/** Concatenate byte arrays. */
export const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
