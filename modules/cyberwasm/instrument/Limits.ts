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
   * Deterministic stack limit in frame-weight units, one budget for the whole call tree. A call
   * adds the callee's weight (`FRAME_BASE_WEIGHT` + params + locals + maximum operand stack height
   * + 3 scratch locals + 4 instrumentation slots) before entering it; the host's calls into an
   * export (entry points, `cabi_realloc`) add the export's weight; a nested program call starts at
   * the caller's weight plus `hostCallWeight`. One unit covers at most about 8 bytes of V8 stack
   * on a cold (Liftoff) or warm (TurboFan) tier (measured on Node 24, docs/cyberwasm.md "Limits"),
   * so the default 32,768 bounds the whole tree to about 265 KiB of the 984 KiB default stack.
   */
  readonly maxStackWeight: number
  /**
   * Weight charged per nested program call (program -> host `call` -> program) for the host's own
   * frames between the two Wasm frames: measured about 2.6 KiB cold and 2.1 KiB warm; 1,024 units
   * (8 KiB) keeps a 3x margin.
   */
  readonly hostCallWeight: number
  /**
   * Linear memory, in pages, of all the programs on one call stack together (default 2,048 =
   * 128 MiB): a nested call is refused when the stack's instances and the callee would hold more,
   * and `memory.grow` returns -1 past what is left (deterministic: page counts are state).
   */
  readonly maxTreePages: number
}

/** Default limits. */
export const defaultLimits: ProgramLimits = {
  maxCodeBytes: 1_032_192, // max_tx_bytes (1 MiB) less 16 KiB of envelope: the largest upload a tx can carry
  maxFunctions: 20_000,
  maxLocals: 1_024,
  maxTableSize: 10_000,
  maxInitialPages: 256,
  maxPages: 1_024,
  maxGlobals: 1_024,
  maxStackWeight: 32_768,
  hostCallWeight: 1_024,
  maxTreePages: 2_048
}

/** Frame weight of a function besides its params and locals (return address, frame pointer, spills). */
export const FRAME_BASE_WEIGHT = 8
