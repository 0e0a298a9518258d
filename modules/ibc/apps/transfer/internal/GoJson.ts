/**
 * JSON text as Go's encoding/json writes it, for the bytes ibc-go commits: cosmos-sdk
 * `sdk.MustSortJSON` (decode into interface{}, re-encode: object keys sorted, compact) over
 * string-valued objects. Go escapes `"` `\` and control characters (`\n` `\r` `\t` `\b` `\f`
 * short forms, Go >= 1.22; the rest `\u00XX`), the HTML characters `<` `>` `&` (`\u003c` ...)
 * and U+2028 / U+2029; a lone surrogate becomes U+FFFD, as Go's decoder makes it.
 *
 * Also gogoproto's text format string escaping (`ack.String()` in ibc-go's ack event).
 *
 * Source: go/src/encoding/json/encode.go (appendString, htmlSafeSet), cosmos-sdk types/utils.go
 * (MustSortJSON), gogo/protobuf proto/text.go (writeString).
 */

const HEX = "0123456789abcdef"

/** Go json.Marshal of a string (HTML-safe), quotes included. */
export const goJsonString = (s: string): string => {
  let out = "\""
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    switch (ch) {
      case "\"": out += "\\\""; continue
      case "\\": out += "\\\\"; continue
      case "\n": out += "\\n"; continue
      case "\r": out += "\\r"; continue
      case "\t": out += "\\t"; continue
      case "\b": out += "\\b"; continue
      case "\f": out += "\\f"; continue
    }
    if (cp < 0x20 || ch === "<" || ch === ">" || ch === "&") out += "\\u00" + HEX[cp >> 4] + HEX[cp & 15]
    else if (cp === 0x2028) out += "\\u2028"
    else if (cp === 0x2029) out += "\\u2029"
    else if (cp >= 0xd800 && cp <= 0xdfff) out += "\ufffd"
    else out += ch
  }
  return out + "\""
}

/**
 * Compact sorted-key JSON of an object of strings, as `sdk.MustSortJSON` prints it. Keys sort
 * by their UTF-8 bytes (Go sorts map keys as byte strings); every key given is written.
 */
export const goSortedJson = (fields: Readonly<Record<string, string>>): string => {
  const keys = Object.keys(fields).sort(compareUtf8) // determinism-ok: sorted by UTF-8 bytes
  return "{" + keys.map((k) => goJsonString(k) + ":" + goJsonString(fields[k]!)).join(",") + "}"
}

const utf8 = new TextEncoder()
const compareUtf8 = (a: string, b: string): number => {
  const x = utf8.encode(a)
  const y = utf8.encode(b)
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}

/** gogoproto text-format string (`"..."`): printable ASCII kept, `\n \r \t \" \\` short, other bytes `\ooo`. */
export const textProtoString = (bytes: Uint8Array): string => {
  let out = "\""
  for (const b of bytes) {
    if (b === 0x0a) out += "\\n"
    else if (b === 0x0d) out += "\\r"
    else if (b === 0x09) out += "\\t"
    else if (b === 0x22) out += "\\\""
    else if (b === 0x5c) out += "\\\\"
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b)
    else out += "\\" + b.toString(8).padStart(3, "0")
  }
  return out + "\""
}
