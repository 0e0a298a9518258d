/**
 * Argument parsing shared by the `tx wasm` and `query wasm` commands: code ids, bech32 addresses,
 * JSON messages and byte arguments (ascii / hex / base64, as wasmd's argumentDecoder). Each fails
 * with a CliFailure naming the argument and what was expected.
 */
import { Effect } from "effect"
import { fromBech32 } from "@cosmjs/encoding"
import { CliFailure } from "../../../../../cli/Globals.ts"
import { fromHex, toHex } from "../../../../../lib/Bytes.ts"

const fail = (message: string) => Effect.fail(new CliFailure({ message }))

/** A code id: a decimal integer in 1..2^64-1. */
export const codeId = (s: string): Effect.Effect<bigint, CliFailure> =>
  /^\d{1,20}$/.test(s) && BigInt(s) > 0n && BigInt(s) < 1n << 64n
    ? Effect.succeed(BigInt(s))
    : fail(`invalid code id ${JSON.stringify(s)}: a positive integer below 2^64`)

/** A bech32 address with the chain's `prefix`; returns it unchanged. */
export const bech32Address = (s: string, what: string, prefix: string): Effect.Effect<string, CliFailure> =>
  Effect.gen(function* () {
    const decoded = yield* Effect.try({
      try: () => fromBech32(s, 128),
      catch: (e) => new CliFailure({ message: `invalid ${what} ${JSON.stringify(s)}: ${e instanceof Error ? e.message : String(e)}` })
    })
    if (decoded.prefix !== prefix) return yield* fail(`invalid ${what} ${JSON.stringify(s)}: prefix ${JSON.stringify(decoded.prefix)}, expected ${JSON.stringify(prefix)}`)
    return s
  })

/** A JSON message argument as its UTF-8 bytes (the text is sent as typed, after checking it parses). */
export const jsonMsg = (s: string, what: string): Effect.Effect<Uint8Array, CliFailure> =>
  Effect.try({
    try: () => {
      JSON.parse(s)
      return new TextEncoder().encode(s)
    },
    catch: (e) => new CliFailure({ message: `invalid ${what}: not JSON (${e instanceof Error ? e.message : String(e)})` })
  })

/** Bytes written as ascii, hex or base64; `conflict` when more than one encoding flag was given. */
export const bytesArg = (s: string, what: string, encoding: "ascii" | "hex" | "b64", conflict = false): Effect.Effect<Uint8Array, CliFailure> => {
  if (conflict) return fail(`${what}: choose one of --ascii, --hex, --b64`)
  if (encoding === "ascii") return Effect.succeed(new TextEncoder().encode(s))
  if (encoding === "hex") {
    return /^([0-9a-fA-F]{2})*$/.test(s) ? Effect.succeed(fromHex(s)) : fail(`invalid ${what} ${JSON.stringify(s)}: expected hex (or pass --ascii / --b64)`)
  }
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0
    ? Effect.succeed(new Uint8Array(Buffer.from(s, "base64")))
    : fail(`invalid ${what} ${JSON.stringify(s)}: expected base64`)
}

/** A value as one line of text output (bytes as hex). */
export const printable = (v: unknown): string =>
  v instanceof Uint8Array ? toHex(v) : typeof v === "string" ? v : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x))
