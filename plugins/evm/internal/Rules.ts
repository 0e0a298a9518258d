/**
 * The Ethereum rules the EVM machine runs: hardfork Prague, plus three Osaka EIPs that bound the
 * work a transaction can buy in a JavaScript EVM:
 * - EIP-7823: MODEXP inputs at most 1024 bytes each (@ethereumjs's expMod is quadratic in the
 *   exponent's length, which EIP-2565 prices linearly: a 200 kB exponent ran for minutes);
 * - EIP-7883: MODEXP's repricing;
 * - EIP-7825: a transaction's gas limit at most 2^24 (16,777,216).
 * One Common per chain id, shared by the machine's decoder and its worker.
 *
 * Source: EIP-7823, EIP-7825, EIP-7883 (Osaka); @ethereumjs/common createCustomCommon.
 */
import { createCustomCommon, Hardfork, Mainnet, type Common } from "@ethereumjs/common"

/** The EIPs added to Prague (module doc). */
export const EXTRA_EIPS: ReadonlyArray<number> = [7823, 7825, 7883]

const commons = new Map<bigint, Common>()

/** The Common of EIP-155 chain id `chainId` (cached; at most 64 kept). */
export const evmCommon = (chainId: bigint): Common => {
  let c = commons.get(chainId)
  if (!c) {
    if (commons.size >= 64) commons.clear()
    commons.set(chainId, (c = createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Prague, eips: [...EXTRA_EIPS] })))
  }
  return c
}

/** EIP-7825: the most gas one transaction (or one call into the EVM) may have, 2^24. */
export const TX_GAS_CAP = 16_777_216n
