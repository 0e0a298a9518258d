/**
 * The staking hooks into the distribution machine, called only when the chain runs it
 * (`ctx.hasMachine`): the calls are capability-checked like any other (Machine.grants asks for
 * them), so a refused hook fails the message.
 *
 * Source: cosmos-sdk x/staking/types/expected_keepers.go StakingHooks; x/distribution/keeper/hooks.go.
 */
import { distributionClient } from "../../../chain/generated/distribution.ts"
import type { ExecContext } from "../../../chain/Machine.ts"

/** Hook calls of one staking machine into `target` (the distribution machine's name). */
export class StakingHooks {
  readonly target: string
  constructor(target: string) {
    this.target = target
  }
  private client(ctx: ExecContext) {
    return ctx.hasMachine(this.target) ? distributionClient((c) => ctx.call(c), this.target) : undefined
  }
  /** AfterValidatorCreated. */
  validatorCreated(ctx: ExecContext, validator: string): void {
    this.client(ctx)?.validatorCreated({ validator })
  }
  /** BeforeDelegationCreated / BeforeDelegationSharesModified / BeforeDelegationRemoved. */
  beforeDelegationModified(ctx: ExecContext, delegator: string, validator: string): void {
    this.client(ctx)?.beforeDelegationModified({ delegator, validator })
  }
  /** AfterDelegationModified (also after a delegation reached zero shares and was removed). */
  delegationModified(ctx: ExecContext, delegator: string, validator: string): void {
    this.client(ctx)?.delegationModified({ delegator, validator })
  }
  /** AfterValidatorRemoved. */
  validatorRemoved(ctx: ExecContext, validator: string): void {
    this.client(ctx)?.validatorRemoved({ validator })
  }
}
