/**
 * The libp2p identity of a node is its node key (`<home>/config/node_key.json`, ed25519): the
 * peer id Noise authenticates is derived from the same 32-byte public key the node registers as
 * `~net-key` in the names machine, so a peer's key can be compared with the chain's.
 *
 * Source: libp2p peer-id spec (ed25519 peer ids are the identity multihash of the protobuf public
 * key); @libp2p/crypto `privateKeyFromRaw` (64 bytes: seed || public key).
 */
import { privateKeyFromRaw, publicKeyFromRaw } from "@libp2p/crypto/keys"
import { peerIdFromPublicKey } from "@libp2p/peer-id"
import type { PeerId } from "./Libp2pTypes.ts"
import type { Ed25519Key } from "../home/ValidatorKey.ts"

/** The libp2p private key of a node key (seed || public key). */
export const libp2pPrivateKey = (key: Ed25519Key): ReturnType<typeof privateKeyFromRaw> => {
  const raw = new Uint8Array(64)
  raw.set(key.seed, 0)
  raw.set(key.pubkey, 32)
  return privateKeyFromRaw(raw)
}

/**
 * The peer id of a 32-byte ed25519 public key (a `~net-key`). Throws when `netKey` is not 32
 * bytes or not a valid ed25519 point encoding.
 */
export const peerIdOfNetKey = (netKey: Uint8Array): PeerId => {
  if (netKey.length !== 32) throw new Error(`~net-key must be 32 bytes (ed25519 public key), got ${netKey.length}`)
  return peerIdFromPublicKey(publicKeyFromRaw(netKey)) as unknown as PeerId
}

/** The 32-byte ed25519 public key a peer id carries, or undefined for other key types. */
export const netKeyOfPeerId = (peerId: PeerId): Uint8Array | undefined =>
  peerId.type === "Ed25519" && peerId.publicKey ? peerId.publicKey.raw : undefined
