/**
 * Upload limits and metering prices for CyberWasm programs: governance parameters (the machine's
 * params), with the defaults below. Units: bytes, counts, 64 KiB pages, metering points.
 *
 * Source: issue 5 ("Upload validation", "Metering"); CosmWasm wasmvm limits (max 2 MB code,
 * function and local counts) and wasm-instrument's gas_metering / stack_height for the shape.
 */

/** Limits checked at upload (and re-checked when code is loaded). */
export interface ProgramLimits {
  /** Maximum size of the uploaded binary in bytes (default 2 MiB). */
  readonly maxCodeBytes: number
  /** Maximum defined functions. */
  readonly maxFunctions: number
  /** Maximum params + locals of one function. */
  readonly maxLocals: number
  /** Maximum entries of the single funcref table. */
  readonly maxTableSize: number
  /** Maximum initial memory in 64 KiB pages (256 = 16 MiB). */
  readonly maxInitialPages: number
  /** Maximum memory in pages at any time (the module's declared maximum is clamped to it). */
  readonly maxPages: number
  /** Maximum globals. */
  readonly maxGlobals: number
  /**
   * Deterministic stack limit in frame-weight units; a call adds the callee's weight
   * (`FRAME_BASE_WEIGHT` + params + locals + 3 scratch locals) before entering it; host nesting
   * (program -> host -> program) shares the budget. One unit is about 8 bytes of V8 stack (measured:
   * 64 bytes per frame + 8 per local on Node 24), so the default 32,768 uses at most about 256 KiB
   * of the 984 KiB default stack.
   */
  readonly maxStackWeight: number
}

/** Default limits. */
export const defaultLimits: ProgramLimits = {
  maxCodeBytes: 2 * 1024 * 1024,
  maxFunctions: 20_000,
  maxLocals: 1_024,
  maxTableSize: 10_000,
  maxInitialPages: 256,
  maxPages: 1_024,
  maxGlobals: 1_024,
  maxStackWeight: 32_768
}

/** Frame weight of a function besides its params and locals (return address, frame pointer, spills). */
export const FRAME_BASE_WEIGHT = 8
