/**
 * Configuration of the bank machine (plain object; consensus-relevant: every validator uses the
 * same values).
 *
 * Source: cosmos-sdk x/bank/keeper (blockedAddrs). Mint and burn rights are capabilities of the
 * calling principal (`bank.mint`, `bank.burn`; chain/ChainCapability.ts), not bank config.
 */

/** Bank machine configuration. */
export interface BankConfig {
  /** Bech32 prefix of account addresses. Default "cyber". */
  readonly bech32Prefix: string
  /** Machine that owns accounts; bank calls its `ensure-account` on first receipt. Default "auth". */
  readonly authMachine: string
  /**
   * Module accounts that may not receive coins through MsgSend / MsgMultiSend (SDK blockedAddrs),
   * by module name; their address is sha256(name)[:20]. Default: every module account but gov.
   */
  readonly blockedModuleAccounts: ReadonlyArray<string>
}

/** Defaults (see each field). */
export const defaultBankConfig: BankConfig = {
  bech32Prefix: "cyber",
  authMachine: "auth",
  // SDK simapp BlockedModuleAccountAddrs: every module account but gov (which may receive funds)
  blockedModuleAccounts: ["fee_collector", "mint", "distribution", "bonded_tokens_pool", "not_bonded_tokens_pool"]
}

/** Fill missing fields with the defaults. */
export const bankConfig = (partial: Partial<BankConfig> = {}): BankConfig => ({ ...defaultBankConfig, ...partial })
