/**
 * Go's `fmt` renderings that ibc-go and CometBFT put into error texts: time.Time's `%v`
 * (`2006-01-02 15:04:05.999999999 +0000 UTC`), time.Duration's String (`336h0m0s`, `1.5s`,
 * `500ms`), HexBytes (`%X`). Integer arithmetic only (chain plane).
 *
 * Source: Go src/time/format.go (Time.String), src/time/time.go (Duration.String).
 */
import { toHex } from "../../../../../lib/Bytes.ts"

const NS = 1_000_000_000n

/** Uppercase hex, Go's `%X` of a byte slice. */
export const goHex = (b: Uint8Array): string => toHex(b).toUpperCase()

const pad = (n: bigint, w: number): string => n.toString().padStart(w, "0")

/** Civil date of a count of days since 1970-01-01 (H. Hinnant's days_from_civil inverse). */
const civil = (days: bigint): { y: bigint; m: bigint; d: bigint } => {
  const z = days + 719_468n
  const era = (z >= 0n ? z : z - 146_096n) / 146_097n
  const doe = z - era * 146_097n
  const yoe = (doe - doe / 1460n + doe / 36_524n - doe / 146_096n) / 365n
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n)
  const mp = (5n * doy + 2n) / 153n
  const d = doy - (153n * mp + 2n) / 5n + 1n
  const m = mp < 10n ? mp + 3n : mp - 9n
  return { y: yoe + era * 400n + (m <= 2n ? 1n : 0n), m, d }
}

/** Date and time-of-day parts of a UTC instant: `YYYY-MM-DD`, `hh:mm:ss`, fraction (`.123`, or ""). */
const parts = (unixNs: bigint): { date: string; clock: string; frac: string } => {
  let secs = unixNs / NS
  let fr = unixNs % NS
  if (fr < 0n) { fr += NS; secs -= 1n }
  let days = secs / 86_400n
  let sod = secs % 86_400n
  if (sod < 0n) { sod += 86_400n; days -= 1n }
  const { y, m, d } = civil(days)
  return {
    date: `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`,
    clock: `${pad(sod / 3600n, 2)}:${pad((sod / 60n) % 60n, 2)}:${pad(sod % 60n, 2)}`,
    frac: fr === 0n ? "" : "." + pad(fr, 9).replace(/0+$/, "")
  }
}

/** Go's time.RFC3339Nano of a UTC time (CometBFT's CanonicalTime): `2006-01-02T15:04:05.999999999Z`. */
export const goRfc3339Nano = (unixNs: bigint): string => {
  const p = parts(unixNs)
  return `${p.date}T${p.clock}${p.frac}Z`
}

/** Go's `%v` of a UTC time.Time given in unix nanoseconds. */
export const goTime = (unixNs: bigint): string => {
  const p = parts(unixNs)
  return `${p.date} ${p.clock}${p.frac} +0000 UTC`
}


/** Fraction digits of v/10^prec without trailing zeros, with the dot; "" when zero. */
const frac = (v: bigint, prec: number): string => {
  const s = pad(v % 10n ** BigInt(prec), prec).replace(/0+$/, "")
  return s === "" ? "" : "." + s
}

/** Go's time.Duration String() of a duration in nanoseconds. */
export const goDuration = (ns: bigint): string => {
  if (ns === 0n) return "0s"
  const neg = ns < 0n
  const u = neg ? -ns : ns
  let out: string
  if (u < NS) {
    if (u < 1000n) out = `${u}ns`
    else if (u < 1_000_000n) out = `${u / 1000n}${frac(u, 3)}µs`
    else out = `${u / 1_000_000n}${frac(u, 6)}ms`
  } else {
    const s = u / NS
    const fs = frac(u, 9)
    if (s < 60n) out = `${s}${fs}s`
    else if (s < 3600n) out = `${s / 60n}m${s % 60n}${fs}s`
    else out = `${s / 3600n}h${(s / 60n) % 60n}m${s % 60n}${fs}s`
  }
  return neg ? "-" + out : out
}

/** Go's `%q` of a string: double-quoted, `\` and `"` escaped, control and non-ASCII bytes as `\xNN` / `\uNNNN`. */
export const goQuote = (s: string): string => {
  let out = "\""
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (ch === "\"" || ch === "\\") out += "\\" + ch
    else if (c === 10) out += "\\n"
    else if (c === 9) out += "\\t"
    else if (c === 13) out += "\\r"
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0")
    else out += ch
  }
  return out + "\""
}

/** gogoproto text format of a bytes/string field: `"..."` with C escapes and octal for non-printable bytes. */
const protoTextBytes = (b: Uint8Array): string => {
  let out = "\""
  for (const c of b) {
    if (c === 10) out += "\\n"
    else if (c === 13) out += "\\r"
    else if (c === 9) out += "\\t"
    else if (c === 34) out += "\\\""
    else if (c === 92) out += "\\\\"
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c)
    else out += "\\" + c.toString(8).padStart(3, "0")
  }
  return out + "\""
}

/** A validator or validator set as gogoproto's CompactTextString prints it (`%s` of the protobuf). */
interface ProtoValidator {
  readonly address: Uint8Array
  readonly pubKey?: { readonly ed25519?: Uint8Array; readonly secp256k1?: Uint8Array }
  readonly votingPower: bigint
  readonly proposerPriority: bigint
}

const protoTextValidator = (v: ProtoValidator): string => {
  let s = ""
  if (v.address.length > 0) s += `address:${protoTextBytes(v.address)} `
  if (v.pubKey !== undefined) {
    const k = v.pubKey.ed25519 !== undefined ? `ed25519:${protoTextBytes(v.pubKey.ed25519)} ` : v.pubKey.secp256k1 !== undefined ? `secp256k1:${protoTextBytes(v.pubKey.secp256k1)} ` : ""
    s += `pub_key:<${k}> `
  }
  if (v.votingPower !== 0n) s += `voting_power:${v.votingPower} `
  if (v.proposerPriority !== 0n) s += `proposer_priority:${v.proposerPriority} `
  return s
}

/**
 * proto.CompactTextString of a tendermint.types.ValidatorSet (what Go's `%s` prints for it):
 * fields in number order, zero values left out, messages in `<...>`, every field followed by a space.
 */
export const protoTextValidatorSet = (vs: { readonly validators: ReadonlyArray<ProtoValidator>; readonly proposer?: ProtoValidator; readonly totalVotingPower: bigint }): string => {
  let s = ""
  for (const v of vs.validators) s += `validators:<${protoTextValidator(v)}> `
  if (vs.proposer !== undefined) s += `proposer:<${protoTextValidator(vs.proposer)}> `
  if (vs.totalVotingPower !== 0n) s += `total_voting_power:${vs.totalVotingPower} `
  return s
}
