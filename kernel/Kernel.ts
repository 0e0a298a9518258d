/**
 * The kernel service: process table, capability-checked message passing, bounded mailboxes,
 * request/response timeouts, kernel commands. Effect structures its lifecycle (a Layer acquires
 * it in a scope and shuts it down on release) while the message path stays plain synchronous
 * functions on the service value. The contract (KernelApi, KernelOptions, KernelCommand) is in
 * kernel/KernelApi.ts; the implementation in kernel/internal/ (see docs/kernel.md).
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
import { type Address, AddressError } from "./Address.ts"
import type { KernelApi, KernelCommand, KernelCommandResult, KernelOptions } from "./KernelApi.ts"
import type { KernelError } from "./KernelError.ts"
import type { LazyLoadBlob, Request } from "./Message.ts"
import type { ProcessContext, Reply } from "./Process.ts"
import { KernelCore } from "./internal/Core.ts"

export type { KernelApi, KernelCommand, KernelCommandResult, KernelOptions, KernelStats, MailboxStats, RemoteOptions, RemoteStats } from "./KernelApi.ts"
export { silentProcess } from "./Process.ts"

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
