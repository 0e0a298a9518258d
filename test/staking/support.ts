// Test support for the staking machine: a real chain (test/machines/support/Chain.ts) with auth,
// bank and staking, a genesis with one bonded validator, and blocks whose full FinalizeBlock
// response (validator updates) is returned.
import { fromBech32, toBech32 } from "@cosmjs/encoding"
import { sha256 } from "@noble/hashes/sha2.js"
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { formatAddress } from "../../modules/auth/Address.ts"
import { StakingMachine } from "../../modules/staking/Staking.ts"
import { baseMachines, SIGNER_FUNDS } from "../machines/Fixture.ts"
import { Chain, makeKey, type Key } from "../machines/support/Chain.ts"

/** Seconds between blocks of the harness chain. */
export const BLOCK_SECONDS = 5n
export const GENESIS_SECONDS = 1_700_000_000n

export const valoper = (address: string): string => toBech32("cybervaloper", fromBech32(address, 90).data, 90)
export const consKey = (tag: string): Uint8Array => sha256(new TextEncoder().encode(`consensus ${tag}`))
export const bondedPool = formatAddress(moduleAccountBytes("bonded_tokens_pool"), "cyber")
export const notBondedPool = formatAddress(moduleAccountBytes("not_bonded_tokens_pool"), "cyber")
export const DEC = 10n ** 18n

/** The genesis validator: operator = `op`'s address, `tokens` bonded, self-delegated. */
export const stakingGenesis = (op: string, key: Uint8Array, tokens: bigint, unbondingSeconds: bigint, extra: Record<string, unknown> = {}) => ({
  params: { unbonding_time: `${unbondingSeconds}s`, max_validators: 100, max_entries: 7, historical_entries: 0, bond_denom: "boot", min_commission_rate: "0.000000000000000000" },
  validators: [{
    operator_address: valoper(op),
    consensus_pubkey: { "@type": "/cosmos.crypto.ed25519.PubKey", key: Buffer.from(key).toString("base64") },
    status: "BOND_STATUS_BONDED",
    tokens: tokens.toString(),
    delegator_shares: `${tokens}.000000000000000000`,
    description: { moniker: "genesis" },
    commission: { commission_rates: { rate: "0.100000000000000000", max_rate: "0.200000000000000000", max_change_rate: "0.010000000000000000" }, update_time: "2023-11-14T22:13:20Z" },
    min_self_delegation: "1"
  }],
  delegations: [{ delegator_address: op, validator_address: valoper(op), shares: `${tokens}.000000000000000000` }],
  ...extra
})

/** A staking test chain. */
export class StakingChain {
  readonly chain: Chain
  readonly keys: Key[]
  genesisValidators: ReadonlyArray<{ key: Uint8Array; power: bigint }> = []
  constructor(chain: Chain, keys: Key[]) {
    this.chain = chain
    this.keys = keys
  }

  /** Auth + bank + staking; keys[0] is the genesis validator's operator, all keys funded. */
  static async open(opts: { tokens?: bigint; unbondingSeconds?: bigint; maxValidators?: number } = {}): Promise<StakingChain> {
    const keys = await Promise.all([0, 1, 2, 3].map((i) => makeKey(`staking test key ${i}`)))
    const chain = await Chain.open([...baseMachines(), new StakingMachine({ bech32Prefix: "cyber", bondDenom: "boot" })])
    const tokens = opts.tokens ?? 10_000_000n
    const genesis = stakingGenesis(keys[0]!.address, consKey("v0"), tokens, opts.unbondingSeconds ?? 20n)
    if (opts.maxValidators !== undefined) (genesis.params as { max_validators: number }).max_validators = opts.maxValidators
    const appState = {
      auth: { accounts: [] },
      bank: {
        balances: [
          ...keys.map((k) => ({ address: k.address, coins: [{ denom: "boot", amount: SIGNER_FUNDS }] })),
          { address: bondedPool, coins: [{ denom: "boot", amount: tokens.toString() }] }
        ]
      },
      staking: genesis
    }
    const res = await chain.app.initChain({
      time: { seconds: GENESIS_SECONDS, nanos: 0 }, chainId: "conformance-1", consensusParams: undefined, validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify(appState)), initialHeight: 1n
    })
    const s = new StakingChain(chain, keys)
    s.genesisValidators = res.validators.map((v) => ({ key: v.pubKey.ed25519!, power: v.power }))
    await s.block([])
    return s
  }

  /** Time of the block at `height` (the harness's: genesis + 5 s per height). */
  static timeAt(height: number): bigint {
    return GENESIS_SECONDS + BigInt(height) * BLOCK_SECONDS
  }

  /** FinalizeBlock + Commit at the next height; the full response. */
  async block(txs: ReadonlyArray<Uint8Array>): Promise<ResponseFinalizeBlock> {
    const height = this.chain.height() + 1
    const hash = new Uint8Array(32)
    new DataView(hash.buffer).setUint32(0, height)
    const res = await this.chain.app.finalizeBlock({
      txs: [...txs], decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash, height: BigInt(height),
      time: { seconds: StakingChain.timeAt(height), nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
    })
    await this.chain.app.commit()
    return res
  }

  /** One tx of `msgs` signed by `key` in its own block. */
  async tx(key: Key, msgs: ReadonlyArray<Any>): Promise<ResponseFinalizeBlock> {
    return this.block([await this.chain.sign(key, msgs)])
  }

  /** Query and decode; throws on a non-zero code. */
  async query<T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): Promise<T> {
    const r = await this.chain.query(path, data)
    if (r.code !== 0) throw new Error(`query ${path}: code ${r.code}: ${r.log}`)
    return decode(r.value)
  }

  /** boot balance of `address`. */
  async balance(address: string): Promise<bigint> {
    const r = await this.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "boot" }).finish(), QueryBalanceResponse.decode)
    return BigInt(r.balance?.amount ?? "0")
  }

  close(): Promise<void> {
    return this.chain.close()
  }
}
