/**
 * x/auth genesis in the Cosmos SDK JSON shape: `{params: {max_memo_characters: "256", ...},
 * accounts: [{"@type": "/cosmos.auth.v1beta1.BaseAccount", address, pub_key: null,
 * account_number: "0", sequence: "0"}]}`; ModuleAccount entries (`{"@type":
 * "/cosmos.auth.v1beta1.ModuleAccount", base_account: {...}, name, permissions}`) too.
 *
 * Accounts keep their account numbers (sorted by number as SDK SanitizeGenesisAccounts); the
 * global counter continues after the largest. Configured module accounts missing from genesis
 * are then created with fresh numbers. Invalid genesis throws InvalidRequest naming the entry.
 *
 * Source: cosmos-sdk x/auth/keeper/genesis.go, x/auth/types/genesis.go (ValidateGenesis:
 * duplicate accounts), types/params.go (Validate: positive values).
 */
import type { Params } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys"
import { InvalidRequest, isChainError } from "../../../chain/ChainError.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import { ACCOUNT_PREFIX, accountFromAny, BASE_ACCOUNT_URL, getAccount, getParams, MODULE_ACCOUNT_URL, peekAccountNumber, setAccount, setNextAccountNumber, setParams, type Account } from "../Accounts.ts"
import { formatAddress, moduleAddress, parseAddress } from "../Address.ts"
import type { AuthConfig } from "../AuthConfig.ts"
import { SECP256K1_PUBKEY_URL } from "../TxDecoder.ts"
import { Any as AnyCodec } from "cosmjs-types/google/protobuf/any"

type Json = Record<string, unknown>

const fail = (what: string): never => {
  throw new InvalidRequest({ log: `invalid auth genesis: ${what}` })
}
const obj = (v: unknown, what: string): Json => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(`${what} must be an object`)
  return v as Json
}
const uint = (v: unknown, what: string, dflt: bigint): bigint => {
  if (v === undefined || v === null) return dflt
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === "string" && /^[0-9]+$/.test(v)) return BigInt(v)
  return fail(`${what} must be a non-negative integer (number or decimal string), got ${String(v)}`)
}
const field = (o: Json, snake: string, camel: string): unknown => (o[snake] !== undefined ? o[snake] : o[camel])

const parseParams = (v: unknown, dflt: Params): Params => {
  if (v === undefined || v === null) return dflt
  const o = obj(v, "params")
  const p: Params = {
    maxMemoCharacters: uint(field(o, "max_memo_characters", "maxMemoCharacters"), "params.max_memo_characters", dflt.maxMemoCharacters),
    txSigLimit: uint(field(o, "tx_sig_limit", "txSigLimit"), "params.tx_sig_limit", dflt.txSigLimit),
    txSizeCostPerByte: uint(field(o, "tx_size_cost_per_byte", "txSizeCostPerByte"), "params.tx_size_cost_per_byte", dflt.txSizeCostPerByte),
    sigVerifyCostEd25519: uint(field(o, "sig_verify_cost_ed25519", "sigVerifyCostEd25519"), "params.sig_verify_cost_ed25519", dflt.sigVerifyCostEd25519),
    sigVerifyCostSecp256k1: uint(field(o, "sig_verify_cost_secp256k1", "sigVerifyCostSecp256k1"), "params.sig_verify_cost_secp256k1", dflt.sigVerifyCostSecp256k1)
  }
  if (p.maxMemoCharacters === 0n || p.txSigLimit === 0n || p.txSizeCostPerByte === 0n || p.sigVerifyCostEd25519 === 0n || p.sigVerifyCostSecp256k1 === 0n) {
    fail("params must all be positive")
  }
  return p
}

const parseBase = (o: Json, what: string, prefix: string): { bytes: Uint8Array; account: Account["base"] } => {
  if (typeof o.address !== "string") fail(`${what}.address must be a string`)
  let bytes: Uint8Array
  try {
    bytes = parseAddress(o.address as string, prefix)
  } catch (e) {
    return fail(`${what}.address: ${isChainError(e) ? e.log : String(e)}`)
  }
  const pk = field(o, "pub_key", "pubKey")
  let pubKey: Account["base"]["pubKey"]
  if (pk !== undefined && pk !== null) {
    const po = obj(pk, `${what}.pub_key`)
    if (po["@type"] !== SECP256K1_PUBKEY_URL || typeof po.key !== "string") fail(`${what}.pub_key must be {"@type": "${SECP256K1_PUBKEY_URL}", "key": base64}`)
    const key = Buffer.from(po.key as string, "base64")
    if (key.length !== 33) fail(`${what}.pub_key.key must be 33 bytes`)
    pubKey = { typeUrl: SECP256K1_PUBKEY_URL, value: PubKey.encode({ key }).finish() }
  }
  return {
    bytes,
    account: {
      address: formatAddress(bytes, prefix),
      pubKey,
      accountNumber: uint(field(o, "account_number", "accountNumber"), `${what}.account_number`, 0n),
      sequence: uint(o.sequence, `${what}.sequence`, 0n)
    }
  }
}

/** Write auth genesis into `store`. */
export const importAuthGenesis = (store: KVStore, genesis: unknown, config: AuthConfig): void => {
  const g = genesis === undefined || genesis === null ? {} : obj(genesis, "auth genesis")
  setParams(store, parseParams(g.params, config.defaultParams))
  const raw = g.accounts ?? []
  if (!Array.isArray(raw)) fail("accounts must be an array")
  const parsed = (raw as unknown[]).map((a, i) => {
    const o = obj(a, `accounts[${i}]`)
    const type = o["@type"]
    if (type === BASE_ACCOUNT_URL) {
      const b = parseBase(o, `accounts[${i}]`, config.bech32Prefix)
      return { bytes: b.bytes, acc: { base: b.account } as Account }
    }
    if (type === MODULE_ACCOUNT_URL) {
      const b = parseBase(obj(field(o, "base_account", "baseAccount"), `accounts[${i}].base_account`), `accounts[${i}].base_account`, config.bech32Prefix)
      if (typeof o.name !== "string" || o.name === "") fail(`accounts[${i}].name must be a non-empty string`)
      const perms = o.permissions ?? []
      if (!Array.isArray(perms) || perms.some((p) => typeof p !== "string")) fail(`accounts[${i}].permissions must be an array of strings`)
      return { bytes: b.bytes, acc: { base: b.account, module: { name: o.name as string, permissions: perms as string[] } } as Account }
    }
    return fail(`accounts[${i}]: unsupported account type ${String(type)}`)
  })
  const seen = new Set<string>()
  for (const p of parsed) {
    if (seen.has(p.acc.base.address)) fail(`duplicate account found in genesis state; address: ${p.acc.base.address}`)
    seen.add(p.acc.base.address)
  }
  // SanitizeGenesisAccounts: ascending account number (stable).
  parsed.sort((a, b) => (a.acc.base.accountNumber < b.acc.base.accountNumber ? -1 : a.acc.base.accountNumber > b.acc.base.accountNumber ? 1 : 0))
  let next = peekAccountNumber(store)
  for (const p of parsed) {
    setAccount(store, p.bytes, p.acc)
    if (p.acc.base.accountNumber >= next) next = p.acc.base.accountNumber + 1n
  }
  setNextAccountNumber(store, next)
  for (const spec of config.moduleAccounts) {
    const bytes = moduleAddress(spec.name)
    if (getAccount(store, bytes)) continue
    const n = peekAccountNumber(store)
    setNextAccountNumber(store, n + 1n)
    setAccount(store, bytes, {
      base: { address: formatAddress(bytes, config.bech32Prefix), pubKey: undefined, accountNumber: n, sequence: 0n },
      module: { name: spec.name, permissions: spec.permissions }
    })
  }
}

const baseJson = (b: Account["base"]) => ({
  address: b.address,
  pub_key: b.pubKey ? { "@type": b.pubKey.typeUrl, key: Buffer.from(PubKey.decode(b.pubKey.value).key).toString("base64") } : null,
  account_number: b.accountNumber.toString(),
  sequence: b.sequence.toString()
})

/** Export the auth namespace as SDK genesis JSON. */
export const exportAuthGenesis = (store: KVStore): unknown => {
  const p = getParams(store)
  const accounts = [...store.iterate(Uint8Array.of(ACCOUNT_PREFIX), Uint8Array.of(ACCOUNT_PREFIX + 1))].map(([, v]) => {
    const acc = accountFromAny(AnyCodec.decode(v))
    return acc.module
      ? { "@type": MODULE_ACCOUNT_URL, base_account: baseJson(acc.base), name: acc.module.name, permissions: acc.module.permissions }
      : { "@type": BASE_ACCOUNT_URL, ...baseJson(acc.base) }
  })
  return {
    params: {
      max_memo_characters: p.maxMemoCharacters.toString(),
      tx_sig_limit: p.txSigLimit.toString(),
      tx_size_cost_per_byte: p.txSizeCostPerByte.toString(),
      sig_verify_cost_ed25519: p.sigVerifyCostEd25519.toString(),
      sig_verify_cost_secp256k1: p.sigVerifyCostSecp256k1.toString()
    },
    accounts
  }
}
