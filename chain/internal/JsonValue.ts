/**
 * Canonical binary encoding of a JSON value, for genesis sections kept in chain state (a scheduled
 * machine's genesis waits in its registry record until its activation height). The layout follows
 * google.protobuf.Value, with two changes that make it canonical and float-free: object entries are
 * written sorted by key (UTF-16 code unit order, as JS compares strings), and numbers are kept as
 * their decimal text, never as a double.
 *
 * Value: 1 null (varint 0) | 2 number (decimal text) | 3 string | 4 bool | 5 object | 6 list.
 * Object: repeated field 1 entry {1 key, 2 value}. List: repeated field 1 value.
 *
 * Source: protobuf google/protobuf/struct.proto (Value, Struct, ListValue).
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { InvalidRequest } from "../ChainError.ts"

const MAX_DEPTH = 64

const writeValue = (w: BinaryWriter, v: unknown, depth: number): void => {
  if (depth > MAX_DEPTH) throw new InvalidRequest({ log: `JSON value nested deeper than ${MAX_DEPTH}` })
  if (v === null || v === undefined) w.uint32(8).uint32(0)
  else if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new InvalidRequest({ log: "JSON value: non-finite number" })
    w.uint32(18).string(String(v))
  } else if (typeof v === "bigint") w.uint32(18).string(v.toString())
  else if (typeof v === "string") w.uint32(26).string(v)
  else if (typeof v === "boolean") w.uint32(32).bool(v)
  else if (Array.isArray(v)) {
    w.uint32(50).fork()
    for (const x of v) {
      w.uint32(10).fork()
      writeValue(w, x, depth + 1)
      w.ldelim()
    }
    w.ldelim()
  } else if (typeof v === "object") {
    w.uint32(42).fork()
    const keys = Object.keys(v as object).sort() // determinism-ok: sorted before use
    for (const k of keys) {
      w.uint32(10).fork()
      w.uint32(10).string(k)
      w.uint32(18).fork()
      writeValue(w, (v as Record<string, unknown>)[k], depth + 1)
      w.ldelim()
      w.ldelim()
    }
    w.ldelim()
  } else throw new InvalidRequest({ log: `JSON value: unsupported ${typeof v}` })
}

/** Canonical bytes of a JSON value (undefined encodes as null). Throws InvalidRequest on non-JSON input. */
export const encodeJsonValue = (v: unknown): Uint8Array => {
  const w = BinaryWriter.create()
  writeValue(w, v, 0)
  return w.finish()
}

const readValue = (bytes: Uint8Array, depth: number): unknown => {
  if (depth > MAX_DEPTH) throw new Error(`nested deeper than ${MAX_DEPTH}`)
  const r = new BinaryReader(bytes)
  if (r.pos >= r.len) throw new Error("empty value")
  const tag = r.uint32()
  let out: unknown
  switch (tag) {
    case 8: r.uint32(); out = null; break
    case 18: {
      const text = r.string()
      const n = Number(text)
      if (!Number.isFinite(n) || String(n) !== text) throw new Error(`bad number "${text}"`)
      out = n
      break
    }
    case 26: out = r.string(); break
    case 32: out = r.bool(); break
    case 42: {
      const obj: Record<string, unknown> = {}
      const inner = new BinaryReader(r.bytes())
      while (inner.pos < inner.len) {
        if (inner.uint32() !== 10) throw new Error("bad object entry")
        const e = new BinaryReader(inner.bytes())
        let key = ""
        let value: unknown = null
        while (e.pos < e.len) {
          const t = e.uint32()
          if (t === 10) key = e.string()
          else if (t === 18) value = readValue(e.bytes(), depth + 1)
          else throw new Error(`bad object entry tag ${t}`)
        }
        obj[key] = value
      }
      out = obj
      break
    }
    case 50: {
      const list: unknown[] = []
      const inner = new BinaryReader(r.bytes())
      while (inner.pos < inner.len) {
        if (inner.uint32() !== 10) throw new Error("bad list element")
        list.push(readValue(inner.bytes(), depth + 1))
      }
      out = list
      break
    }
    default: throw new Error(`unexpected tag ${tag}`)
  }
  if (r.pos !== r.len) throw new Error("trailing bytes")
  return out
}

/** Inverse of {@link encodeJsonValue}. Throws InvalidRequest on malformed bytes. */
export const decodeJsonValue = (bytes: Uint8Array): unknown => {
  try {
    return readValue(bytes, 0)
  } catch (e) {
    throw new InvalidRequest({ log: `malformed JSON value: ${(e as Error).message}` })
  }
}
