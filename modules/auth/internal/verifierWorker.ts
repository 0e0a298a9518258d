/**
 * A VerifierPool worker (modules/auth/VerifierPool.ts): verifies batches of secp256k1 signatures
 * with the same verifier as the node thread (libsecp256k1 when built, else node:crypto) and no
 * cache, answering each batch with one flag per signature.
 *
 * Batch in: { id, count, keys: 33·count bytes, sigs: 64·count, digests: 32·count (sha256 of each
 * message, computed by the node thread, which keys its cache by them), messages: concatenated,
 * offsets: Uint32Array(count + 1) }. Out: { id, ok: Uint8Array(count) of 0/1 }.
 */
import { parentPort, workerData } from "node:worker_threads"
import { selectVerifier, verifyUncached } from "./Secp256k1.ts"

interface Batch {
  readonly id: number
  readonly count: number
  readonly keys: Uint8Array
  readonly sigs: Uint8Array
  readonly digests: Uint8Array
  readonly messages: Uint8Array
  readonly offsets: Uint32Array
}

selectVerifier((workerData as { verifier: "libsecp256k1" | "node:crypto" }).verifier)

parentPort!.on("message", (b: Batch) => {
  const ok = new Uint8Array(b.count)
  for (let i = 0; i < b.count; i++) {
    const message = b.messages.subarray(b.offsets[i]!, b.offsets[i + 1]!)
    const digest = b.digests.subarray(32 * i, 32 * i + 32)
    ok[i] = verifyUncached(b.keys.subarray(33 * i, 33 * i + 33), message, digest, b.sigs.subarray(64 * i, 64 * i + 64)) ? 1 : 0
  }
  parentPort!.postMessage({ id: b.id, ok }, [ok.buffer])
})
