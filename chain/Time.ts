/**
 * Block-time arithmetic and the protojson text forms of google.protobuf.Timestamp and Duration,
 * in integers, without Date or the host clock (chain-plane machines may not read it): compare and
 * add, RFC 3339 UTC text ("2026-12-02T20:32:19.5Z": Z-normalized, fraction with 0, 3, 6 or 9
 * digits; parsing accepts any RFC 3339 offset) and durations ("172800s", "1.5s"). Staking's
 * unbonding queues and gov's deposit and voting periods use it, so genesis import/export is exact.
 *
 * Source: google/protobuf/timestamp.proto and duration.proto JSON mapping; days_from_civil and
 * civil_from_days (H. Hinnant, chrono-Compatible Low-Level Date Algorithms).
 */
import { InvalidRequest } from "./ChainError.ts"

/** Seconds and nanoseconds: a Timestamp since the Unix epoch, or a Duration (cosmjs-types shapes). */
export interface Time {
  readonly seconds: bigint
  readonly nanos: number
}

const NS = 1_000_000_000n

/** Nanoseconds of `t`. */
export const toNanos = (t: Time): bigint => t.seconds * NS + BigInt(t.nanos)

const fromNanos = (n: bigint): Time => ({ seconds: n / NS, nanos: Number(n % NS) })

/** t + d. */
export const addTime = (t: Time, d: Time): Time => fromNanos(toNanos(t) + toNanos(d))

/** -1, 0, 1 as a < b, a = b, a > b. */
export const compareTime = (a: Time, b: Time): number => {
  const x = toNanos(a)
  const y = toNanos(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Whether a duration is above zero. */
export const positiveDuration = (d: Time | undefined): boolean => d !== undefined && toNanos(d) > 0n

const daysFromCivil = (y0: bigint, m: bigint, d: bigint): bigint => {
  const y = m <= 2n ? y0 - 1n : y0
  const era = (y >= 0n ? y : y - 399n) / 400n
  const yoe = y - era * 400n
  const doy = (153n * (m > 2n ? m - 3n : m + 9n) + 2n) / 5n + d - 1n
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy
  return era * 146097n + doe - 719468n
}

const civilFromDays = (z0: bigint): [bigint, bigint, bigint] => {
  const z = z0 + 719468n
  const era = (z >= 0n ? z : z - 146096n) / 146097n
  const doe = z - era * 146097n
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n)
  const mp = (5n * doy + 2n) / 153n
  const d = doy - (153n * mp + 2n) / 5n + 1n
  const m = mp < 10n ? mp + 3n : mp - 9n
  return [yoe + era * 400n + (m <= 2n ? 1n : 0n), m, d]
}

const pad = (v: bigint, n: number): string => v.toString().padStart(n, "0")

/** RFC 3339 UTC text of `t` (fraction only when non-zero: 3, 6 or 9 digits, as protojson). */
export const formatTimestamp = (t: Time): string => {
  const days = t.seconds >= 0n ? t.seconds / 86400n : -((-t.seconds + 86399n) / 86400n)
  const rem = t.seconds - days * 86400n
  const [y, m, d] = civilFromDays(days)
  let frac = ""
  if (t.nanos !== 0) {
    const n = String(t.nanos).padStart(9, "0")
    frac = "." + (n.endsWith("000000") ? n.slice(0, 3) : n.endsWith("000") ? n.slice(0, 6) : n)
  }
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(rem / 3600n, 2)}:${pad((rem / 60n) % 60n, 2)}:${pad(rem % 60n, 2)}${frac}Z`
}

/** Parse RFC 3339 text (UTC "Z" or a numeric offset); throws InvalidRequest naming `what`. */
export const parseTimestamp = (text: unknown, what: string): Time => {
  const m = typeof text === "string"
    ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})$/.exec(text)
    : null
  if (!m) throw new InvalidRequest({ log: `${what}: expected an RFC 3339 time, got ${JSON.stringify(text)?.slice(0, 80)}` }) // determinism-ok: error text only
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => BigInt(x!)) as [bigint, bigint, bigint, bigint, bigint, bigint]
  if (mo < 1n || mo > 12n || d < 1n || d > 31n || h > 23n || mi > 59n || s > 60n) throw new InvalidRequest({ log: `${what}: ${text as string} is not a valid time` })
  let offset = 0n
  if (m[8] !== "Z") {
    const sign = m[8]!.startsWith("-") ? -1n : 1n
    offset = sign * (BigInt(m[8]!.slice(1, 3)) * 3600n + BigInt(m[8]!.slice(4, 6)) * 60n)
  }
  const seconds = daysFromCivil(y, mo, d) * 86400n + h * 3600n + mi * 60n + s - offset
  return { seconds, nanos: Number((m[7] ?? "").padEnd(9, "0")) }
}

/** "172800s", "1.5s" (protojson Duration). */
export const formatDuration = (d: Time): string =>
  d.nanos === 0 ? `${d.seconds}s` : `${d.seconds}.${String(d.nanos).padStart(9, "0").replace(/0+$/, "")}s`

/** Parse "172800s" / "0.5s" (at most 12 digits of seconds, the Duration range); throws InvalidRequest naming `what`. */
export const parseDuration = (text: unknown, what: string): Time => {
  const m = typeof text === "string" ? /^([0-9]{1,12})(?:\.([0-9]{1,9}))?s$/.exec(text) : null
  if (!m) throw new InvalidRequest({ log: `${what}: expected a duration like "172800s", got ${JSON.stringify(text)?.slice(0, 80)}` }) // determinism-ok: error text only
  return { seconds: BigInt(m[1]!), nanos: Number((m[2] ?? "").padEnd(9, "0")) }
}
