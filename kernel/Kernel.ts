/**
 * The kernel service: process table, capability-checked message passing, bounded mailboxes,
 * request/response timeouts, kernel commands. Effect structures its lifecycle (a Layer acquires
 * it in a scope and shuts it down on release) while the message path stays plain synchronous
 * functions on the service value (see kernel/internal/Core.ts and docs/kernel.md).
 *
 * Usage:
 * ```ts
 * const program = Effect.gen(function* () {
 *   const kernel = yield* Kernel
 *   const bank = kernel.registerMachine("bank", bankProcess)
 *   kernel.hasCapability(machineProcessId("gov"), { issuer: machineProcessId("bank"), params: '{"mint":true}' })
 * })
 * Effect.runPromise(Effect.provide(program, Kernel.layer({ node: "alice.os" })))
 * ```
 * Source: Hyperware kernel (hyperware-ai/hyperware kernel/src/kernel/mod.rs) semantics.
 */
import { Context, Effect, Exit, Layer } from "effect"
import type { Capability, SignedCapability } from "../capabilities/Capability.ts"
import { type Address, AddressError, type ProcessId } from "./Address.ts"
import type { KernelError } from "./KernelError.ts"
import type { LazyLoadBlob, OnExit, Request } from "./Message.ts"
import type { Grant, NativeProcess, ProcessContext, ProcessSpec, Reply } from "./Process.ts"
import {
  type KernelCommand,
  type KernelCommandResult,
  KernelCore,
  type KernelOptions,
  type KernelStats
} from "./internal/Core.ts"

export type { KernelCommand, KernelCommandResult, KernelOptions, KernelStats } from "./internal/Core.ts"
export { silentProcess } from "./internal/Core.ts"

/**
 * The service shape: the kernel object. Its methods are synchronous and throw the typed errors
 * of kernel/KernelError.ts and capabilities/CapabilityError.ts; `execute` wraps commands as
 * Effects with typed failures. Messages are sent through each process's ProcessContext.
 */
export interface KernelApi {
  /** This node's name. */
  readonly our: string
  /** This node's ed25519 public key (32 bytes), which signs its capabilities. */
  readonly publicKey: Uint8Array
  /** Timeout of `request()` when a request sets no expectsResponse, ms. */
  readonly defaultTimeoutMs: number
  /** The address of `id` on this node. */
  address(id: ProcessId): Address
  /** Kernel command initialize (not yet running). Throws NameTaken, AddressError, InvalidParams. */
  initialize(spec: ProcessSpec): ProcessContext
  /** Kernel command run. Throws ProcessNotFound. */
  run(id: ProcessId): void
  /** initialize + run. */
  spawn(spec: ProcessSpec): ProcessContext
  /** Kernel command kill (no on-exit); pending and later sends to it fail offline. */
  kill(id: ProcessId): void
  /** Kernel command set-on-exit. */
  setOnExit(id: ProcessId, onExit: OnExit): void
  /** Kernel command grant: issue and give capabilities. */
  grant(holder: Address | ProcessId, grants: ReadonlyArray<Grant>): SignedCapability[]
  /** Kernel command drop. */
  drop(holder: Address | ProcessId, caps: ReadonlyArray<Capability>): void
  /** Synchronous capability check (a table lookup), for the chain plane. */
  hasCapability(holder: Address | ProcessId, cap: { readonly issuer: Address | ProcessId; readonly params: string }): boolean
  /** Capabilities `holder` holds. */
  capabilitiesOf(holder: Address | ProcessId): SignedCapability[]
  /** Register a chain machine as the native process `<name>:chain:sys` with grants. */
  registerMachine(
    name: string,
    process?: NativeProcess,
    options?: { readonly public?: boolean; readonly grants?: ReadonlyArray<Grant>; readonly onExit?: OnExit }
  ): ProcessContext
  /** Execute a kernel command given as data. */
  command<C extends KernelCommand>(cmd: C): KernelCommandResult<C>
  /** Whether a live process `id` exists. */
  has(id: ProcessId): boolean
  /** Process ids in the table. */
  processes(): ProcessId[]
  /** Mailbox gauges of `id`. */
  mailbox(id: ProcessId): { readonly queued: number; readonly blocked: number; readonly capacity: number }
  /** Counters. */
  stats(): KernelStats
  /** Kill every process and stop the timer (idempotent). */
  shutdown(): void
}

/** The kernel of this node, as an Effect service. */
export class Kernel extends Context.Service<Kernel, KernelApi>()("cyberkernel/Kernel") {
  /**
   * A Layer that creates the kernel in its scope and shuts it down (kills every process) on
   * release. Fails with AddressError when `options.node` is not a valid node name.
   */
  static layer(options: KernelOptions): Layer.Layer<Kernel, AddressError> {
    return Layer.effect(
      Kernel,
      Effect.acquireRelease(
        Effect.suspend(() => {
          try {
            return Effect.succeed(makeKernel(options))
          } catch (e) {
            return e instanceof AddressError ? Effect.fail(e) : Effect.die(e)
          }
        }),
        (k) => Effect.sync(() => k.shutdown())
      )
    )
  }
}

/** A kernel outside Effect (tests, benchmarks); call `shutdown()` when done. */
export const makeKernel = (options: KernelOptions): KernelApi => new KernelCore(options)

/**
 * Run a kernel command as an Effect: fails with the command's typed error (ProcessNotFound,
 * NameTaken, AddressError, InvalidParams, ...), recoverable by tag.
 */
export const execute = <C extends KernelCommand>(cmd: C): Effect.Effect<KernelCommandResult<C>, KernelError, Kernel> =>
  Kernel.use((k) =>
    Effect.suspend(() => {
      try {
        return Effect.succeed(k.command(cmd))
      } catch (e) {
        return isKernelError(e) ? Effect.fail(e) : Effect.die(e)
      }
    })
  )

/**
 * `ctx.request` as an Effect for Effect-structured callers (RPC, CLI): succeeds with the reply,
 * fails with the typed send error (SendFailed timeout/offline, capability refusals, ...). One
 * promise per call: use `ctx.request` itself on hot paths.
 */
export const requestEffect = (
  ctx: ProcessContext,
  target: Address,
  request: Request,
  blob?: LazyLoadBlob
): Effect.Effect<Reply, KernelError> =>
  Effect.flatMap(
    Effect.promise(() =>
      ctx.request(target, request, blob).then(
        (r) => Exit.succeed(r),
        (e: unknown) => (isKernelError(e) ? Exit.fail(e) : Exit.die(e))
      )
    ),
    (exit) => exit
  )

const KERNEL_ERROR_TAGS: ReadonlySet<string> = new Set([
  "ProcessNotFound",
  "NameTaken",
  "MailboxFull",
  "TooManyOutstanding",
  "NoPendingRequest",
  "SendFailed",
  "NotSupported",
  "InvalidMessage",
  "AddressError",
  "InvalidParams",
  "CapabilityForged",
  "CapabilityForeign",
  "CapabilityNotHeld"
])

/** True for the typed errors of the kernel API (anything else thrown is a defect). */
export const isKernelError = (e: unknown): e is KernelError =>
  typeof e === "object" && e !== null && KERNEL_ERROR_TAGS.has((e as { _tag?: unknown })._tag as string)
