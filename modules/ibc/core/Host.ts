/**
 * ICS-24 host: identifier validation and the store paths of IBC state, exactly as ibc-go writes
 * them (raw UTF-8 keys in the `ibc` namespace, so proofs carry the same keys a counterparty
 * expects under commitment prefix `ibc`), plus the identifier generators' sequence keys.
 *
 * Errors: {@link InvalidIdentifier} (host 2) with ibc-go's texts.
 *
 * Source: ibc-go v8.8.0 modules/core/24-host/validate.go, client_keys.go, connection_keys.go,
 * channel_keys.go, packet_keys.go, parse.go; 02-client/types/keys.go (KeyNextClientSequence),
 * 03-connection/types/keys.go, 04-channel/types/keys.go.
 */
import { ibcLog, InvalidIdentifier } from "./IbcError.ts"
import type { Height } from "../LightClient.ts"
import { heightString } from "./Height.ts"

const ID_CHARS = /^[a-zA-Z0-9._+\-#[\]<>]+$/
const INVALID_ID = "invalid identifier"

const validateIdentifier = (id: string, min: number, max: number): void => {
  if (id.trim() === "") throw new InvalidIdentifier({ log: ibcLog("identifier cannot be blank", INVALID_ID) })
  if (id.includes("/")) throw new InvalidIdentifier({ log: ibcLog(`identifier ${id.slice(0, 200)} cannot contain separator '/'`, INVALID_ID) })
  if (id.length < min || id.length > max) {
    throw new InvalidIdentifier({ log: ibcLog(`identifier ${id.slice(0, 200)} has invalid length: ${id.length}, must be between ${min}-${max} characters`, INVALID_ID) })
  }
  if (!ID_CHARS.test(id)) {
    throw new InvalidIdentifier({ log: ibcLog(`identifier ${id.slice(0, 200)} must contain only alphanumeric or the following characters: '.', '_', '+', '-', '#', '[', ']', '<', '>'`, INVALID_ID) })
  }
}

/** ClientIdentifierValidator: 9..64 characters of the ICS-24 alphabet. Throws InvalidIdentifier. */
export const validateClientId = (id: string): void => validateIdentifier(id, 9, 64)
/** ConnectionIdentifierValidator: 10..64 characters. Throws InvalidIdentifier. */
export const validateConnectionId = (id: string): void => validateIdentifier(id, 10, 64)
/** ChannelIdentifierValidator: 8..64 characters. Throws InvalidIdentifier. */
export const validateChannelId = (id: string): void => validateIdentifier(id, 8, 64)
/** PortIdentifierValidator: 2..128 characters. Throws InvalidIdentifier. */
export const validatePortId = (id: string): void => validateIdentifier(id, 2, 128)

/**
 * ParseIdentifier: the sequence `N` of `<prefix>N` (`connection-3` -> 3n). Throws InvalidIdentifier
 * when the prefix is missing or N is not a uint64.
 */
export const parseIdentifier = (identifier: string, prefix: string): bigint => {
  if (!identifier.startsWith(prefix)) throw new InvalidIdentifier({ log: ibcLog(`identifier doesn't contain prefix \`${prefix}\``, INVALID_ID) })
  const rest = identifier.slice(prefix.length)
  if (!/^[0-9]{1,20}$/.test(rest) || BigInt(rest) > 0xffffffffffffffffn) {
    throw new InvalidIdentifier({ log: ibcLog(`identifier must be in format: \`${prefix}{N}\``, INVALID_ID) })
  }
  return BigInt(rest)
}

/** Client id `<clientType>-<sequence>` (ibc-go FormatClientIdentifier). */
export const formatClientId = (clientType: string, sequence: bigint): string => `${clientType}-${sequence}`
/** Connection id `connection-<sequence>`. */
export const formatConnectionId = (sequence: bigint): string => `connection-${sequence}`
/** Channel id `channel-<sequence>`. */
export const formatChannelId = (sequence: bigint): string => `channel-${sequence}`

const CLIENT_ID_FORMAT = /^\w+([\w-]+\w)?-[0-9]{1,20}$/

/**
 * The client type of a client id `<type>-<n>` (ibc-go ParseClientIdentifier: format
 * `^\w+([\w-]+\w)?-[0-9]{1,20}$`, type = text before the last `-`, n a uint64). Throws InvalidIdentifier.
 */
export const clientTypeOf = (clientId: string): string => {
  if (!CLIENT_ID_FORMAT.test(clientId)) {
    throw new InvalidIdentifier({ log: ibcLog(`invalid client identifier ${clientId.slice(0, 200)} is not in format: \`{client-type}-{N}\``, INVALID_ID) })
  }
  const i = clientId.lastIndexOf("-")
  if (BigInt(clientId.slice(i + 1)) > 0xffffffffffffffffn) throw new InvalidIdentifier({ log: ibcLog("failed to parse client identifier sequence", INVALID_ID) })
  return clientId.slice(0, i)
}

/** Counter keys of the identifier generators (values: uint64 big endian). */
export const NEXT_CLIENT_SEQUENCE = "nextClientSequence"
export const NEXT_CONNECTION_SEQUENCE = "nextConnectionSequence"
export const NEXT_CHANNEL_SEQUENCE = "nextChannelSequence"

const portChannel = (portId: string, channelId: string): string => `ports/${portId}/channels/${channelId}`

/** `clients/<id>/<path>`: a key of a client's own store. */
export const fullClientPath = (clientId: string, path: string): string => `clients/${clientId}/${path}`
/** `clients/<id>/clientState`. */
export const clientStatePath = (clientId: string): string => fullClientPath(clientId, "clientState")
/** `consensusStates/<rev>-<height>` relative to the client store. */
export const consensusStatePath = (height: Height): string => `consensusStates/${heightString(height)}`
/** `clients/<id>/consensusStates/<rev>-<height>`. */
export const fullConsensusStatePath = (clientId: string, height: Height): string => fullClientPath(clientId, consensusStatePath(height))
/** `clients/<id>/connections`: the connection ids of a client (ClientPaths). */
export const clientConnectionsPath = (clientId: string): string => fullClientPath(clientId, "connections")
/** `connections/<id>`. */
export const connectionPath = (connectionId: string): string => `connections/${connectionId}`
/** `channelEnds/ports/<port>/channels/<channel>`. */
export const channelPath = (portId: string, channelId: string): string => `channelEnds/${portChannel(portId, channelId)}`
/** `nextSequenceSend/ports/<port>/channels/<channel>`. */
export const nextSequenceSendPath = (portId: string, channelId: string): string => `nextSequenceSend/${portChannel(portId, channelId)}`
/** `nextSequenceRecv/ports/<port>/channels/<channel>`. */
export const nextSequenceRecvPath = (portId: string, channelId: string): string => `nextSequenceRecv/${portChannel(portId, channelId)}`
/** `nextSequenceAck/ports/<port>/channels/<channel>`. */
export const nextSequenceAckPath = (portId: string, channelId: string): string => `nextSequenceAck/${portChannel(portId, channelId)}`
/** `commitments/ports/<port>/channels/<channel>/sequences/` (prefix of the packet commitments). */
export const packetCommitmentPrefix = (portId: string, channelId: string): string => `commitments/${portChannel(portId, channelId)}/sequences/`
/** `commitments/ports/<port>/channels/<channel>/sequences/<seq>`. */
export const packetCommitmentPath = (portId: string, channelId: string, sequence: bigint): string => `${packetCommitmentPrefix(portId, channelId)}${sequence}`
/** `acks/ports/<port>/channels/<channel>/sequences/` (prefix of the acknowledgement commitments). */
export const packetAckPrefix = (portId: string, channelId: string): string => `acks/${portChannel(portId, channelId)}/sequences/`
/** `acks/ports/<port>/channels/<channel>/sequences/<seq>`. */
export const packetAckPath = (portId: string, channelId: string, sequence: bigint): string => `${packetAckPrefix(portId, channelId)}${sequence}`
/** `receipts/ports/<port>/channels/<channel>/sequences/` (prefix of the receipts). */
export const packetReceiptPrefix = (portId: string, channelId: string): string => `receipts/${portChannel(portId, channelId)}/sequences/`
/** `receipts/ports/<port>/channels/<channel>/sequences/<seq>`. */
export const packetReceiptPath = (portId: string, channelId: string, sequence: bigint): string => `${packetReceiptPrefix(portId, channelId)}${sequence}`

const encoder = new TextEncoder()
const decoder = new TextDecoder()
/** A path as store key bytes (UTF-8). */
export const key = (path: string): Uint8Array => encoder.encode(path)
/** Store key bytes as a path. */
export const pathOf = (k: Uint8Array): string => decoder.decode(k)

/** sdk.Uint64ToBigEndian. */
export const uint64Bytes = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, v)
  return b
}
/** sdk.BigEndianToUint64 (8 bytes; anything else reads as 0, as the SDK does for a wrong length). */
export const uint64Of = (b: Uint8Array): bigint => (b.length === 8 ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0) : 0n)
