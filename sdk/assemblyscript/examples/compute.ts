// Compute-heavy workloads for the metering benchmark (bench/cyberwasm.bench.ts), exported directly:
// mix(n): integer hashing loop (registers only); sieve(n): prime sieve over a byte array (loads/stores).
import { Program } from "../assembly"
export { cabi_realloc } from "../assembly"

export function mix(n: u32): u64 {
  let x: u64 = 0x9e3779b97f4a7c15
  let acc: u64 = 0
  for (let i: u32 = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >> 7
    x ^= x << 17
    acc += (x * 0xff51afd7ed558ccd) >> 3
    if ((x & 7) == 3) acc ^= <u64>i
  }
  return acc
}

let flags = new Uint8Array(0)

export function sieve(n: u32): u32 {
  if (<u32>flags.length < n) flags = new Uint8Array(n)
  flags.fill(1)
  let count: u32 = 0
  for (let i: u32 = 2; i < n; i++) {
    if (unchecked(flags[i]) != 0) {
      count++
      for (let j: u32 = i * 2; j < n; j += i) unchecked(flags[j] = 0)
    }
  }
  return count
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => input)
}
