/**
 * IBC core's pure parts against published vectors: ICS-24 identifier validation and parsing
 * (ibc-go v8.8.0 24-host/validate_test.go, 24-host/parse_test.go, 02-client/types/keys_test.go,
 * 02-client/types/height_test.go TestParseChainID and TestCompareHeights), ICS-24 paths, and the
 * packet / acknowledgement commitments. ibc-go's own tests assert no fixed v1 commitment bytes, so
 * the commitment vectors are ibc-rs's (ibc-core-channel-types commitment.rs
 * test_compute_packet_commitment / test_compute_ack_commitment) and ibc-starknet's
 * (core/src/tests/commitment.cairo: the ICS-20 success ack `{"result":"AQ=="}`), both
 * implementations of ibc-go's CommitPacket / CommitAcknowledgement.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { isChainError } from "../../chain/ChainError.ts"
import { compareHeight, revisionOf } from "../../modules/ibc/core/Height.ts"
import {
  channelPath, clientStatePath, clientTypeOf, connectionPath, fullConsensusStatePath, nextSequenceRecvPath, packetAckPath,
  packetCommitmentPath, packetReceiptPath, parseIdentifier, validateChannelId, validateClientId, validateConnectionId, validatePortId
} from "../../modules/ibc/core/Host.ts"
import { ackMarshalsCanonically, errorAcknowledgement } from "../../modules/ibc/core/internal/AckJson.ts"
import { commitAcknowledgement, commitPacket } from "../../modules/ibc/core/PacketCommitment.ts"

const enc = new TextEncoder()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const MAX = 18446744073709551615n

const outcome = (f: () => unknown): string => {
  try {
    f()
    return "ok"
  } catch (e) {
    if (!isChainError(e)) throw e
    return `${e.codespace}/${e.code}`
  }
}

test("identifier validators: ibc-go validate_test.go cases (host 2 on refusal)", () => {
  const cases: Array<[string, boolean]> = [
    ["lowercaseid", true], ["._+-#[]<>._+-#[]<>", true], ["lower._+-#[]<>", true], ["1234567890", true], ["NOTLOWERCASE", true],
    ["               ", false], ["1", false], ["this identifier is too long to be used as a valid identifier", false], ["lower/case/id", false],
    ["(clientid)", false], ["", false]
  ]
  for (const [id, valid] of cases) {
    assert.is(outcome(() => validateClientId(id)), valid ? "ok" : "host/2", `client id ${JSON.stringify(id)}`)
    assert.is(outcome(() => validateConnectionId(id)), valid ? "ok" : "host/2", `connection id ${JSON.stringify(id)}`)
    assert.is(outcome(() => validateChannelId(id)), valid ? "ok" : "host/2", `channel id ${JSON.stringify(id)}`)
  }
  assert.is(outcome(() => validatePortId("transfer")), "ok")
  assert.is(outcome(() => validatePortId("a".repeat(128))), "ok")
  assert.is(outcome(() => validatePortId("a".repeat(129))), "host/2")
  assert.is(outcome(() => validateChannelId("channel")), "host/2", "channel ids have at least 8 characters")
  assert.is(outcome(() => validateClientId("a".repeat(65))), "host/2")
})

test("ParseClientIdentifier: ibc-go keys_test.go cases", () => {
  const ok: Array<[string, string]> = [["tendermint-0", "tendermint"], ["tendermint-1", "tendermint"], ["solomachine-v1-1", "solomachine-v1"], [`tendermint-${MAX}`, "tendermint"], ["t-0", "t"], ["07-tendermint-12", "07-tendermint"]]
  for (const [id, type] of ok) assert.is(clientTypeOf(id), type, id)
  const bad = ["tendermint-18446744073709551616", "tendermint-2345682193567182931243", "tendermin\nt-1", "tendermint\n-1", "tendermint0", "               ", "", "tendermint--1",
    "tendermint-tm", " -100", "a\t\t\t-100", "\t\t\ta-100", "                  a-100", "-----a-100", "tendermint/-100", "世界-100"]
  for (const id of bad) assert.is(outcome(() => clientTypeOf(id)), "host/2", JSON.stringify(id))
})

test("ParseIdentifier (connection-N): ibc-go parse_test.go cases", () => {
  assert.is(parseIdentifier("connection-0", "connection-"), 0n)
  assert.is(parseIdentifier("connection-1", "connection-"), 1n)
  assert.is(parseIdentifier(`connection-${MAX}`, "connection-"), MAX)
  for (const [id, prefix] of [["connection-18446744073709551616", "connection-"], ["connection-2345682193567182931243", "connection-"], ["Connection-0", "connection-"],
    ["connection-connection-0", "connection-"], ["connection-0", "prefix"], ["connection0", "connection-"], ["               ", "connection-"], ["", "connection-"], ["connection--1", "connection-"]]) {
    assert.is(outcome(() => parseIdentifier(id!, prefix!)), "host/2", `${id} / ${prefix}`)
  }
})

test("ParseChainID (revision number) and height order: ibc-go height_test.go cases", () => {
  const cases: Array<[string, bigint]> = [
    ["gaiamainnet-3", 3n], ["a-1", 1n], ["gaia-mainnet-40", 40n], ["gaiamainnet-3-39", 39n], ["gaiamainnet--", 0n], ["gaiamainnet-03", 0n], ["gaiamainnet--4", 0n],
    ["gaiamainnet-3.4", 0n], ["gaiamainnet", 0n], ["gaiamain\nnet-1", 0n], ["gaiamainnet-1\n", 0n], ["gaiamainnet\n-3", 0n], ["a--1", 0n], ["-1", 0n], ["--1", 0n]
  ]
  for (const [id, rev] of cases) assert.is(revisionOf(id), rev, JSON.stringify(id))
  const h = (n: bigint, m: bigint) => ({ revisionNumber: n, revisionHeight: m })
  assert.is(compareHeight(h(1n, 3n), h(3n, 4n)), -1)
  assert.is(compareHeight(h(7n, 5n), h(4n, 5n)), 1)
  assert.is(compareHeight(h(3n, 4n), h(3n, 9n)), -1)
  assert.is(compareHeight(h(3n, 8n), h(3n, 3n)), 1)
  assert.is(compareHeight(h(MAX, 1n), h(0n, 1n)), 1)
  assert.is(compareHeight(h(1n, MAX), h(1n, 0n)), 1)
  assert.is(compareHeight(h(4n, 4n), h(4n, 4n)), 0)
})

test("ICS-24 paths as ibc-go writes them", () => {
  assert.is(clientStatePath("07-tendermint-0"), "clients/07-tendermint-0/clientState")
  assert.is(fullConsensusStatePath("07-tendermint-0", { revisionNumber: 1n, revisionHeight: 15n }), "clients/07-tendermint-0/consensusStates/1-15")
  assert.is(connectionPath("connection-0"), "connections/connection-0")
  assert.is(channelPath("transfer", "channel-0"), "channelEnds/ports/transfer/channels/channel-0")
  assert.is(nextSequenceRecvPath("transfer", "channel-0"), "nextSequenceRecv/ports/transfer/channels/channel-0")
  assert.is(packetCommitmentPath("transfer", "channel-0", 1n), "commitments/ports/transfer/channels/channel-0/sequences/1")
  assert.is(packetAckPath("transfer", "channel-0", 7n), "acks/ports/transfer/channels/channel-0/sequences/7")
  assert.is(packetReceiptPath("transfer", "channel-0", 12n), "receipts/ports/transfer/channels/channel-0/sequences/12")
})

test("packet commitment: ibc-rs vector (data \"packet data\", timeout height 42-24, timeout timestamp 0x42)", () => {
  const c = commitPacket({ data: enc.encode("packet data"), timeoutHeight: { revisionNumber: 42n, revisionHeight: 24n }, timeoutTimestamp: 0x42n })
  assert.is(hex(c), "a928b51f62bd540091ec451f4ef345794f059e65910816866126dc364f84cc15")
  // every field is committed
  assert.is.not(hex(commitPacket({ data: enc.encode("packet data"), timeoutHeight: { revisionNumber: 42n, revisionHeight: 25n }, timeoutTimestamp: 0x42n })), hex(c))
  assert.is.not(hex(commitPacket({ data: enc.encode("packet data"), timeoutHeight: { revisionNumber: 42n, revisionHeight: 24n }, timeoutTimestamp: 0x43n })), hex(c))
  assert.is.not(hex(commitPacket({ data: enc.encode("packet datb"), timeoutHeight: { revisionNumber: 42n, revisionHeight: 24n }, timeoutTimestamp: 0x42n })), hex(c))
})

test("acknowledgement commitment: ibc-rs vector ([0,1,2,3]) and ibc-starknet's ICS-20 success ack", () => {
  assert.is(hex(commitAcknowledgement(Uint8Array.of(0, 1, 2, 3))), "054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8")
  const words = [150427006, 3575129854, 416826642, 3206868085, 2022319, 555983991, 3748831401, 4083419772]
  const expected = words.map((w) => w.toString(16).padStart(8, "0")).join("")
  assert.is(hex(commitAcknowledgement(enc.encode('{"result":"AQ=="}'))), expected)
})

test("acknowledgement JSON: ibc-go's error ack text; AcknowledgePacket's canonical-marshalling check", () => {
  assert.is(new TextDecoder().decode(errorAcknowledgement(18)), '{"error":"ABCI code: 18: error handling packet: see events for details"}')
  const ok = ['{"result":"AQ=="}', '{"error":"a\\u003cb"}', '{"error":"x\\ny"}', "{}", "not json", '{"foo":1}', '"str"', '{"result":"AQ="}']
  const bad = ['{"result": "AQ=="}', '{"error":"a<b"}', '{"result":"AR=="}']
  for (const s of ok) assert.ok(ackMarshalsCanonically(enc.encode(s)), s)
  for (const s of bad) assert.not.ok(ackMarshalsCanonically(enc.encode(s)), s)
})

test.run()
