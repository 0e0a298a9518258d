/**
 * IBC heights (ibc-go clienttypes.Height): ordering, the `<revision>-<height>` text used in paths
 * and events, zero checks, and a chain's revision number from its chain id.
 *
 * Source: ibc-go v8.8.0 modules/core/02-client/types/height.go (Compare, String, ParseChainID,
 * IsRevisionFormat, GetSelfHeight).
 */
import type { Height } from "../LightClient.ts"

/** The zero height (no height timeout). */
export const ZERO_HEIGHT: Height = { revisionNumber: 0n, revisionHeight: 0n }

/** A height from revision number and height. */
export const height = (revisionNumber: bigint, revisionHeight: bigint): Height => ({ revisionNumber, revisionHeight })

/** Lexicographic order by (revision number, revision height): -1, 0 or 1. */
export const compareHeight = (a: Height, b: Height): number => {
  if (a.revisionNumber !== b.revisionNumber) return a.revisionNumber < b.revisionNumber ? -1 : 1
  if (a.revisionHeight !== b.revisionHeight) return a.revisionHeight < b.revisionHeight ? -1 : 1
  return 0
}

/** Both parts zero. */
export const isZeroHeight = (h: Height): boolean => h.revisionNumber === 0n && h.revisionHeight === 0n

/** `<revision>-<height>`, as Height.String() prints it. */
export const heightString = (h: Height): string => `${h.revisionNumber}-${h.revisionHeight}`

/** A height as the protobuf ibc.core.client.v1.Height fields (cosmjs-types shape). */
export const heightProto = (h: Height): { revisionNumber: bigint; revisionHeight: bigint } => ({ revisionNumber: h.revisionNumber, revisionHeight: h.revisionHeight })

/** A protobuf Height (possibly absent: the zero height, as gogoproto's non-nullable field decodes). */
export const heightOf = (h: { revisionNumber: bigint; revisionHeight: bigint } | undefined): Height =>
  h === undefined ? ZERO_HEIGHT : { revisionNumber: h.revisionNumber, revisionHeight: h.revisionHeight }

const REVISION_FORMAT = /^.*[^\n-]-{1}[1-9][0-9]*$/

/** ParseChainID: the revision number after the last `-` of a chain id in revision format (`name-7` -> 7), else 0. */
export const revisionOf = (chainId: string): bigint => {
  if (!REVISION_FORMAT.test(chainId)) return 0n
  return BigInt(chainId.slice(chainId.lastIndexOf("-") + 1))
}

/** GetSelfHeight: this chain's height at block `blockHeight`. */
export const selfHeight = (chainId: string, blockHeight: number | bigint): Height => ({ revisionNumber: revisionOf(chainId), revisionHeight: BigInt(blockHeight) })
