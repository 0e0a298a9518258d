/**
 * Timestamps and durations without the host clock or Date: RFC 3339 text (as Go's
 * time.Time.MarshalJSON writes UTC times: "2026-12-02T20:35:00Z", fraction only when non-zero,
 * trailing zeros dropped) and the JSON duration form "1814400s", both in integers.
 *
 * Source: Howard Hinnant's days_from_civil / civil_from_days; protobuf JSON mapping of
 * google.protobuf.Timestamp and Duration.
 */
import { InvalidRequest } from "../../../chain/ChainError.ts"

/** Seconds and nanoseconds since the Unix epoch. */
export interface Time {
  readonly seconds: bigint
  readonly nanos: number
}

const NS = 1_000_000_000n

/** t + d. */
export const addTime = (t: Time, d: Time): Time => {
  const total = (t.seconds + d.seconds) * NS + BigInt(t.nanos + d.nanos)
  return { seconds: total / NS, nanos: Number(total % NS) }
}

/** -1, 0, 1 as a < b, a = b, a > b. */
export const compareTime = (a: Time, b: Time): number =>
  a.seconds < b.seconds ? -1 : a.seconds > b.seconds ? 1 : a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0

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

/** RFC 3339 UTC text of `t`. */
export const formatTime = (t: Time): string => {
  const days = t.seconds >= 0n ? t.seconds / 86400n : -((-t.seconds + 86399n) / 86400n)
  const rem = t.seconds - days * 86400n
  const [y, m, d] = civilFromDays(days)
  const frac = t.nanos === 0 ? "" : `.${t.nanos.toString().padStart(9, "0").replace(/0+$/, "")}`
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(rem / 3600n, 2)}:${pad((rem / 60n) % 60n, 2)}:${pad(rem % 60n, 2)}${frac}Z`
}

/** Parse RFC 3339 text (UTC "Z" or a numeric offset). Throws InvalidRequest naming `what`. */
export const parseTime = (text: string, what: string): Time => {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})$/.exec(text)
  if (!m) throw new InvalidRequest({ log: `invalid ${what} ${JSON.stringify(String(text).slice(0, 40))}: expected RFC 3339 time: invalid request` }) // determinism-ok: log text
  const days = daysFromCivil(BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!))
  let seconds = days * 86400n + BigInt(m[4]!) * 3600n + BigInt(m[5]!) * 60n + BigInt(m[6]!)
  if (m[8] !== "Z") {
    const sign = m[8]![0] === "-" ? -1n : 1n
    seconds -= sign * (BigInt(m[8]!.slice(1, 3)) * 3600n + BigInt(m[8]!.slice(4, 6)) * 60n)
  }
  return { seconds, nanos: Number((m[7] ?? "").padEnd(9, "0")) }
}

/** JSON duration text: "1814400s", "1.5s". */
export const formatDuration = (d: Time): string =>
  d.nanos === 0 ? `${d.seconds}s` : `${d.seconds}.${d.nanos.toString().padStart(9, "0").replace(/0+$/, "")}s`

/** Parse "<seconds>[.<fraction>]s". Throws InvalidRequest naming `what`. */
export const parseDuration = (text: string, what: string): Time => {
  const m = /^([0-9]{1,15})(?:\.([0-9]{1,9}))?s$/.exec(text)
  if (!m) throw new InvalidRequest({ log: `invalid ${what} ${JSON.stringify(String(text).slice(0, 40))}: expected a duration like "1814400s": invalid request` }) // determinism-ok: log text
  return { seconds: BigInt(m[1]!), nanos: Number((m[2] ?? "").padEnd(9, "0")) }
}
