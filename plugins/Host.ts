/**
 * The plugin host API: what the kernel hands a plugin's machine factory. A plugin package is
 * installed as a copy under `<home>/plugins/<name>/`, outside this repository, so at run time it
 * cannot import kernel modules by relative path nor resolve npm packages; everything it needs at
 * run time comes in {@link PluginHost}. It may import kernel *types* (`import type`, erased before
 * the code runs), which is how plugins/hello typechecks against chain/Machine.ts.
 *
 * The host API is part of the release (not of the plugin's code hash): the chain error classes
 * (so a plugin's refusals carry the SDK codes), the protobuf reader/writer the SDK wire format
 * needs, bech32 account addresses and sha256.
 *
 * Source: docs/plugins.md; ARCHITECTURE.md "Plugins are packages ... that export a Machine".
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import * as errors from "../chain/ChainError.ts"
import type { Machine } from "../chain/Machine.ts"
import { sha256 } from "../lib/Bytes.ts"
import { canonicalAddress, formatAddress, parseAddress } from "../modules/auth/Address.ts"

/** Runtime services a plugin gets from the kernel (see module doc). */
export interface PluginHost {
  /** chain/ChainError.ts: every chain error class, `chainErrorClass` and `isChainError`. */
  readonly errors: typeof errors
  /** cosmjs-types protobuf reader and writer (the SDK wire format). */
  readonly protobuf: { readonly BinaryReader: typeof BinaryReader; readonly BinaryWriter: typeof BinaryWriter }
  /** Bech32 account addresses (modules/auth/Address.ts): parse (InvalidAddress, code 7), format, canonical text. */
  readonly address: {
    readonly parse: typeof parseAddress
    readonly format: typeof formatAddress
    readonly canonical: typeof canonicalAddress
  }
  /** sha256 of bytes or UTF-8 text (32 bytes). */
  readonly sha256: (data: Uint8Array | string) => Uint8Array
}

/** Options a plugin factory is called with. */
export interface PluginOptions {
  /** Bech32 prefix of account addresses on this chain, e.g. "cyber". */
  readonly bech32Prefix: string
  /** The staking (bond) denom of this chain, e.g. "boot". */
  readonly bondDenom: string
  /** The kernel's runtime services. */
  readonly host: PluginHost
}

/** What a plugin's entry module exports as `default` (or as `createMachine`): one machine per call. */
export type PluginFactory = (opts: PluginOptions) => Machine

/** The host API of this release. */
export const pluginHost: PluginHost = Object.freeze({
  errors,
  protobuf: Object.freeze({ BinaryReader, BinaryWriter }),
  address: Object.freeze({ parse: parseAddress, format: formatAddress, canonical: canonicalAddress }),
  sha256
})
