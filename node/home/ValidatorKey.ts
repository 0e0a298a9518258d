/**
 * ed25519 key files of a node home, in CometBFT's JSON formats so a real CometBFT (consensus
 * mode "abci") can use the same files:
 * - `config/priv_validator_key.json`: `{address, pub_key, priv_key}` (consensus key).
 * - `config/node_key.json`: `{priv_key}` (node identity; signs kernel capabilities).
 * Both are written with mode 0600. `priv_key.value` is base64 of seed (32) || public key (32).
 * The consensus address is the first 20 bytes of sha256(public key), upper-case hex.
 *
 * Source: cometbft v0.38 privval/file.go (FilePVKey), p2p/key.go (NodeKey),
 * crypto/ed25519/ed25519.go (Address, PrivKey layout).
 */
import { randomBytes } from "node:crypto"
import { chmodSync, readFileSync, writeFileSync } from "node:fs"
import { ed25519 } from "@noble/curves/ed25519.js"
import { concatBytes, equalBytes, sha256, toHex } from "../../lib/Bytes.ts"

/** An ed25519 key: 32-byte seed, 32-byte public key, 20-byte consensus address. */
export interface Ed25519Key {
  readonly seed: Uint8Array
  readonly pubkey: Uint8Array
  readonly address: Uint8Array
}

const PUB_TYPE = "tendermint/PubKeyEd25519"
const PRIV_TYPE = "tendermint/PrivKeyEd25519"

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64")
const hexUpper = (b: Uint8Array) => toHex(b).toUpperCase() // CometBFT prints addresses upper-case

/** The key of a 32-byte seed. */
export const ed25519FromSeed = (seed: Uint8Array): Ed25519Key => {
  if (seed.length !== 32) throw new Error(`ed25519 seed must be 32 bytes, got ${seed.length}`)
  const pubkey = ed25519.getPublicKey(seed)
  return { seed, pubkey, address: sha256(pubkey).slice(0, 20) }
}

/** A fresh key from 32 bytes of CSPRNG entropy. */
export const generateEd25519 = (): Ed25519Key => ed25519FromSeed(new Uint8Array(randomBytes(32)))

/** Upper-case hex consensus address, as CometBFT prints it. */
export const consensusAddressHex = (key: Ed25519Key): string => hexUpper(key.address)

/** CometBFT `{type, value}` JSON of the public key. */
export const pubKeyJson = (key: Ed25519Key) => ({ type: PUB_TYPE, value: b64(key.pubkey) })

const writeSecret = (file: string, json: unknown) => {
  writeFileSync(file, JSON.stringify(json, null, 2) + "\n", { mode: 0o600, flag: "wx" })
  chmodSync(file, 0o600)
}

/** Write `priv_validator_key.json` (mode 0600, fails if the file exists). */
export const writeValidatorKey = (file: string, key: Ed25519Key): void =>
  writeSecret(file, {
    address: consensusAddressHex(key),
    pub_key: pubKeyJson(key),
    priv_key: { type: PRIV_TYPE, value: b64(concatBytes(key.seed, key.pubkey)) }
  })

/** Write `node_key.json` (mode 0600, fails if the file exists). */
export const writeNodeKey = (file: string, key: Ed25519Key): void =>
  writeSecret(file, { priv_key: { type: PRIV_TYPE, value: b64(concatBytes(key.seed, key.pubkey)) } })

/** Read a CometBFT ed25519 key file (validator or node key); checks the type and that the public half matches the seed. */
export const readEd25519KeyFile = (file: string): Ed25519Key => {
  const j = JSON.parse(readFileSync(file, "utf8")) as { priv_key?: { type?: string; value?: string } }
  if (j.priv_key?.type !== PRIV_TYPE || typeof j.priv_key.value !== "string") {
    throw new Error(`${file}: expected priv_key of type ${PRIV_TYPE}`)
  }
  const raw = Buffer.from(j.priv_key.value, "base64")
  if (raw.length !== 64) throw new Error(`${file}: priv_key must be 64 bytes (seed || pubkey), got ${raw.length}`)
  const key = ed25519FromSeed(new Uint8Array(raw.subarray(0, 32)))
  if (!equalBytes(key.pubkey, raw.subarray(32))) throw new Error(`${file}: public key does not match the seed`)
  return key
}
