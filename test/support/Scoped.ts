/**
 * Test-only: acquire something scoped (a node, a libp2p host) from a test's async code.
 *
 * `Effect.runPromise(effect.pipe(Scope.provide(scope)))` leaves the scope open when `effect`
 * fails halfway, so whatever it had acquired (listening sockets, workers, LevelDB handles) keeps
 * the test process alive until the driver kills it. `openScoped` closes the scope with the
 * failure before rethrowing it.
 */
import { Cause, Effect, Exit, Scope } from "effect"

/** A value acquired in its own scope and the function that closes that scope. */
export interface Scoped<A> {
  readonly value: A
  readonly scope: Scope.Closeable
  /** Release everything acquired, in reverse order. */
  close(): Promise<void>
}

/**
 * Run `effect` in a fresh scope. On success the scope stays open until `close()`; on failure it is
 * closed at once and the failure is thrown (Cause.squash: the error, or the defect).
 */
export const openScoped = async <A, E>(effect: Effect.Effect<A, E, Scope.Scope>): Promise<Scoped<A>> => {
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(effect.pipe(Scope.provide(scope)))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  return { value: exit.value, scope, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
