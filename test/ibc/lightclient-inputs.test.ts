/**
 * Hostile input to the 07-tendermint client: malformed Anys, validator sets and commits are each
 * refused with a chain error (codespace, code, ibc-go's/CometBFT's text), never a crash, and the
 * client store is unchanged.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { ClientState, ConsensusState, Header, Misbehaviour } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import { BlockIDFlag, type ValidatorSet } from "cosmjs-types/tendermint/types/validator"
import { sdkSpecs } from "../../modules/ibc/commitment/MerkleProof.ts"
import { TypeUrl } from "../../modules/ibc/lightclients/tendermint/ClientState.ts"
import { clientStateAny, consensusStateAny, headerAny, tendermintClient as tm } from "../../modules/ibc/lightclients/tendermint/TendermintClient.ts"
import { forgeCommit, HOUR, host, key, MemClientStore, SEC, synthHeader, toValidators } from "./lightclient-support.ts"

const keys = [key(21), key(22), key(23)]
const vals = toValidators(keys, 10n, 10n)
const T0 = 1_800_000_000n * SEC
const CHAIN = "hostile-1"

const setup = () => {
  const h1 = synthHeader(CHAIN, 1n, T0, vals, vals)
  const store = new MemClientStore()
  tm.initialize(store, host(1n, T0), clientStateAny(ClientState.fromPartial({
    chainId: CHAIN, trustLevel: { numerator: 1n, denominator: 3n }, trustingPeriod: { seconds: 3600n, nanos: 0 },
    unbondingPeriod: { seconds: 7200n, nanos: 0 }, maxClockDrift: { seconds: 10n, nanos: 0 },
    latestHeight: { revisionNumber: 1n, revisionHeight: 1n }, proofSpecs: sdkSpecs()
  })), consensusStateAny(ConsensusState.fromPartial({ timestamp: h1.time, root: { hash: h1.appHash }, nextValidatorsHash: h1.nextValidatorsHash })))
  return store
}

const good = (height = 2n): Header => {
  const header = synthHeader(CHAIN, height, T0 + height * SEC, vals, vals)
  return { signedHeader: { header, commit: forgeCommit(CHAIN, header, vals, keys) }, validatorSet: vals, trustedHeight: { revisionNumber: 1n, revisionHeight: 1n }, trustedValidators: vals }
}

/** Runs an update; returns "<codespace>/<code> <log>" of the refusal and checks the store is unchanged. */
const refusal = (msg: { typeUrl: string; value: Uint8Array }): string => {
  const store = setup()
  const before = store.snapshot()
  try {
    tm.verifyClientMessage(store, host(2n, T0 + HOUR / 2n), msg)
  } catch (e) {
    const c = e as { codespace?: string; code?: number; log?: string }
    assert.type(c.codespace, "string", `a chain error, got ${String(e)}`)
    assert.is(store.snapshot(), before)
    return `${c.codespace}/${c.code} ${c.log}`
  }
  throw new Error("accepted")
}

const test = suite("07-tendermint hostile input")

test("the well-formed header passes (control)", () => {
  tm.verifyClientMessage(setup(), host(2n, T0 + HOUR / 2n), headerAny(good()))
})

test("Anys: garbage bytes, an unknown type", () => {
  assert.match(refusal({ typeUrl: TypeUrl.header, value: Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0x0f) }), /^ibc\/14 cannot decode Header from Any/)
  assert.is(refusal({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: new Uint8Array(0) }), "client/10 invalid client type")
  assert.is(refusal({ typeUrl: TypeUrl.header, value: new Uint8Array(0) }), "client/12 tendermint signed header cannot be nil: invalid client header")
})

const withVals = (v: ValidatorSet): Header => {
  const h = good()
  return { ...h, validatorSet: v, signedHeader: { ...h.signedHeader!, header: { ...h.signedHeader!.header!, validatorsHash: h.signedHeader!.header!.validatorsHash } } }
}
const V = "undefined/1 validator set is not tendermint validator set: "

test("validator sets: empty, wrong address, proposer missing or outside, secp256k1, negative power, total overflow", () => {
  assert.is(refusal(headerAny(withVals({ validators: [], proposer: vals.validators[0], totalVotingPower: 0n }))), `${V}validator set is nil or empty`)
  const badAddr = { ...vals.validators[1]!, address: new Uint8Array(20).fill(1) }
  assert.match(refusal(headerAny(withVals({ ...vals, validators: [vals.validators[0]!, badAddr, vals.validators[2]!] }))),
    /^undefined\/1 validator set is not tendermint validator set: invalid validator #1: validator address is incorrectly derived from pubkey\. Exp: [0-9A-F]{40}, got (01){20}$/)
  const noProposer: ValidatorSet = { validators: vals.validators, totalVotingPower: 60n }
  assert.is(refusal(headerAny(withVals(noProposer))), `${V}fromProto: validatorSet proposer error: nil validator`)
  assert.is(refusal(headerAny(withVals({ ...vals, proposer: { ...vals.validators[0]!, address: key(99).address, pubKey: { ed25519: key(99).pub } } }))), `${V}proposer not in validator set`)
  const secp = { ...vals.validators[0]!, pubKey: { secp256k1: new Uint8Array(33).fill(2) } }
  assert.match(refusal(headerAny(withVals({ ...vals, validators: [secp, ...vals.validators.slice(1)] }))), /^undefined\/1 validator set is not tendermint validator set: fromproto: key type secp256k1 is not supported/)
  const neg = { ...vals.validators[0]!, votingPower: -5n }
  assert.is(refusal(headerAny(withVals({ ...vals, validators: [neg, ...vals.validators.slice(1)] }))), `${V}invalid validator #0: validator has negative voting power`)
  const huge = vals.validators.map((v) => ({ ...v, votingPower: (1n << 62n) }))
  assert.match(refusal(headerAny(withVals({ ...vals, validators: huge }))), /^undefined\/1 validator set is not tendermint validator set: Total voting power should be guarded to not exceed 1152921504606846975; got: /)
  const short = { ...vals.validators[0]!, pubKey: { ed25519: new Uint8Array(31) } }
  assert.is(refusal(headerAny(withVals({ ...vals, validators: [short] }))), `${V}invalid size for PubKeyEd25519. Got 31, expected 32`)
})

test("commits: signature count, absent flag with a signature, unknown flag, wrong height, no signatures, oversize signature", () => {
  const h = good()
  const c = h.signedHeader!.commit!
  const withCommit = (commit: typeof c): Header => ({ ...h, signedHeader: { header: h.signedHeader!.header, commit } })
  assert.is(refusal(headerAny(withCommit({ ...c, signatures: c.signatures.slice(0, 2) }))), "undefined/1 failed to verify header: invalid header: Invalid commit -- wrong set size: 3 vs 2")
  const absentWithSig = { blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_ABSENT, validatorAddress: new Uint8Array(0), timestamp: { seconds: -62_135_596_800n, nanos: 0 }, signature: new Uint8Array(64) }
  assert.is(refusal(headerAny(withCommit({ ...c, signatures: [c.signatures[0]!, absentWithSig, c.signatures[2]!] }))), "undefined/1 header is not a tendermint header: signature is present")
  assert.is(refusal(headerAny(withCommit({ ...c, signatures: [{ ...c.signatures[0]!, blockIdFlag: 7 as BlockIDFlag }, ...c.signatures.slice(1)] }))), "undefined/1 header is not a tendermint header: unknown BlockIDFlag: 7")
  assert.is(refusal(headerAny(withCommit({ ...c, height: 3n }))), "undefined/1 header failed basic validation: header and commit height mismatch: 2 vs 3")
  assert.is(refusal(headerAny(withCommit({ ...c, signatures: [] }))), "undefined/1 header is not a tendermint header: no signatures in commit")
  assert.is(refusal(headerAny(withCommit({ ...c, signatures: [{ ...c.signatures[0]!, signature: new Uint8Array(65) }, ...c.signatures.slice(1)] }))), "undefined/1 header is not a tendermint header: signature is too big (max: 64)")
  assert.match(refusal(headerAny(withCommit({ ...c, blockId: { ...c.blockId, hash: new Uint8Array(32).fill(1) } }))), /^undefined\/1 header failed basic validation: commit signs block 0101[0-9A-F]{60}, header is block [0-9A-F]{64}$/)
})

test("headers: wrong block protocol, proposer address size, bad hash sizes", () => {
  const h = good()
  const withHeader = (change: object): Header => {
    const header = { ...h.signedHeader!.header!, ...change }
    return { ...h, signedHeader: { header, commit: forgeCommit(CHAIN, header, vals, keys) } }
  }
  assert.is(refusal(headerAny(withHeader({ version: { block: 10n, app: 0n } }))), "undefined/1 header is not a tendermint header: block protocol is incorrect: got: 10, want: 11 ")
  assert.is(refusal(headerAny(withHeader({ proposerAddress: new Uint8Array(19) }))), "undefined/1 header is not a tendermint header: invalid ProposerAddress length; got: 19, expected: 20")
  assert.is(refusal(headerAny(withHeader({ dataHash: new Uint8Array(31) }))), "undefined/1 header is not a tendermint header: wrong DataHash: expected size to be 32 bytes, got 31 bytes")
  assert.is(refusal(headerAny(withHeader({ lastBlockId: { hash: new Uint8Array(3), partSetHeader: { total: 0, hash: new Uint8Array(0) } } }))), "undefined/1 header is not a tendermint header: wrong Hash")
  assert.is(refusal(headerAny(withHeader({ height: 0n }))), "undefined/1 header is not a tendermint header: zero Height")
})

test("misbehaviour input: missing headers, bad client id, header 2 above header 1", () => {
  const m = (x: object) => ({ typeUrl: TypeUrl.misbehaviour, value: Misbehaviour.encode(Misbehaviour.fromPartial(x)).finish() })
  assert.is(refusal(m({ clientId: "07-tendermint-0" })), "07-tendermint/6 misbehaviour Header1 cannot be nil: invalid header")
  assert.is(refusal(m({ clientId: "bad/id", header1: good(), header2: good() })), "host/2 misbehaviour client ID is invalid: identifier bad/id cannot contain separator '/': invalid identifier")
  assert.is(refusal(m({ clientId: "07-tendermint-0", header1: good(2n), header2: good(3n) })), "client/13 Header1 height is less than Header2 height (1-2 < 1-3): invalid light client misbehaviour")
  assert.is(refusal(m({ clientId: "07-tendermint-0", header1: { ...good(), trustedValidators: undefined }, header2: good() })), "07-tendermint/14 trusted validator set in Header1 cannot be empty: invalid validator set")
})

test.run()
