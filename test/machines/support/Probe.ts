/**
 * Direct probes of a machine inside a chain, for the conformance suite: an Executor over a
 * throwaway branch (the same scope object the multiplexer builds per tx) to call interface
 * methods as a chosen principal and to hand message bodies to `handle`; genesis export through
 * each machine's `exportGenesis` over a committed snapshot.
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import { CAPABILITIES_NAMESPACE, exportCapabilitiesGenesis, grantCapability } from "../../../chain/Capabilities.ts"
import { isChainError, NotSupported, UnknownRequest } from "../../../chain/ChainError.ts"
import { GasMeter } from "../../../chain/Gas.ts"
import { Executor } from "../../../chain/internal/Executor.ts"
import { exportRegistryGenesis, REGISTRY_NAMESPACE } from "../../../chain/Registry.ts"
import type { BlockContext, Machine, QueryContext } from "../../../chain/Machine.ts"
import type { Application } from "../../../chain/Application.ts"
import type { BranchedMultiStore, CommitMultiStore } from "../../../store/KVStore.ts"
import { CHAIN_ID, type Chain } from "./Chain.ts"

/** What running something gave: a value, a chain error (code, log), or a raw exception (reported as code 1). */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly code: number; readonly codespace: string; readonly log: string; readonly raw: boolean }

/** Run `f` and classify what it threw. */
export const attempt = (f: () => unknown): Outcome => {
  try {
    return { ok: true, value: f() }
  } catch (e) {
    if (isChainError(e)) return { ok: false, code: e.code, codespace: e.codespace, log: e.log, raw: false }
    return { ok: false, code: 1, codespace: "sdk", log: `raw exception ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, raw: true }
  }
}

/**
 * Whether a code is the multiplexer's internal error: code 1 of codespace "sdk" (chain/internal/TxResult.ts).
 * Code 1 registered by another codespace (ibc-go's `ibc` 1 "invalid sequence") is a typed error.
 */
export const isInternal = (code: number, codespace: string): boolean => code === 1 && (codespace === "sdk" || codespace === "")

/** Short text of an outcome for failure lists. */
export const describe = (o: Outcome): string => (o.ok ? "accepted" : `code ${o.code}${o.raw ? " (raw exception)" : ""}: ${o.log.slice(0, 160)}`)

/** The principal the suite calls interface methods as; it holds only what a test grants it. */
export const PROBE_PRINCIPAL = "machine:conformance-probe"

/** A probe scope: an Executor over a branch of the chain's working state (never written back). */
export interface Probe {
  readonly branch: BranchedMultiStore
  readonly exec: Executor
}

/** A probe scope with a metered gas meter of `gasLimit`, tx signers `signers`. */
export const probe = (chain: Chain, signers: ReadonlyArray<string>, gasLimit = 1e12): Probe => {
  const branch = chain.store.branch()
  const block: BlockContext = {
    chainId: CHAIN_ID, height: chain.height() + 1, time: { seconds: 1_800_000_000n, nanos: 0 },
    proposer: new Uint8Array(20), blockHash: new Uint8Array(32).fill(9)
  }
  const exec = new Executor(chain.app.router, block, branch, new GasMeter(gasLimit), { bech32Prefix: "cyber", signers })
  return { branch, exec }
}

/** Grant the probe principal `iface.method` (unconstrained) inside the probe's branch. */
export const grantProbe = (p: Probe, iface: string, method: string): void =>
  grantCapability(p.branch.store(CAPABILITIES_NAMESPACE), { principal: PROBE_PRINCIPAL, capability: { interface: iface, method, constraints: [] } })

/** Call `target.method` with `body` as the probe principal. */
export const callAs = (p: Probe, target: string, method: string, body: Uint8Array, readOnly = false): Outcome =>
  attempt(() => p.exec.call(PROBE_PRINCIPAL, { target, method, body }, 1, readOnly))

/** `machine.handle` on `msg` in the probe scope, with `signers` as the verified signers. */
export const handleIn = (p: Probe, machine: Machine, msg: Any, signers: ReadonlyArray<string>): Outcome =>
  attempt(() => machine.handle({ ...p.exec.context(machine), txHash: new Uint8Array(32), signers }, msg))

/**
 * The app_state a chain would export now: every active machine's exportGenesis plus the capability
 * table and the registry, through JSON. `chain` is any app over its store (a conformance Chain, or
 * an Application with its store); `chainId` names the chain in the query contexts.
 */
export const exportAppState = async (chain: { readonly app: Application; readonly store: CommitMultiStore }, chainId = CHAIN_ID): Promise<Record<string, unknown>> => {
  const snap = await chain.store.snapshot()
  const height = chain.store.lastCommit().version
  const ctxFor = (m: Machine): QueryContext => ({
    chainId,
    height,
    store: snap.store(m.name),
    query: (target, path, data) => {
      const t = chain.app.router.machine(target)
      if (!t) throw new UnknownRequest({ log: `unknown machine "${target}"` })
      return t.query(ctxFor(t), path, data)
    },
    callAs: () => {
      throw new NotSupported({ log: "callAs during genesis export" })
    }
  })
  const state: Record<string, unknown> = {
    [CAPABILITIES_NAMESPACE]: exportCapabilitiesGenesis(snap.store(CAPABILITIES_NAMESPACE)),
    [REGISTRY_NAMESPACE]: exportRegistryGenesis(snap.store(REGISTRY_NAMESPACE))
  }
  for (const m of chain.app.router.machines) state[m.name] = m.exportGenesis(ctxFor(m))
  return JSON.parse(JSON.stringify(state)) as Record<string, unknown>
}
