/**
 * Configuration of the auth machine and the tx pipeline (plain object, passed by the node from
 * the operator config), and the default on-chain auth params.
 *
 * Two kinds of settings:
 * - node-local: `minGasPrices` (checked in CheckTx only, as the SDK's app.toml minimum-gas-prices);
 * - consensus: `bech32Prefix`, `maxTxBytes` (decode runs in FinalizeBlock too, so every validator
 *   must use the same value, like CometBFT's block max bytes), `moduleAccounts`, and the default
 *   params written at genesis when the genesis file gives none (after genesis the params live in
 *   state: key 0x00 of the auth namespace).
 *
 * Source: cosmos-sdk x/auth/types/params.go (DefaultMaxMemoCharacters 256, DefaultTxSigLimit 7,
 * DefaultTxSizeCostPerByte 10, DefaultSigVerifyCostED25519 590, DefaultSigVerifyCostSecp256k1
 * 1000), server/config (minimum-gas-prices), CometBFT mempool max_tx_bytes (1 MiB).
 */
import type { Params } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import { AuthGasConfig } from "../../chain/Gas.ts"

/** A module account created at genesis (SDK maccPerms entry). */
export interface ModuleAccountSpec {
  readonly name: string
  /** SDK permission strings: "minter", "burner", "staking". */
  readonly permissions: ReadonlyArray<string>
}

/** Auth machine configuration. */
export interface AuthConfig {
  /** Bech32 human-readable prefix of account addresses. Default "cyber". */
  readonly bech32Prefix: string
  /**
   * Node-local minimum gas prices, SDK DecCoins text ("0.01boot" or "0.01boot,0.025uatom");
   * "" accepts any fee. Enforced in CheckTx only. Default "0.01boot".
   */
  readonly minGasPrices: string
  /** Largest accepted tx in bytes (TxTooLarge, code 21, above). Default 1,048,576. */
  readonly maxTxBytes: number
  /** Params written at genesis when the genesis gives none (SDK defaults). */
  readonly defaultParams: Params
  /** Module accounts created at genesis. Default fee_collector, mint (minter, burner), distribution, the two staking pools and gov. */
  readonly moduleAccounts: ReadonlyArray<ModuleAccountSpec>
  /** Name of the machine that holds balances (fee deduction target of `ctx.call`). Default "bank". */
  readonly bankMachine: string
}

/** SDK default auth params. */
export const defaultAuthParams: Params = {
  maxMemoCharacters: 256n,
  txSigLimit: 7n,
  txSizeCostPerByte: BigInt(AuthGasConfig.txSizeCostPerByte),
  sigVerifyCostEd25519: BigInt(AuthGasConfig.sigVerifyCostEd25519),
  sigVerifyCostSecp256k1: BigInt(AuthGasConfig.sigVerifyCostSecp256k1)
}

/** The fee collector module account name (SDK authtypes.FeeCollectorName). */
export const FEE_COLLECTOR = "fee_collector"

/** Defaults: prefix "cyber", min gas price 0.01boot, 1 MiB txs, fee_collector + mint accounts. */
export const defaultAuthConfig: AuthConfig = {
  bech32Prefix: "cyber",
  minGasPrices: "0.01boot",
  maxTxBytes: 1_048_576,
  defaultParams: defaultAuthParams,
  moduleAccounts: [
    { name: FEE_COLLECTOR, permissions: [] },
    { name: "mint", permissions: ["minter", "burner"] },
    // Proof of stake and governance (SDK simapp maccPerms); created whether or not those machines
    // run, so a first transfer never makes them plain accounts.
    { name: "distribution", permissions: [] },
    { name: "bonded_tokens_pool", permissions: ["burner", "staking"] },
    { name: "not_bonded_tokens_pool", permissions: ["burner", "staking"] },
    { name: "gov", permissions: ["burner"] }
  ],
  bankMachine: "bank"
}

/** Fill missing fields of a partial config with the defaults. */
export const authConfig = (partial: Partial<AuthConfig> = {}): AuthConfig => ({ ...defaultAuthConfig, ...partial })
