/**
 * Hooks for pages: `useLoad(fn, deps)` runs an async loader and keeps its value, error and
 * loading state; with `live: true` it runs again after every new block (lib/rpc subscribe on
 * `tm.event='NewBlock'`, over the websocket or polling), so a page updates without reload.
 */
import { useEffect, useRef, useState } from "./html.ts"
import { subscribe } from "./rpc.ts"

/** The state of a load: `value` once loaded (kept while reloading), `error` text when the last run failed. */
export interface Loaded<T> {
  readonly value: T | undefined
  readonly error: string | undefined
  readonly loading: boolean
  /** Run the loader again now. */
  readonly reload: () => void
}

/** Load `fn()`; rerun when `deps` change, and after each new block when `live`. */
export const useLoad = <T>(fn: () => Promise<T>, deps: ReadonlyArray<unknown>, live = false): Loaded<T> => {
  const [state, setState] = useState<{ value: T | undefined; error: string | undefined; loading: boolean }>({ value: undefined, error: undefined, loading: true })
  const run = useRef<() => void>(() => undefined)
  useEffect(() => {
    let alive = true
    let seq = 0
    const go = () => {
      const mine = ++seq
      setState((s) => ({ ...s, loading: true }))
      fn().then(
        (value) => { if (alive && mine === seq) setState({ value, error: undefined, loading: false }) },
        (e: unknown) => { if (alive && mine === seq) setState((s) => ({ value: s.value, error: e instanceof Error ? e.message : String(e), loading: false })) }
      )
    }
    run.current = go
    go()
    const off = live ? subscribe("tm.event='NewBlock'", () => go()) : undefined
    return () => {
      alive = false
      off?.()
    }
  }, deps as unknown[])
  return { ...state, reload: () => run.current() }
}
