/**
 * Program addresses: bech32 over 32 bytes, sha256("cyberwasm/program" || u64 BE sequence), as
 * wasmd's classic contract addresses are a hash of a module name and a sequence
 * (wasmd x/wasm/keeper/addresses.go, BuildContractAddressClassic). The module account that holds
 * reserves is sha256("cyberwasm")[0:20] (cosmos-sdk types/address.Module).
 */
import { moduleAccountBytes } from "../../../chain/Principal.ts"
import { fromBech32, toBech32 } from "@cosmjs/encoding"
import { InvalidAddress } from "../../../chain/ChainError.ts"
import { sha256, sha256Parts } from "../../../lib/Bytes.ts"

const cache = new Map<string, Uint8Array>()

/** Raw bytes of a bech32 address (cached); InvalidAddress on bad input. */
export const addressBytes = (address: string): Uint8Array => {
  const hit = cache.get(address)
  if (hit) return hit
  let data: Uint8Array
  try {
    data = fromBech32(address, 1023).data
  } catch (e) {
    throw new InvalidAddress({ log: `invalid address "${address}": ${(e as Error).message}` })
  }
  if (cache.size > 100_000) cache.clear()
  cache.set(address, data)
  return data
}

/** The address of the `seq`-th program. */
export const programAddress = (prefix: string, seq: bigint): string => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, seq)
  return toBech32(prefix, sha256Parts(["cyberwasm/program", b]), 1023)
}

/** The cyberwasm module account (holds deposited reserve tokens). */
export const moduleAddress = (prefix: string): string =>
  toBech32(prefix, moduleAccountBytes("cyberwasm"), 1023)
