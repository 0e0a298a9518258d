// Types of the part of snarkjs 0.7 (no bundled types) that test/zk and bench/zk.bench.ts use.
declare module "snarkjs" {
  /** snarkjs proof.json / verification_key.json objects (decimal-string coordinates). */
  type Json = Record<string, unknown>
  /** An ffjavascript curve (opaque here); `terminate` stops its worker threads. */
  interface Curve {
    terminate(): Promise<void>
  }
  export const curves: { getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<Curve> }
  export const powersOfTau: {
    newAccumulator(curve: Curve, power: number, fileName: string, logger?: unknown): Promise<unknown>
    contribute(oldPtau: string, newPtau: string, name: string, entropy: string, logger?: unknown): Promise<unknown>
    preparePhase2(oldPtau: string, newPtau: string, logger?: unknown): Promise<unknown>
  }
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: unknown): Promise<unknown>
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string, logger?: unknown): Promise<unknown>
    exportVerificationKey(zkey: string, logger?: unknown): Promise<Json>
  }
  export const groth16: {
    fullProve(input: Record<string, unknown>, wasm: string, zkey: string, logger?: unknown): Promise<{ proof: Json; publicSignals: string[] }>
    verify(vkey: unknown, publicSignals: ReadonlyArray<string>, proof: unknown, logger?: unknown): Promise<boolean>
  }
}
