/**
 * Test-only machine `exec`: holds `authority.execute` (by default) and runs the queued `pending`
 * messages through ExecContext.execute in its endBlock, as x/gov does with a passed proposal;
 * records what happened in `outcome` (ok with the results, or the error's tag and log).
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Grant } from "../../chain/Capabilities.ts"
import type { ExecContext, Machine, MsgResult, QueryContext, ValidatorUpdate } from "../../chain/Machine.ts"

/** The grant that lets `exec` run messages as the governance authority. */
export const EXECUTE_GRANT: Grant = { principal: "machine:exec", capability: { interface: "authority", method: "execute", constraints: [] } }

/** What the last executed batch did: `results` when ok, else the error's `tag` and `log`. */
export interface ExecOutcome {
  readonly ok: boolean
  readonly results?: ReadonlyArray<MsgResult>
  readonly tag?: string
  readonly log?: string
}

/** Runs `pending` as the governance authority in its endBlock; records the outcome. */
export class ExecMachine implements Machine {
  readonly name = "exec"
  readonly version = "0.1.0"
  readonly msgTypeUrls = []
  readonly queryPrefixes = []
  readonly grants: ReadonlyArray<Grant>
  pending: Any[] | undefined
  outcome: ExecOutcome | undefined
  constructor(grants: ReadonlyArray<Grant> = [EXECUTE_GRANT]) {
    this.grants = grants
  }
  signers(): ReadonlyArray<string> {
    return []
  }
  handle(): MsgResult {
    throw new Error("exec has no messages")
  }
  query(): Uint8Array {
    throw new Error("exec has no queries")
  }
  initGenesis(_ctx: ExecContext): void {}
  exportGenesis(_ctx: QueryContext): unknown {
    return {}
  }
  endBlock(ctx: ExecContext): ReadonlyArray<ValidatorUpdate> {
    const msgs = this.pending
    this.pending = undefined
    if (!msgs) return []
    try {
      this.outcome = { ok: true, results: ctx.execute(msgs) }
    } catch (e) {
      const err = e as { _tag?: string; log?: string }
      this.outcome = { ok: false, tag: err._tag ?? "thrown", log: err.log ?? String(e) }
    }
    return []
  }
}
