/**
 * Test helper: a fixed sequence of random blocks (seeded) through a multistore, and digests of
 * what it produced: the app hash of every version, the ICS-23 proofs of present and absent keys
 * at the last and an older version, and every database record (`recordsDigest`). golden.test.ts
 * compares them with the values the store produced at commit d4417ae.
 */
import { createHash } from "node:crypto"
import type { MemoryStorage } from "../../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../../store/KVStore.ts"
import { prng } from "../conformance.ts"

const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex")

/** Random bytes of length `n` from `rnd`. */
const bytes = (rnd: () => number, n: number): Uint8Array => {
  const u = new Uint8Array(n)
  for (let i = 0; i < n; i++) u[i] = Math.floor(rnd() * 256)
  return u
}

/** Key lengths 1 to 200 (uvarint length of 1 and 2 bytes; short and long copies), mostly 20 to 40. */
const keyLength = (rnd: () => number): number => {
  const r = rnd()
  return r < 0.05 ? 1 + Math.floor(rnd() * 4) : r < 0.1 ? 130 + Math.floor(rnd() * 70) : 20 + Math.floor(rnd() * 21)
}

export interface GoldenDigest {
  /** App hash hex of every version, in order. */
  readonly appHashes: string[]
  /** sha256 over every proof's ops (type, key, data) for the probe keys, hex. */
  readonly proofs: string
}

/** sha256 over every record of `storage` in key order, hex (after the store is closed: every batch landed). */
export const recordsDigest = (storage: MemoryStorage): string => {
  const h = createHash("sha256")
  for (const k of [...storage.data.keys()].sort()) h.update(`${Buffer.from(k, "latin1").toString("hex")} ${hex(storage.data.get(k)!)}\n`)
  return h.digest("hex")
}

/**
 * 24 blocks into namespaces "bank", "graph", "wasm": block sizes from 1 to 6,000 writes (nonces
 * and sizes past one varint byte), 15% deletes of live keys, 35% updates, the rest inserts;
 * values 0 to 300 bytes. Block 12 writes nothing (hashes stay, versions move).
 */
export const goldenRun = async (ms: CommitMultiStore): Promise<GoldenDigest> => {
  const names = ["bank", "graph", "wasm"]
  const rnd = prng(20261203)
  const live: Uint8Array[][] = names.map(() => [])
  const sizes = [1, 2, 300, 6000, 40, 1, 2500, 700, 13, 5000, 90, 0, 1200, 3, 800, 4000, 60, 150, 2, 3000, 500, 7, 1000, 250]
  const appHashes: string[] = []
  for (const size of sizes) {
    for (let j = 0; j < size; j++) {
      const i = Math.floor(rnd() * names.length)
      const kv = ms.store(names[i]!)
      const keys = live[i]!
      const r = rnd()
      if (keys.length > 0 && r < 0.15) {
        const at = Math.floor(rnd() * keys.length)
        kv.delete(keys[at]!)
        keys[at] = keys[keys.length - 1]!
        keys.pop()
      } else if (keys.length > 0 && r < 0.5) {
        kv.set(keys[Math.floor(rnd() * keys.length)]!, bytes(rnd, Math.floor(rnd() * 300)))
      } else {
        const k = bytes(rnd, keyLength(rnd))
        if (kv.get(k) === undefined) keys.push(k)
        kv.set(k, bytes(rnd, Math.floor(rnd() * 300)))
      }
    }
    appHashes.push(hex((await ms.commit()).hash))
  }
  const proofs = createHash("sha256")
  const last = ms.lastCommit().version
  for (const height of [last, last - 3]) {
    for (let i = 0; i < names.length; i++) {
      const keys = live[i]!
      const probes = [keys[0]!, keys[Math.floor(keys.length / 2)]!, keys[keys.length - 1]!, bytes(rnd, 32), new Uint8Array([0]), new Uint8Array(200).fill(255)]
      for (const k of probes) {
        const q = await ms.query(names[i]!, k, height, true)
        proofs.update(`${q.height} ${q.value === undefined ? "-" : hex(q.value)}\n`)
        for (const op of q.proof!.ops) proofs.update(`${op.type} ${hex(op.key)} ${hex(op.data)}\n`)
      }
    }
  }
  return { appHashes, proofs: proofs.digest("hex") }
}
