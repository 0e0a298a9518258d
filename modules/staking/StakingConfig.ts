/**
 * Configuration of the staking machine (consensus-relevant: every node uses the same values).
 * Chain parameters that governance changes (unbonding time, max validators, ...) are not here:
 * they are state (Params, set at genesis and by MsgUpdateParams).
 *
 * Source: cosmos-sdk x/staking/keeper/keeper.go NewKeeper (address codecs, authority).
 */

/** Staking machine configuration. */
export interface StakingConfig {
  /** Bech32 prefix of accounts; validator operators use `<prefix>valoper`. Default "cyber". */
  readonly bech32Prefix: string
  /** Staking denom written into default params (genesis may set another). Default "boot". */
  readonly bondDenom: string
  /** The bank machine (coin movement through its `send`). Default "bank". */
  readonly bankMachine: string
  /** The distribution machine whose hooks run when it is active. Default "distribution". */
  readonly distributionMachine: string
}

/** Defaults (see each field). */
export const defaultStakingConfig: StakingConfig = {
  bech32Prefix: "cyber",
  bondDenom: "boot",
  bankMachine: "bank",
  distributionMachine: "distribution"
}

/** Fill missing fields with the defaults. */
export const stakingConfig = (partial: Partial<StakingConfig> = {}): StakingConfig => ({ ...defaultStakingConfig, ...partial })
