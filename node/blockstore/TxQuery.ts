/**
 * The tx_search query language: the subset of CometBFT's pubsub query grammar that its kv tx
 * indexer answers. A query is one or more conditions joined with `AND`:
 *
 *   tx.height=5
 *   tx.hash='0A1B...'
 *   transfer.recipient='cyber1...' AND tx.height>=10
 *   message.sender EXISTS
 *   message.action CONTAINS 'Send'
 *
 * Operators: `=`, `<`, `<=`, `>`, `>=`, `CONTAINS`, `EXISTS`. Operands: single-quoted strings
 * (no escapes, as upstream) or decimal numbers (`5`, `-2`, `1.5`). `TIME` and `DATE` operands and
 * `OR` are not part of this subset and give a TxQueryError, as does any malformed text.
 *
 * Source: cometbft v0.38 libs/pubsub/query/syntax (grammar), state/txindex/kv/kv.go (semantics).
 */
import { Data } from "effect"

/** A malformed or unsupported tx_search query; `reason` names the problem and its position. */
export class TxQueryError extends Data.TaggedError("TxQueryError")<{ readonly query: string; readonly reason: string }> {
  override get message(): string {
    return `invalid tx query ${JSON.stringify(this.query)}: ${this.reason}`
  }
}

/** Comparison operators of the grammar. */
export type TxQueryOp = "=" | "<" | "<=" | ">" | ">=" | "CONTAINS" | "EXISTS"

/** An operand: a quoted string or a number literal (kept as its decimal text). */
export type TxQueryOperand =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: string }

/** One condition `key op operand` (`operand` is undefined for EXISTS). */
export interface TxCondition {
  readonly key: string
  readonly op: TxQueryOp
  readonly operand: TxQueryOperand | undefined
}

/** Tag runes as CometBFT's scanner: a letter, digit or _ then letters, digits, `.`, `_`, `-`. */
const KEY = /^[\p{L}\p{N}_][\p{L}\p{N}._-]*/u
const NUMBER = /^-?[0-9]+(\.[0-9]+)?/
const OPS: ReadonlyArray<TxQueryOp> = ["<=", ">=", "=", "<", ">"]

/**
 * Parse a query into its AND-joined conditions. Throws TxQueryError naming the first problem
 * (position is a 0-based character offset).
 */
export const parseTxQuery = (query: string): ReadonlyArray<TxCondition> => {
  const fail = (pos: number, what: string): never => {
    throw new TxQueryError({ query, reason: `${what} at position ${pos}` })
  }
  const conditions: TxCondition[] = []
  let i = 0
  const skipSpace = () => {
    while (i < query.length && /\s/.test(query[i]!)) i++
  }
  skipSpace()
  if (i >= query.length) throw new TxQueryError({ query, reason: "query is empty" })
  for (;;) {
    skipSpace()
    const keyMatch = KEY.exec(query.slice(i))
    if (keyMatch === null) fail(i, "expected an event key such as tx.height or transfer.recipient")
    const key = keyMatch![0]
    i += key.length
    skipSpace()
    const rest = query.slice(i)
    let op: TxQueryOp | undefined
    if (/^EXISTS\b/.test(rest)) op = "EXISTS"
    else if (/^CONTAINS\b/.test(rest)) op = "CONTAINS"
    else op = OPS.find((o) => rest.startsWith(o))
    if (op === undefined) fail(i, `expected an operator (=, <, <=, >, >=, CONTAINS, EXISTS) after key ${key}`)
    i += op!.length
    let operand: TxQueryOperand | undefined
    if (op !== "EXISTS") {
      skipSpace()
      const at = query.slice(i)
      if (at.startsWith("'")) {
        const end = query.indexOf("'", i + 1)
        if (end < 0) fail(i, "unterminated string operand (missing closing ')")
        operand = { kind: "string", value: query.slice(i + 1, end) }
        i = end + 1
      } else if (/^(TIME|DATE)\b/.test(at)) {
        fail(i, "TIME and DATE operands are not supported by this indexer")
      } else {
        const num = NUMBER.exec(at)
        if (num === null) fail(i, `expected a 'quoted string' or a number after ${key} ${op}`)
        operand = { kind: "number", value: num![0] }
        i += num![0].length
      }
      if (op === "CONTAINS" && operand!.kind !== "string") fail(i, "CONTAINS needs a 'quoted string' operand")
      if (op !== "=" && op !== "CONTAINS" && operand!.kind !== "number") {
        fail(i, `operator ${op} needs a number operand, got a string`)
      }
    }
    if (key === "tx.hash" && op !== "=") fail(i, "tx.hash supports only =")
    if (key === "tx.hash" && operand?.kind !== "string") fail(i, "tx.hash needs a 'quoted' hex operand")
    if (key === "tx.height" && op !== "EXISTS" && operand !== undefined && op !== "=" && operand.kind !== "number") {
      fail(i, "tx.height needs a number operand")
    }
    conditions.push({ key, op: op!, operand })
    skipSpace()
    if (i >= query.length) return conditions
    if (/^AND\b/.test(query.slice(i))) {
      i += 3
      continue
    }
    if (/^OR\b/.test(query.slice(i))) fail(i, "OR is not supported (only AND)")
    fail(i, "expected AND or the end of the query")
  }
}

/**
 * Compare two decimal numbers given as text (`-12`, `3.50`); undefined when either is not a
 * plain decimal. Exact (no floating point).
 */
export const compareDecimal = (a: string, b: string): number | undefined => {
  const pa = splitDecimal(a)
  const pb = splitDecimal(b)
  if (pa === undefined || pb === undefined) return undefined
  const scale = Math.max(pa.frac.length, pb.frac.length)
  const va = BigInt(pa.int + pa.frac.padEnd(scale, "0")) * (pa.neg ? -1n : 1n)
  const vb = BigInt(pb.int + pb.frac.padEnd(scale, "0")) * (pb.neg ? -1n : 1n)
  return va < vb ? -1 : va > vb ? 1 : 0
}

const splitDecimal = (s: string): { neg: boolean; int: string; frac: string } | undefined => {
  const m = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(s.trim())
  if (m === null) return undefined
  return { neg: m[1] === "-", int: m[2]!, frac: m[3] ?? "" }
}

/**
 * The number an attribute value stands for in a numeric comparison, as CometBFT's pubsub
 * `parseNumber`: its leading unsigned decimal (`8atom` is 8, `6.5stake` is 6.5); undefined when
 * it starts with no digit (so `-5` and `abc` never match a numeric condition).
 */
export const numericPrefix = (value: string): string | undefined => /^[0-9]+(\.[0-9]+)?/.exec(value)?.[0]

/**
 * Does an attribute value satisfy a condition? Numbers compare exactly on the value's leading
 * decimal ({@link numericPrefix}; a value with none never matches a numeric comparison); `=`
 * with a string operand compares text exactly; CONTAINS is a substring test.
 *
 * Source: cometbft v0.38 libs/pubsub/query/query.go (opTypeMap, parseNumber).
 */
export const matchesCondition = (cond: TxCondition, value: string): boolean => {
  const operand = cond.operand
  switch (cond.op) {
    case "EXISTS":
      return true
    case "CONTAINS":
      return value.includes(operand!.value)
    case "=": {
      if (operand!.kind === "string") return value === operand!.value
      const n = numericPrefix(value)
      return n !== undefined && compareDecimal(n, operand!.value) === 0
    }
    default: {
      const n = numericPrefix(value)
      const c = n === undefined ? undefined : compareDecimal(n, operand!.value)
      if (c === undefined) return false
      return cond.op === "<" ? c < 0 : cond.op === "<=" ? c <= 0 : cond.op === ">" ? c > 0 : c >= 0
    }
  }
}

/**
 * Events as CometBFT's pubsub matches them: composite key `type.key` to the values of every
 * attribute with that key, in order (`tm.event`, `tx.hash`, `tx.height` included).
 */
export type EventMap = ReadonlyMap<string, ReadonlyArray<string>>

/**
 * Does an event map satisfy every condition of a query? As CometBFT's pubsub: a condition holds
 * when any value under its key satisfies it (an attribute with several values matches if any
 * does); a key naming only an event type (`transfer EXISTS`) is matched against "" when that
 * type occurs; an empty map matches nothing. `tx.hash` compares hex either case.
 *
 * Source: cometbft v0.38 libs/pubsub/query/query.go (matchesEvents, findAttr, matchesEvent).
 */
export const matchesEvents = (conditions: ReadonlyArray<TxCondition>, events: EventMap): boolean => {
  if (events.size === 0) return false
  return conditions.every((c) => {
    const values = events.get(c.key)
    if (values !== undefined && values.length > 0) {
      if (c.key === "tx.hash" && c.operand !== undefined) {
        const want = c.operand.value.toUpperCase()
        return values.some((v) => v.toUpperCase() === want)
      }
      return values.some((v) => matchesCondition(c, v))
    }
    for (const k of events.keys()) {
      if (k.length > c.key.length && k.startsWith(c.key) && k[c.key.length] === "." && k.lastIndexOf(".") === c.key.length) return matchesCondition(c, "")
    }
    return false
  })
}

/**
 * The canonical text of a parsed query (`key op operand` joined by ` AND `, strings quoted):
 * two spellings of one query give one text, as CometBFT's `Query.String()` keys subscriptions.
 */
export const queryText = (conditions: ReadonlyArray<TxCondition>): string =>
  conditions.map((c) => c.op === "EXISTS" ? `${c.key} EXISTS` : `${c.key} ${c.op} ${c.operand!.kind === "string" ? `'${c.operand!.value}'` : c.operand!.value}`).join(" AND ")
