/**
 * genesis.json: CometBFT v0.38's genesis document with the Cosmos SDK's app_state sections for
 * the machines (auth, bank) in their genesis JSON shapes, as `simd init` + `add-genesis-account`
 * write them. Integers are JSON strings, as CometBFT and the SDK's proto-JSON encode int64/uint64.
 *
 * Source: cometbft v0.38 types/genesis.go (GenesisDoc) and types/params.go (DefaultConsensusParams);
 * cosmos-sdk x/auth/types/genesis.go + params.go (DefaultParams), x/bank/types/genesis.go + params.go.
 */
import { readFileSync } from "node:fs"
import { fromBech32, toBech32 } from "@cosmjs/encoding"
import { sha256 } from "../../lib/Bytes.ts"
import { genesisCoinsMetadata } from "./CoinMetadata.ts"
import { consensusAddressHex, pubKeyJson, type Ed25519Key } from "./ValidatorKey.ts"

/** A coin as proto-JSON writes it. */
export interface GenesisCoin { readonly denom: string; readonly amount: string }

/** x/auth genesis: params and accounts (BaseAccount, Any-JSON with "@type"). */
export interface AuthGenesis {
  readonly params: {
    readonly max_memo_characters: string
    readonly tx_sig_limit: string
    readonly tx_size_cost_per_byte: string
    readonly sig_verify_cost_ed25519: string
    readonly sig_verify_cost_secp256k1: string
  }
  readonly accounts: ReadonlyArray<{
    readonly "@type": "/cosmos.auth.v1beta1.BaseAccount"
    readonly address: string
    readonly pub_key: null
    readonly account_number: string
    readonly sequence: string
  }>
}

/** x/bank genesis: params, balances, supply (empty: computed from balances), denom metadata (CoinMetadata.ts shape). */
export interface BankGenesis {
  readonly params: { readonly send_enabled: ReadonlyArray<{ denom: string; enabled: boolean }>; readonly default_send_enabled: boolean }
  readonly balances: ReadonlyArray<{ readonly address: string; readonly coins: ReadonlyArray<GenesisCoin> }>
  readonly supply: ReadonlyArray<GenesisCoin>
  readonly denom_metadata: ReadonlyArray<unknown>
}

/** The CometBFT genesis document. `app_state` has one section per machine (by machine name). */
export interface Genesis {
  readonly genesis_time: string
  readonly chain_id: string
  readonly initial_height: string
  readonly consensus_params: {
    readonly block: { readonly max_bytes: string; readonly max_gas: string }
    readonly evidence: { readonly max_age_num_blocks: string; readonly max_age_duration: string; readonly max_bytes: string }
    readonly validator: { readonly pub_key_types: ReadonlyArray<string> }
    readonly version: { readonly app: string }
    readonly abci: { readonly vote_extensions_enable_height: string }
  }
  readonly validators: ReadonlyArray<{
    readonly address: string
    readonly pub_key: { readonly type: string; readonly value: string }
    readonly power: string
    readonly name: string
  }>
  readonly app_hash: string
  readonly app_state: { readonly auth: AuthGenesis; readonly bank: BankGenesis; readonly [machine: string]: unknown }
}

/** A funded genesis account. */
export interface GenesisAccount { readonly address: string; readonly coins: ReadonlyArray<GenesisCoin> }

/** Inputs of {@link makeGenesis}. */
export interface GenesisOptions {
  readonly chainId: string
  /** RFC 3339 time (UTC). */
  readonly genesisTime: string
  readonly validator: Ed25519Key
  readonly validatorName: string
  readonly validatorPower?: bigint
  readonly accounts: ReadonlyArray<GenesisAccount>
  /**
   * The fee (and bond) denom: with it, bank `denom_metadata` describes it and every denom the
   * accounts hold (CoinMetadata.ts); without it, `denom_metadata` is empty.
   */
  readonly feeDenom?: string | undefined
}

/** Default x/auth params (cosmos-sdk x/auth/types/params.go). */
export const defaultAuthParams: AuthGenesis["params"] = {
  max_memo_characters: "256",
  tx_sig_limit: "7",
  tx_size_cost_per_byte: "10",
  sig_verify_cost_ed25519: "590",
  sig_verify_cost_secp256k1: "1000"
}

/** Cosmos chain id: 1-50 characters of [A-Za-z0-9._-] (cometbft MaxChainIDLen = 50). */
export const CHAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/

/**
 * Build a genesis document: one validator, the given accounts funded (account numbers in
 * order from 0), bank supply left empty (the bank machine computes it from the balances), bank
 * denom metadata for the fee denom and the funded denoms when `feeDenom` is given.
 */
/**
 * Default `consensus_params.block.max_gas` of a new home: 300,000,000 gas, about 8,800 bank sends
 * (33,913 gas each) or 1,500 txs asking 200,000 each; with -1 one tx could ask for unbounded gas
 * and hold the chain for as long as it runs (docs/chain.md "Gas limits").
 */
export const DEFAULT_BLOCK_MAX_GAS = "300000000"

export const makeGenesis = (o: GenesisOptions): Genesis => {
  if (!CHAIN_ID.test(o.chainId)) throw new Error(`invalid chain id ${JSON.stringify(o.chainId)}: 1-50 characters of A-Z a-z 0-9 . _ -`)
  return {
    genesis_time: o.genesisTime,
    chain_id: o.chainId,
    initial_height: "1",
    consensus_params: {
      // finite max_gas: the most gas one tx may ask for and a block may hold (chain.md "Gas limits")
      block: { max_bytes: "22020096", max_gas: DEFAULT_BLOCK_MAX_GAS },
      evidence: { max_age_num_blocks: "100000", max_age_duration: "172800000000000", max_bytes: "1048576" },
      validator: { pub_key_types: ["ed25519"] },
      version: { app: "0" },
      abci: { vote_extensions_enable_height: "0" }
    },
    validators: [{
      address: consensusAddressHex(o.validator),
      pub_key: pubKeyJson(o.validator),
      power: String(o.validatorPower ?? 10n),
      name: o.validatorName
    }],
    app_hash: "",
    app_state: {
      auth: {
        params: defaultAuthParams,
        accounts: o.accounts.map((a, i) => ({
          "@type": "/cosmos.auth.v1beta1.BaseAccount" as const,
          address: a.address,
          pub_key: null,
          account_number: String(i),
          sequence: "0"
        }))
      },
      bank: {
        params: { send_enabled: [], default_send_enabled: true },
        balances: o.accounts.map((a) => ({ address: a.address, coins: [...a.coins] })),
        supply: [],
        denom_metadata: o.feeDenom === undefined ? [] : genesisCoinsMetadata(o.feeDenom, o.chainId, o.accounts)
      }
    }
  }
}

/** Read and minimally check genesis.json (JSON object with a valid chain_id and an app_state). */
export const readGenesis = (file: string): Genesis => {
  const g = JSON.parse(readFileSync(file, "utf8")) as Genesis
  if (typeof g !== "object" || g === null || typeof g.chain_id !== "string" || !CHAIN_ID.test(g.chain_id)) {
    throw new Error(`${file}: missing or invalid chain_id`)
  }
  if (typeof g.app_state !== "object" || g.app_state === null) throw new Error(`${file}: missing app_state`)
  return g
}

/** Inputs of {@link stakingGenesisSection}. */
export interface StakingGenesisOptions {
  /** The node's validator key: its ed25519 public key becomes the genesis validator's consensus key. */
  readonly validator: Ed25519Key
  /** Bech32 account that operates the validator and self-delegates (the dev account). */
  readonly operator: string
  readonly bech32Prefix: string
  readonly bondDenom: string
  /** Bonded tokens (consensus power = tokens / 10^6). */
  readonly tokens: bigint
  /** Unbonding period as a JSON duration ("1814400s", the SDK default of 21 days). */
  readonly unbondingTime: string
  readonly moniker: string
  /** Genesis time, RFC 3339: the commission's update time. */
  readonly genesisTime: string
}

/** SDK x/staking DefaultUnbondingTime: 21 days. */
export const DEFAULT_UNBONDING_TIME = "1814400s"

/**
 * The staking section of a dev genesis: the node's own validator key bonded with `tokens`,
 * self-delegated from `operator`, plus the bonded pool's balance the bank section must hold (the
 * pool module account sha256("bonded_tokens_pool")[:20]). Params: SDK defaults but `unbonding_time`.
 * Source: cosmos-sdk x/staking/types/genesis.go, params.go (DefaultParams); `simd genesis gentx`.
 */
export const stakingGenesisSection = (o: StakingGenesisOptions): { readonly staking: unknown; readonly bondedPool: GenesisAccount } => {
  if (!/^[0-9]{1,15}(\.[0-9]{1,9})?s$/.test(o.unbondingTime)) throw new Error(`invalid unbonding time ${JSON.stringify(o.unbondingTime)}: expected a duration like "1814400s"`)
  const operatorBytes = fromBech32(o.operator, 90).data
  const valoper = toBech32(`${o.bech32Prefix}valoper`, operatorBytes, 90)
  const shares = `${o.tokens}.000000000000000000`
  return {
    staking: {
      params: {
        unbonding_time: o.unbondingTime, max_validators: 100, max_entries: 7, historical_entries: 10000,
        bond_denom: o.bondDenom, min_commission_rate: "0.000000000000000000"
      },
      last_total_power: "0",
      last_validator_powers: [],
      validators: [{
        operator_address: valoper,
        consensus_pubkey: { "@type": "/cosmos.crypto.ed25519.PubKey", key: Buffer.from(o.validator.pubkey).toString("base64") },
        jailed: false,
        status: "BOND_STATUS_BONDED",
        tokens: o.tokens.toString(),
        delegator_shares: shares,
        description: { moniker: o.moniker, identity: "", website: "", security_contact: "", details: "" },
        unbonding_height: "0",
        unbonding_time: "1970-01-01T00:00:00Z",
        commission: {
          commission_rates: { rate: "0.100000000000000000", max_rate: "0.200000000000000000", max_change_rate: "0.010000000000000000" },
          update_time: o.genesisTime
        },
        min_self_delegation: "1"
      }],
      delegations: [{ delegator_address: o.operator, validator_address: valoper, shares }],
      unbonding_delegations: [],
      redelegations: [],
      exported: false
    },
    bondedPool: {
      address: toBech32(o.bech32Prefix, sha256(new TextEncoder().encode("bonded_tokens_pool")).slice(0, 20), 90),
      coins: [{ denom: o.bondDenom, amount: o.tokens.toString() }]
    }
  }
}
