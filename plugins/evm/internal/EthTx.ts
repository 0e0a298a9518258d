/**
 * Ethereum transactions as block txs (chain/TxPipeline.ts TxFormat): legacy with EIP-155 replay
 * protection, EIP-2930 and EIP-1559, told apart from Cosmos TxRaw (first byte 0x0a) by their first
 * byte (0x01/0x02 typed envelope, >= 0xc0 legacy RLP list). Decoding recovers the sender
 * (secp256k1, address = keccak256(uncompressed key)[12:]) once per tx bytes.
 *
 * Refused at decode (TxDecodeError, code 2): undecodable bytes, legacy txs without a chain id,
 * blob (type 3) and set-code (type 4) txs, a gas limit above 2^53 - 1.
 *
 * Source: EIP-155, EIP-2718, EIP-2930, EIP-1559; @ethereumjs/tx createTxFromRLP.
 */
import { RLP } from "@ethereumjs/rlp"
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx"
import { keccak_256 } from "@noble/hashes/sha3.js"
import type { PluginHost } from "../../Host.ts"
import { evmCommon } from "./Rules.ts"

/** Type URL of the one message an Ethereum tx carries (its value: the raw tx bytes). */
export const MSG_ETHEREUM_TX = "/cyberkernel.evm.v1.MsgEthereumTx"

/** A decoded Ethereum tx. Addresses are lowercase hex without 0x. */
export interface EthTx {
  readonly raw: Uint8Array
  /** keccak256 of the raw bytes (32). */
  readonly hash: Uint8Array
  readonly type: 0 | 1 | 2
  readonly chainId: bigint
  readonly sender: string
  readonly to?: string
  readonly nonce: bigint
  readonly gasLimit: bigint
  readonly tx: TypedTransaction
}

/** Whether `bytes` look like an Ethereum tx (leading byte; see module doc). */
export const isEthTx = (bytes: Uint8Array): boolean => bytes.length > 0 && ((bytes[0]! >= 0x01 && bytes[0]! <= 0x04) || bytes[0]! >= 0xc0)

const toBigInt = (b: unknown): bigint => (b instanceof Uint8Array && b.length > 0 ? BigInt(`0x${Buffer.from(b).toString("hex")}`) : 0n)

/**
 * The chain id a raw tx was signed for (typed: its chainId field; legacy: from EIP-155's v), or
 * undefined for an unprotected legacy tx or bytes that are not one. Throws on malformed RLP.
 */
export const rawTxChainId = (raw: Uint8Array): bigint | undefined => {
  if (raw.length === 0) return undefined
  if (raw[0]! <= 0x7f) {
    const fields = RLP.decode(raw.subarray(1))
    return Array.isArray(fields) ? toBigInt(fields[0]) : undefined
  }
  const fields = RLP.decode(raw)
  if (!Array.isArray(fields) || fields.length !== 9) return undefined
  const v = toBigInt(fields[6])
  return v >= 35n ? (v - 35n) / 2n : undefined
}

const cache = new Map<string, EthTx>()

/** Decode (TxDecodeError naming the problem; see module doc). Results are cached by tx hash. */
export const decodeEthTx = (host: PluginHost, bytes: Uint8Array): EthTx => {
  const hash = keccak_256(bytes)
  const key = Buffer.from(hash).toString("hex")
  const hit = cache.get(key)
  if (hit) return hit
  const fail = (why: string): never => {
    throw new host.errors.TxDecodeError({ log: `ethereum tx: ${why}: tx parse error` })
  }
  if (bytes[0] === 0x03) fail("blob transactions (type 3) are not supported")
  if (bytes[0] === 0x04) fail("set-code transactions (type 4, EIP-7702) are not supported")
  let chainId: bigint | undefined
  let tx: TypedTransaction
  try {
    chainId = rawTxChainId(bytes)
    if (chainId === undefined) fail("a legacy transaction must carry a chain id (EIP-155 replay protection)")
    tx = createTxFromRLP(bytes, { common: evmCommon(chainId!) }) as TypedTransaction
  } catch (e) {
    if (host.errors.isChainError(e)) throw e
    return fail((e as Error).message.split("\n")[0]!.slice(0, 200))
  }
  if (tx.gasLimit > BigInt(Number.MAX_SAFE_INTEGER)) fail(`gas limit ${tx.gasLimit} is too large`)
  let sender: string
  try {
    sender = tx.getSenderAddress().toString().slice(2).toLowerCase()
  } catch (e) {
    return fail(`invalid signature: ${(e as Error).message.split("\n")[0]}`)
  }
  const out: EthTx = {
    raw: bytes, hash, type: tx.type as 0 | 1 | 2, chainId: chainId!, sender,
    ...(tx.to ? { to: tx.to.toString().slice(2).toLowerCase() } : {}),
    nonce: tx.nonce, gasLimit: tx.gasLimit, tx
  }
  if (cache.size >= 4096) cache.clear()
  cache.set(key, out)
  return out
}
