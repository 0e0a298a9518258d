/**
 * The contract migrate version of a Wasm module: the decimal u64 in its custom section
 * `cw_migrate_version` (cosmwasm-std 2.2 `#[migrate_version(n)]`), undefined when absent or
 * malformed. wasmd skips a migration's `migrate` call when the old and the new code both declare
 * one and they are equal.
 *
 * Source: cosmwasm-vm 2.2 packages/vm/src/parsed_wasm.rs (contract_migrate_version); wasmd
 * x/wasm/keeper/keeper.go migrate.
 */
const NAME = "cw_migrate_version"

const leb = (b: Uint8Array, at: number): [number, number] => {
  let v = 0
  let shift = 0
  let i = at
  for (;;) {
    if (i >= b.length || shift > 28) return [-1, i]
    const x = b[i++]!
    v += (x & 0x7f) * 2 ** shift
    if ((x & 0x80) === 0) return [v, i]
    shift += 7
  }
}

/** The migrate version declared by `wasm`, if any. */
export const migrateVersion = (wasm: Uint8Array): bigint | undefined => {
  let i = 8
  const dec = new TextDecoder("utf-8", { fatal: true })
  while (i < wasm.length) {
    const id = wasm[i++]!
    const [size, start] = leb(wasm, i)
    if (size < 0 || start + size > wasm.length) return undefined
    if (id === 0) {
      const [nameLen, nameStart] = leb(wasm, start)
      if (nameLen >= 0 && nameStart + nameLen <= start + size) {
        try {
          if (dec.decode(wasm.subarray(nameStart, nameStart + nameLen)) === NAME) {
            const text = dec.decode(wasm.subarray(nameStart + nameLen, start + size))
            return /^[0-9]{1,20}$/.test(text) && BigInt(text) < 1n << 64n ? BigInt(text) : undefined
          }
        } catch {
          return undefined
        }
      }
    }
    i = start + size
  }
  return undefined
}
