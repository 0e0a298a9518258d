/**
 * What 04-channel commits to the store for a packet: the packet commitment (on send), the
 * acknowledgement commitment (on write ack) and the receipt (unordered receive).
 *
 * Packet commitment = sha256(timeout_timestamp BE8 || timeout revision_number BE8 ||
 * timeout revision_height BE8 || sha256(data)); ack commitment = sha256(ack bytes); receipt = the
 * single byte 0x01 (ibc-go's `[]byte{byte(1)}`).
 *
 * Source: ibc-go v8.8.0 modules/core/04-channel/types/packet.go (CommitPacket,
 * CommitAcknowledgement), 04-channel/keeper/keeper.go (SetPacketReceipt).
 */
import { sha256 } from "@noble/hashes/sha2.js"
import type { Packet } from "../PortModule.ts"
import { uint64Bytes } from "./Host.ts"

/** CommitPacket: 32 bytes. */
export const commitPacket = (packet: Pick<Packet, "timeoutTimestamp" | "timeoutHeight" | "data">): Uint8Array => {
  const buf = new Uint8Array(56)
  buf.set(uint64Bytes(packet.timeoutTimestamp), 0)
  buf.set(uint64Bytes(packet.timeoutHeight.revisionNumber), 8)
  buf.set(uint64Bytes(packet.timeoutHeight.revisionHeight), 16)
  buf.set(sha256(packet.data), 24)
  return sha256(buf)
}

/** CommitAcknowledgement: sha256 of the acknowledgement bytes (32 bytes). */
export const commitAcknowledgement = (ack: Uint8Array): Uint8Array => sha256(ack)

/** The value of a packet receipt. */
export const RECEIPT: Uint8Array = Uint8Array.of(1)
