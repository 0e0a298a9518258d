/**
 * Principals of the chain plane: who acts in a cross-machine call. Capabilities belong to
 * principals, never to the machine code that happens to run them: a CyberWasm program acts as
 * `program:<its address>`, not as the cyberwasm machine.
 *
 * Text form `<kind>:<id>`:
 * | kind        | id                       | self address                         | hosted by            |
 * |-------------|--------------------------|--------------------------------------|----------------------|
 * | `machine`   | machine name ("bank")    | its module account sha256(name)[:20] | the executor itself  |
 * | `program`   | bech32 program address   | the program address                  | a machine that hosts "program" (cyberwasm) |
 * | `contract`  | bech32 contract address  | the contract address                 | a machine that hosts "contract" (CosmWasm) |
 * | `evm`       | bech32 of an EVM contract's 20-byte address | that address             | a machine that hosts "evm" (plugins/evm) |
 * | `escrow`    | `<port>.<channel>` of an ICS-20 channel | ibc-go's escrow account of that channel | a machine that hosts "escrow" (ibc) |
 * | `plugin`    | plugin name              | its module account                   | the executor itself  |
 * | `authority` | "gov"                    | the governance module account        | the executor itself  |
 *
 * A `<kind>:*` principal in a grant means "every principal of that kind" (the defaults of programs).
 * At most one active machine hosts each hostable kind (chain/Router.ts), so no runtime can act as
 * another runtime's principals.
 *
 * Source: ARCHITECTURE.md "Principals, not machines, hold capabilities"; cosmos-sdk
 * x/auth/types/account.go NewModuleAddress for module accounts.
 */
import { toBech32 } from "@cosmjs/encoding"
import { sha256 } from "../lib/Bytes.ts"
import { InvalidRequest } from "./ChainError.ts"

/** The kinds of principal. Only `program`, `contract` and `evm` can be hosted (acted as) by a machine. */
export type PrincipalKind = "machine" | "program" | "contract" | "evm" | "escrow" | "plugin" | "authority"

const KINDS: ReadonlySet<string> = new Set(["machine", "program", "contract", "evm", "escrow", "plugin", "authority"])
const ID = /^[a-z0-9_.-]{1,128}$/
/** `<port>.<channel>`: the channel is what follows the last dot. */
const ESCROW_ID = /^[a-z0-9_.-]+\.[a-z0-9_-]+$/

/**
 * Parse a principal of a grant: `<kind>:<id>`, or `<kind>:*` for every principal of the kind.
 * Throws InvalidRequest like {@link parsePrincipal}.
 */
export const parseGrantPrincipal = (text: string): string => {
  if (text.endsWith(":*")) parsePrincipal(`${text.slice(0, -1)}${text.startsWith("escrow:") ? "x.x" : "x"}`)
  else parsePrincipal(text)
  return text
}

/**
 * Kinds a machine may host and act as; the rest are only ever set by the executor. An `escrow`
 * principal's address is derived here from its id, so the machine hosting it can act only for
 * real escrow accounts, never for an account a user owns.
 */
export const HOSTABLE_KINDS: ReadonlySet<PrincipalKind> = new Set<PrincipalKind>(["program", "contract", "evm", "escrow"])

/** A principal: kind plus id, e.g. `{kind: "program", id: "cyber1..."}`. */
export interface Principal {
  readonly kind: PrincipalKind
  readonly id: string
}

/** `<kind>:<id>` text of a principal. */
export const principalText = (p: Principal): string => `${p.kind}:${p.id}`

/** Parse `<kind>:<id>`; throws InvalidRequest naming the text when the kind is unknown or the id empty. */
export const parsePrincipal = (text: string): Principal => {
  const i = text.indexOf(":")
  const kind = i < 0 ? "" : text.slice(0, i)
  const id = i < 0 ? "" : text.slice(i + 1)
  // ids are machine names or bech32 addresses: no "/" (the table's key separator), no spaces
  if (!KINDS.has(kind) || !ID.test(id) || (kind === "escrow" && !ESCROW_ID.test(id))) {
    throw new InvalidRequest({ log: `invalid principal "${text.slice(0, 80)}": expected <machine|program|contract|evm|escrow|plugin|authority>:<id>, id of [a-z0-9_.-], 1-128 characters` })
  }
  return { kind: kind as PrincipalKind, id }
}

/** The principal of machine `name`. */
export const machinePrincipal = (name: string): string => `machine:${name}`
/** The principal of the program at bech32 `address`. */
export const programPrincipal = (address: string): string => `program:${address}`
/** The governance authority. */
export const GOV_AUTHORITY = "authority:gov"

/** Module account address bytes of `name`: sha256(name)[:20] (SDK authtypes.NewModuleAddress). */
export const moduleAccountBytes = (name: string): Uint8Array => sha256(name).subarray(0, 20)

/** ICS-20 version string, the preimage's domain of an escrow account. */
const ICS20_VERSION = "ics20-1"

/**
 * The escrow account of channel `port/channel`, as ibc-go's GetEscrowAddress:
 * sha256("ics20-1" || 0x00 || "<port>/<channel>")[:20] (ibc-go modules/apps/transfer/types/keys.go).
 */
export const escrowAccountBytes = (port: string, channel: string): Uint8Array => {
  const enc = new TextEncoder()
  const contents = enc.encode(`${port}/${channel}`)
  const pre = new Uint8Array(ICS20_VERSION.length + 1 + contents.length)
  pre.set(enc.encode(ICS20_VERSION), 0)
  pre.set(contents, ICS20_VERSION.length + 1)
  return sha256(pre).subarray(0, 20)
}

/** The principal of the escrow account of `port/channel` (`escrow:<port>.<channel>`). */
export const escrowPrincipal = (port: string, channel: string): string => `escrow:${port}.${channel}`

/**
 * The address a `self` constraint compares with: programs and contracts are their own address;
 * machines, plugins and the authority act through their module account (`gov` for the authority).
 */
export const selfAddress = (p: Principal, bech32Prefix: string): string => {
  if (p.kind === "program" || p.kind === "contract" || p.kind === "evm") return p.id
  if (p.kind === "escrow") {
    const dot = p.id.lastIndexOf(".")
    return toBech32(bech32Prefix, escrowAccountBytes(p.id.slice(0, dot), p.id.slice(dot + 1)), 90)
  }
  // a pure function of (prefix, name), asked on every checked call: bech32 encoding is not free
  const key = `${bech32Prefix}:${p.id}`
  let a = moduleAccounts.get(key)
  if (a === undefined) {
    if (moduleAccounts.size >= 4096) moduleAccounts.clear()
    moduleAccounts.set(key, (a = toBech32(bech32Prefix, moduleAccountBytes(p.id), 90)))
  }
  return a
}
const moduleAccounts = new Map<string, string>()
