/**
 * ICS-20 denominations as ibc-go v8 handles them: denom traces (`{port}/{channel}/...` path plus
 * base denom), voucher denoms `ibc/<UPPER HEX sha256(full path)>`, the source/sink rule by
 * prefix, the per-channel escrow address, and amount parsing as Go's `math.Int` parses a packet's
 * amount.
 *
 * Source: ibc-go v8 modules/apps/transfer/types/trace.go (ParseDenomTrace, Hash, IBCDenom,
 * ValidatePrefixedDenom, ValidateIBCDenom, extractPathAndBaseFromFullDenom), types/coin.go
 * (SenderChainIsSource, GetDenomPrefix), types/keys.go (GetEscrowAddress, ADR-028 style),
 * core/04-channel/types/keys.go
 * (IsChannelIDFormat); cosmossdk.io/math NewIntFromString (big.Int SetString base 0, 256 bits).
 */
import { sha256 } from "../../../../lib/Bytes.ts"
import { escrowAccountBytes } from "../../../../chain/Principal.ts"
import { isValidDenom } from "../../../bank/Coin.ts"
import { InvalidIdentifier } from "../../core/IbcError.ts"
import { validateChannelId, validatePortId } from "../../core/Host.ts"
import { ErrInvalidDenomForTransfer, UnregisteredError } from "./TransferError.ts"

/** ICS-20 version string of classic transfer channels. */
export const ICS20_VERSION = "ics20-1"
/** The port transfer binds. */
export const TRANSFER_PORT = "transfer"
/** Prefix of voucher denoms. */
export const DENOM_PREFIX = "ibc"

/** ibc-go DenomTrace: `path` is `port/channel(/port/channel)*` or "" for a native denom. */
export interface DenomTrace {
  readonly path: string
  readonly baseDenom: string
}

const CHANNEL_ID = /^channel-[0-9]{1,20}$/

/** `channel-<n>` with n a uint64 (channeltypes.IsValidChannelID); returns n or undefined. */
export const channelSequence = (id: string): bigint | undefined => {
  if (!CHANNEL_ID.test(id)) return undefined
  const n = BigInt(id.slice("channel-".length))
  return n < 1n << 64n ? n : undefined
}

const extractPathAndBase = (items: ReadonlyArray<string>): { path: string; baseDenom: string } => {
  const path: string[] = []
  let base: ReadonlyArray<string> = []
  for (let i = 0; i < items.length; i += 2) {
    if (i < items.length - 1 && items.length > 2 && channelSequence(items[i + 1]!) !== undefined) {
      path.push(items[i]!, items[i + 1]!)
    } else {
      base = items.slice(i)
      break
    }
  }
  return { path: path.join("/"), baseDenom: base.join("/") }
}

/** ParseDenomTrace: split a full denom path into trace path and base denom (never fails). */
export const parseDenomTrace = (rawDenom: string): DenomTrace => {
  const items = rawDenom.split("/")
  if (items[0] === rawDenom) return { path: "", baseDenom: rawDenom }
  return extractPathAndBase(items)
}

/** GetFullDenomPath: `path/base`, or `base` for a native denom. */
export const fullDenomPath = (t: DenomTrace): string => (t.path === "" ? t.baseDenom : `${t.path}/${t.baseDenom}`)

/** Hash: sha256 of the full denom path (32 bytes). */
export const denomTraceHash = (t: DenomTrace): Uint8Array => sha256(fullDenomPath(t))

/** Upper-case hex, as tmbytes.HexBytes prints. */
export const hexUpper = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase()

/** IBCDenom: `ibc/<HASH>` for a traced denom, the base denom for a native one. */
export const ibcDenom = (t: DenomTrace): string => (t.path === "" ? t.baseDenom : `${DENOM_PREFIX}/${hexUpper(denomTraceHash(t))}`)

const validateTraceIdentifiers = (ids: ReadonlyArray<string>): void => {
  if (ids.length === 0 || ids.length % 2 !== 0) {
    throw new UnregisteredError({ log: `trace info must come in pairs of port and channel identifiers '{portID}/{channelID}', got the identifiers: [${ids.join(" ")}]` })
  }
  for (let i = 0; i < ids.length; i += 2) {
    wrapId(() => validatePortId(ids[i]!), `invalid port ID at position ${i}`)
    wrapId(() => validateChannelId(ids[i + 1]!), `invalid channel ID at position ${i}`)
  }
}

const wrapId = (f: () => void, context: string): void => {
  try {
    f()
  } catch (e) {
    throw new InvalidIdentifier({ log: `${context}: ${(e as InvalidIdentifier).log}` })
  }
}

/** DenomTrace.Validate (genesis, DenomHash query). Throws InvalidIdentifier / UnregisteredError with ibc-go's text. */
export const validateDenomTrace = (t: DenomTrace): void => {
  if (t.path === "" && t.baseDenom !== "") return
  if (t.baseDenom.trim() === "") throw new UnregisteredError({ log: "base denomination cannot be blank" })
  validateTraceIdentifiers(t.path.split("/"))
}

/** ValidatePrefixedDenom: a packet's denom (`{port}/{channel}/.../base` or a plain denom). */
export const validatePrefixedDenom = (denom: string): void => {
  const items = denom.split("/")
  if (items[0] === denom && denom.trim() !== "") return
  if (items[items.length - 1]!.trim() === "") throw new ErrInvalidDenomForTransfer({ log: "base denomination cannot be blank: invalid denomination for cross-chain transfer" })
  const { path } = extractPathAndBase(items)
  if (path === "") return
  validateTraceIdentifiers(path.split("/"))
}

/**
 * ParseHexHash: 64 hex digits (either case) to 32 bytes; throws ErrInvalidDenomForTransfer naming
 * the problem (ibc-go wraps the hex / size error the same way in DenomPathFromHash).
 */
export const parseHexHash = (hex: string): Uint8Array => {
  if (hex.length % 2 !== 0) throw new ErrInvalidDenomForTransfer({ log: "encoding/hex: odd length hex string: invalid denomination for cross-chain transfer" })
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new ErrInvalidDenomForTransfer({ log: `encoding/hex: invalid byte in ${JSON.stringify(hex.slice(0, 80))}: invalid denomination for cross-chain transfer` }) // determinism-ok: error text
  if (hex.length !== 64) throw new ErrInvalidDenomForTransfer({ log: `expected size to be 32 bytes, got ${hex.length >> 1} bytes: invalid denomination for cross-chain transfer` })
  return Uint8Array.from(Buffer.from(hex, "hex"))
}

/**
 * ValidateIBCDenom: an SDK denom; `ibc/<hash>` must carry a valid 32-byte hex hash. Throws
 * ErrInvalidDenomForTransfer (a non-SDK denom: the SDK's `invalid denom` text).
 */
export const validateIbcDenom = (denom: string): void => {
  if (!isValidDenom(denom)) throw new ErrInvalidDenomForTransfer({ log: `invalid denom: ${denom.slice(0, 140)}: invalid denomination for cross-chain transfer` })
  const slash = denom.indexOf("/")
  const head = slash < 0 ? denom : denom.slice(0, slash)
  if (denom === DENOM_PREFIX || (slash >= 0 && head === DENOM_PREFIX && denom.slice(slash + 1).trim() === "")) {
    throw new ErrInvalidDenomForTransfer({ log: `denomination should be prefixed with the format 'ibc/{hash(trace + "/" + ${denom})}': invalid denomination for cross-chain transfer` })
  }
  if (slash >= 0 && head === DENOM_PREFIX) {
    try {
      parseHexHash(denom.slice(slash + 1))
    } catch (e) {
      throw new ErrInvalidDenomForTransfer({ log: `invalid denom trace hash ${denom.slice(slash + 1, slash + 141)}: ${(e as ErrInvalidDenomForTransfer).log}` })
    }
  }
}

/** GetDenomPrefix: `port/channel/`. */
export const denomPrefix = (port: string, channel: string): string => `${port}/${channel}/`

/** ReceiverChainIsSource: the denom carries this hop's prefix (a voucher coming home). */
export const receiverChainIsSource = (sourcePort: string, sourceChannel: string, denom: string): boolean =>
  denom.startsWith(denomPrefix(sourcePort, sourceChannel))

/** SenderChainIsSource: the opposite of {@link receiverChainIsSource}. */
export const senderChainIsSource = (sourcePort: string, sourceChannel: string, denom: string): boolean =>
  !receiverChainIsSource(sourcePort, sourceChannel, denom)

/**
 * GetEscrowAddress: sha256("ics20-1" || 0x00 || "port/channel")[:20] (20 address bytes); the
 * address of the principal `escrow:<port>.<channel>` (chain/Principal.ts), which moves escrowed coins.
 */
export const escrowAddressBytes = (port: string, channel: string): Uint8Array => escrowAccountBytes(port, channel)

/** math.Int bound (MaxBitLen 256). */
const MAX_INT = (1n << 256n) - 1n
const GO_INT = /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/

/**
 * sdkmath.NewIntFromString: Go big.Int SetString(s, 0) (optional sign; 0x / 0b / 0o / leading-0
 * octal prefixes; `_` between digits), at most 256 bits. Undefined when it does not parse, as
 * ibc-go's `ok == false`. Input longer than 1024 characters never parses to 256 bits and is refused
 * before the regex runs.
 */
export const parseGoInt = (s: string): bigint | undefined => {
  if (s.length > 1024 || !GO_INT.test(s)) return undefined
  const neg = s.startsWith("-")
  let body = (s[0] === "+" || s[0] === "-" ? s.slice(1) : s).replaceAll("_", "")
  if (/^0[0-7]+$/.test(body)) body = "0o" + body.slice(1)
  const v = BigInt(body.replace(/^0([XBO])/, (_, c: string) => "0" + c.toLowerCase()))
  if (v > MAX_INT) return undefined
  return neg ? -v : v
}
