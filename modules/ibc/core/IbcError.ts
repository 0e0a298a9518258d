/**
 * IBC core's chain errors with ibc-go v8's codespaces, codes and texts, so a relayer or client sees
 * the same `codespace`/`code` as from an ibc-go chain. A log is ibc-go's wrapped text:
 * `<detail>: <registered text>` (errorsmod.Wrap); build it with {@link ibcLog}.
 *
 * Codespaces: "client" (02-client), "connection" (03-connection), "channel" (04-channel),
 * "port" (05-port), "commitment" (23-commitment), "host" (24-host), "ibc" (core/errors).
 *
 * Source: ibc-go v8.8.0 modules/core/02-client/types/errors.go, 03-connection/types/errors.go,
 * 04-channel/types/errors.go, 05-port/types/errors.go, 23-commitment/types/errors.go,
 * 24-host/errors.go, core/errors/errors.go.
 */
import { chainErrorClass } from "../../../chain/ChainError.ts"

/** `<detail>: <text>`, as errorsmod.Wrap(err, detail) prints. */
export const ibcLog = (detail: string, text: string): string => (detail === "" ? text : `${detail}: ${text}`)

// 02-client (codespace "client")
/** 02-client 2: "light client already exists". */
export class ClientExists extends chainErrorClass("ClientExists", "client", 2) {}
/** 02-client 3: "light client is invalid". */
export class InvalidClient extends chainErrorClass("InvalidClient", "client", 3) {}
/** 02-client 4: "light client not found". */
export class ClientNotFound extends chainErrorClass("ClientNotFound", "client", 4) {}
/** 02-client 5: "light client is frozen due to misbehaviour". */
export class ClientFrozen extends chainErrorClass("ClientFrozen", "client", 5) {}
/** 02-client 7: "consensus state not found". */
export class ConsensusStateNotFound extends chainErrorClass("ConsensusStateNotFound", "client", 7) {}
/** 02-client 8: "invalid consensus state". */
export class InvalidConsensus extends chainErrorClass("InvalidConsensus", "client", 8) {}
/** 02-client 9: "client type not found". */
export class ClientTypeNotFound extends chainErrorClass("ClientTypeNotFound", "client", 9) {}
/** 02-client 10: "invalid client type". */
export class InvalidClientType extends chainErrorClass("InvalidClientType", "client", 10) {}
/** 02-client 12: "invalid client header". */
export class InvalidHeader extends chainErrorClass("InvalidHeader", "client", 12) {}
/** 02-client 13: "invalid light client misbehaviour". */
export class InvalidMisbehaviour extends chainErrorClass("InvalidMisbehaviour", "client", 13) {}
/** 02-client 26: "invalid height". */
export class InvalidClientHeight extends chainErrorClass("InvalidClientHeight", "client", 26) {}
/** 02-client 29: "client state is not active". */
export class ClientNotActive extends chainErrorClass("ClientNotActive", "client", 29) {}
/** 02-client 30: "membership verification failed". */
export class FailedMembershipVerification extends chainErrorClass("FailedMembershipVerification", "client", 30) {}
/** 02-client 31: "non-membership verification failed". */
export class FailedNonMembershipVerification extends chainErrorClass("FailedNonMembershipVerification", "client", 31) {}
/** 02-client 33: "client type not supported". */
export class ClientTypeNotSupported extends chainErrorClass("ClientTypeNotSupported", "client", 33) {}

// 03-connection (codespace "connection")
/** 03-connection 2: "connection already exists". */
export class ConnectionExists extends chainErrorClass("ConnectionExists", "connection", 2) {}
/** 03-connection 3: "connection not found". */
export class ConnectionNotFound extends chainErrorClass("ConnectionNotFound", "connection", 3) {}
/** 03-connection 4: "light client connection paths not found". */
export class ClientConnectionPathsNotFound extends chainErrorClass("ClientConnectionPathsNotFound", "connection", 4) {}
/** 03-connection 6: "invalid connection state". */
export class InvalidConnectionState extends chainErrorClass("InvalidConnectionState", "connection", 6) {}
/** 03-connection 7: "invalid counterparty connection". */
export class InvalidConnectionCounterparty extends chainErrorClass("InvalidConnectionCounterparty", "connection", 7) {}
/** 03-connection 8: "invalid connection". */
export class InvalidConnection extends chainErrorClass("InvalidConnection", "connection", 8) {}
/** 03-connection 9: "invalid connection version". */
export class InvalidConnectionVersion extends chainErrorClass("InvalidConnectionVersion", "connection", 9) {}
/** 03-connection 10: "connection version negotiation failed". */
export class VersionNegotiationFailed extends chainErrorClass("VersionNegotiationFailed", "connection", 10) {}
/** 03-connection 11: "invalid connection identifier". */
export class InvalidConnectionIdentifier extends chainErrorClass("InvalidConnectionIdentifier", "connection", 11) {}

// 04-channel (codespace "channel")
/** 04-channel 2: "channel already exists". */
export class ChannelExists extends chainErrorClass("ChannelExists", "channel", 2) {}
/** 04-channel 3: "channel not found". */
export class ChannelNotFound extends chainErrorClass("ChannelNotFound", "channel", 3) {}
/** 04-channel 4: "invalid channel". */
export class InvalidChannel extends chainErrorClass("InvalidChannel", "channel", 4) {}
/** 04-channel 5: "invalid channel state". */
export class InvalidChannelState extends chainErrorClass("InvalidChannelState", "channel", 5) {}
/** 04-channel 6: "invalid channel ordering". */
export class InvalidChannelOrdering extends chainErrorClass("InvalidChannelOrdering", "channel", 6) {}
/** 04-channel 7: "invalid counterparty channel". */
export class InvalidChannelCounterparty extends chainErrorClass("InvalidChannelCounterparty", "channel", 7) {}
/** 04-channel 9: "channel capability not found" (the caller does not own the port). */
export class ChannelCapabilityNotFound extends chainErrorClass("ChannelCapabilityNotFound", "channel", 9) {}
/** 04-channel 10: "sequence send not found". */
export class SequenceSendNotFound extends chainErrorClass("SequenceSendNotFound", "channel", 10) {}
/** 04-channel 11: "sequence receive not found". */
export class SequenceReceiveNotFound extends chainErrorClass("SequenceReceiveNotFound", "channel", 11) {}
/** 04-channel 12: "sequence acknowledgement not found". */
export class SequenceAckNotFound extends chainErrorClass("SequenceAckNotFound", "channel", 12) {}
/** 04-channel 13: "invalid packet". */
export class InvalidPacket extends chainErrorClass("InvalidPacket", "channel", 13) {}
/** 04-channel 15: "too many connection hops". */
export class TooManyConnectionHops extends chainErrorClass("TooManyConnectionHops", "channel", 15) {}
/** 04-channel 16: "invalid acknowledgement". */
export class InvalidAcknowledgement extends chainErrorClass("InvalidAcknowledgement", "channel", 16) {}
/** 04-channel 17: "acknowledgement for packet already exists". */
export class AcknowledgementExists extends chainErrorClass("AcknowledgementExists", "channel", 17) {}
/** 04-channel 18: "invalid channel identifier". */
export class InvalidChannelIdentifier extends chainErrorClass("InvalidChannelIdentifier", "channel", 18) {}
/** 04-channel 19: "packet already received". */
export class PacketReceived extends chainErrorClass("PacketReceived", "channel", 19) {}
/** 04-channel 20: "packet commitment not found". */
export class PacketCommitmentNotFound extends chainErrorClass("PacketCommitmentNotFound", "channel", 20) {}
/** 04-channel 21: "packet sequence is out of order". */
export class PacketSequenceOutOfOrder extends chainErrorClass("PacketSequenceOutOfOrder", "channel", 21) {}
/** 04-channel 23: "message is redundant, no-op will be performed" (internal: core turns it into result NOOP). */
export class NoOpMsg extends chainErrorClass("NoOpMsg", "channel", 23) {}
/** 04-channel 24: "invalid channel version". */
export class InvalidChannelVersion extends chainErrorClass("InvalidChannelVersion", "channel", 24) {}
/** 04-channel 26: "invalid packet timeout". */
export class InvalidTimeout extends chainErrorClass("InvalidTimeout", "channel", 26) {}
/** 04-channel 39: "timeout not reached". */
export class TimeoutNotReached extends chainErrorClass("TimeoutNotReached", "channel", 39) {}
/** 04-channel 40: "timeout elapsed". */
export class TimeoutElapsed extends chainErrorClass("TimeoutElapsed", "channel", 40) {}

// 05-port (codespace "port")
/** 05-port 2: "port is already binded". */
export class PortExists extends chainErrorClass("PortExists", "port", 2) {}
/** 05-port 3: "port not found". */
export class PortNotFound extends chainErrorClass("PortNotFound", "port", 3) {}
/** 05-port 4: "invalid port". */
export class InvalidPort extends chainErrorClass("InvalidPort", "port", 4) {}
/** 05-port 5: "route not found". */
export class InvalidRoute extends chainErrorClass("InvalidRoute", "port", 5) {}

// 23-commitment (codespace "commitment")
/** 23-commitment 2: "invalid proof". */
export class InvalidProof extends chainErrorClass("InvalidProof", "commitment", 2) {}
/** 23-commitment 3: "invalid prefix". */
export class InvalidPrefix extends chainErrorClass("InvalidPrefix", "commitment", 3) {}

// 24-host (codespace "host")
/** 24-host 2: "invalid identifier". */
export class InvalidIdentifier extends chainErrorClass("InvalidIdentifier", "host", 2) {}
/** 24-host 3: "invalid path". */
export class InvalidPath extends chainErrorClass("InvalidPath", "host", 3) {}

// core/errors (codespace "ibc")
/** ibc 1: "invalid sequence". */
export class IbcInvalidSequence extends chainErrorClass("IbcInvalidSequence", "ibc", 1) {}
/** ibc 2: "unauthorized". */
export class IbcUnauthorized extends chainErrorClass("IbcUnauthorized", "ibc", 2) {}
/** ibc 5: "invalid address". */
export class IbcInvalidAddress extends chainErrorClass("IbcInvalidAddress", "ibc", 5) {}
/** ibc 8: "invalid request". */
export class IbcInvalidRequest extends chainErrorClass("IbcInvalidRequest", "ibc", 8) {}
/** ibc 9: "invalid height". */
export class IbcInvalidHeight extends chainErrorClass("IbcInvalidHeight", "ibc", 9) {}
/** ibc 10: "invalid version". */
export class IbcInvalidVersion extends chainErrorClass("IbcInvalidVersion", "ibc", 10) {}
/** ibc 12: "invalid type". */
export class IbcInvalidType extends chainErrorClass("IbcInvalidType", "ibc", 12) {}
/** ibc 16: "not found". */
export class IbcNotFound extends chainErrorClass("IbcNotFound", "ibc", 16) {}
