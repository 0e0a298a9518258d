/**
 * 07-tendermint light client over headers made by our own block producer: create, adjacent and
 * non-adjacent updates, refusals with ibc-go's codes and texts that change nothing (forged
 * signature, expired trusted state, too little trusted power), misbehaviour that freezes the
 * client, expiry and pruning.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { ClientState, ConsensusState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import type { Header as TmHeader } from "cosmjs-types/tendermint/types/types"
import { headerHash } from "../../modules/consensus/CometHashing.ts"
import { sdkSpecs } from "../../modules/ibc/commitment/MerkleProof.ts"
import type { Height } from "../../modules/ibc/LightClient.ts"
import {
  clientStateAny, consensusStateAny, headerAny, misbehaviourAny, tendermintClient as tm
} from "../../modules/ibc/lightclients/tendermint/TendermintClient.ts"
import { Any } from "cosmjs-types/google/protobuf/any"
import { DAY, forgeCommit, host, key, MemClientStore, refused, SEC, startChain, valSet, type Chain } from "./lightclient-support.ts"

const GENESIS = 1_800_000_000n * SEC
const TRUSTING = DAY
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const nsOf = (h: TmHeader) => h.time.seconds * SEC + BigInt(h.time.nanos)

const clientStateFor = (chain: Chain, h: number) => ClientState.fromPartial({
  chainId: chain.chainId, trustLevel: { numerator: 1n, denominator: 3n },
  trustingPeriod: { seconds: TRUSTING / SEC, nanos: 0 }, unbondingPeriod: { seconds: (3n * DAY) / SEC, nanos: 0 },
  maxClockDrift: { seconds: 10n, nanos: 0 }, frozenHeight: { revisionNumber: 0n, revisionHeight: 0n },
  latestHeight: chain.height(h), proofSpecs: sdkSpecs(), upgradePath: ["upgrade", "upgradedIBCState"]
})

/** A client of `chain` created at block `h` (its header's time, app hash, next validators hash). */
const createClient = (chain: Chain, h: number, nowNs: bigint): MemClientStore => {
  const store = new MemClientStore()
  const header = chain.blocks.blocks.get(h)!.header
  const cons = ConsensusState.fromPartial({ timestamp: header.time, root: { hash: header.appHash }, nextValidatorsHash: header.nextValidatorsHash })
  tm.initialize(store, host(100n, nowNs), clientStateAny(clientStateFor(chain, h)), consensusStateAny(cons))
  return store
}

/** verifyClientMessage, then updateState unless misbehaviour (what 02-client's UpdateClient does). */
const update = (store: MemClientStore, nowNs: bigint, msg: ReturnType<typeof headerAny>, hostHeight = 101n): readonly Height[] | "frozen" => {
  const hc = host(hostHeight, nowNs)
  tm.verifyClientMessage(store, hc, msg)
  if (tm.checkForMisbehaviour(store, hc, msg)) {
    tm.updateStateOnMisbehaviour(store, hc, msg)
    return "frozen"
  }
  return tm.updateState(store, hc, msg)
}

const test = suite<{ a: Chain }>("07-tendermint light client")

test.before(async (ctx) => {
  ctx.a = await startChain("counter-1", GENESIS)
  await ctx.a.produceTo(14)
})
test.after(async (ctx) => { await ctx.a?.close() })

test("created from our producer's header; updated adjacent (2->3) and non-adjacent (3->10)", ({ a }) => {
  const now = a.lastTimeNs() + SEC
  const store = createClient(a, 2, now)
  assert.is(tm.status(store, host(100n, now)), "Active")
  assert.equal(tm.latestHeight(store), a.height(2))
  assert.is(tm.timestampAtHeight(store, a.height(2)), nsOf(a.blocks.blocks.get(2)!.header))

  assert.equal(update(store, now, headerAny(a.ibcHeader(3, a.height(2)))), [a.height(3)])
  assert.equal(tm.latestHeight(store), a.height(3))
  const h10 = a.ibcHeader(10, a.height(3))
  assert.equal(update(store, now, headerAny(h10), 102n), [a.height(10)])
  assert.equal(tm.latestHeight(store), a.height(10))
  const cons = ConsensusState.decode(tm.consensusState(store, a.height(10))!.value)
  assert.is(hex(cons.root.hash), hex(a.blocks.blocks.get(10)!.header.appHash))
  assert.is(hex(cons.nextValidatorsHash), hex(a.blocks.blocks.get(10)!.header.nextValidatorsHash))
  // ibc-go's metadata: processed time (8-byte big endian) and height, iteration key -> consensus state key
  assert.is(hex(store.get("consensusStates/1-10/processedTime")!), now.toString(16).padStart(16, "0"))
  assert.is(new TextDecoder().decode(store.get("consensusStates/1-10/processedHeight")), "1-102")
  const iter = "iterateConsensusStates" + "\0".repeat(7) + "\x01" + "\0".repeat(7) + "\x0a"
  assert.is(Buffer.from(store.get(iter)!).toString("latin1"), "consensusStates/1-10")
  // the stored client state is an Any of the tendermint ClientState (as ibc-go marshals it)
  assert.is(Any.decode(store.get("clientState")!).typeUrl, "/ibc.lightclients.tendermint.v1.ClientState")
  // a header already applied is a no-op update, not misbehaviour
  assert.equal(update(store, now, headerAny(a.ibcHeader(3, a.height(2)))), [a.height(3)])
})

test("a forged commit signature is refused with ibc-go's code and text; nothing changes", ({ a }) => {
  const now = a.lastTimeNs() + SEC
  const store = createClient(a, 10, now)
  const before = store.snapshot()
  const h = a.ibcHeader(11, a.height(10))
  const sig = Uint8Array.from(h.signedHeader!.commit!.signatures[0]!.signature)
  sig[5]! ^= 0x40
  h.signedHeader = { header: h.signedHeader!.header, commit: { ...h.signedHeader!.commit!, signatures: [{ ...h.signedHeader!.commit!.signatures[0]!, signature: sig }] } }
  const e = refused(() => update(store, now, headerAny(h)))
  assert.is(e.codespace, "undefined")
  assert.is(e.code, 1)
  assert.is(e.log, `failed to verify header: invalid header: wrong signature (#0): ${hex(sig).toUpperCase()}`)
  assert.is(store.snapshot(), before)
  // the same forgery non-adjacent (10 -> 12) fails on the trusted set's check first
  const h12 = a.ibcHeader(12, a.height(10))
  const c12 = h12.signedHeader!.commit!
  const s12 = Uint8Array.from(c12.signatures[0]!.signature)
  s12[0]! ^= 1
  h12.signedHeader = { header: h12.signedHeader!.header, commit: { ...c12, signatures: [{ ...c12.signatures[0]!, signature: s12 }] } }
  assert.is(refused(() => update(store, now, headerAny(h12))).log, `failed to verify header: wrong signature (#0): ${hex(s12).toUpperCase()}`)
  assert.is(store.snapshot(), before)
})

test("a header whose trusted state is outside the trusting period is refused; the client is Expired", ({ a }) => {
  const t10 = nsOf(a.blocks.blocks.get(10)!.header)
  const store = createClient(a, 10, t10 + SEC)
  const before = store.snapshot()
  const now = t10 + TRUSTING
  assert.is(tm.status(store, host(100n, now - 1n)), "Active")
  assert.is(tm.status(store, host(100n, now)), "Expired")
  const e = refused(() => update(store, now, headerAny(a.ibcHeader(11, a.height(10)))))
  assert.is(e.codespace, "undefined")
  assert.is(e.code, 1)
  // Go's time.Time %v: "2027-01-16 08:00:50 +0000 UTC" (both sides identical here)
  assert.match(e.log, /^failed to verify header: old header has expired at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC \(now: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC\)$/)
  const at = new Date(Number(now / 1_000_000n)).toISOString().replace("T", " ").replace(/\.000Z$/, "").replace(/Z$/, "")
  assert.ok(e.log.includes(`expired at ${at}`), `${e.log} names ${at}`)
  assert.is(store.snapshot(), before)
})

test("a header too far ahead of the host clock (beyond max clock drift) is refused", ({ a }) => {
  const t11 = nsOf(a.blocks.blocks.get(11)!.header)
  const store = createClient(a, 10, t11 - 20n * SEC)
  const e = refused(() => update(store, t11 - 10n * SEC, headerAny(a.ibcHeader(11, a.height(10)))))
  assert.is(e.code, 1)
  assert.match(e.log, /^failed to verify header: invalid header: new header has a time from the future .* \(now: .*; max clock drift: 10s\)$/)
})

test("non-adjacent with too little trusted power is refused; with enough it passes (2 validators, batch path)", async () => {
  const q = key(7), x = key(9)
  const b = await startChain("bravo-2", GENESIS, [{ key: q, power: 10n }], 100n)
  try {
    await b.produceTo(9)
    const now = b.lastTimeNs() + SEC
    const store = createClient(b, 2, now)
    const before = store.snapshot()
    // the attacker's set: Q (trusted, 10 of 110) and X (unknown, 1000); both sign a header at 8
    const evil = valSet([{ key: q, power: 10n }, { key: x, power: 1000n }])
    const real = b.blocks.blocks.get(8)!.header
    const vh = (await import("../../modules/consensus/CometHashing.ts")).validatorsHash(
      evil.validators.map((v) => ({ pubKeyEd25519: v.pubKey.ed25519!, power: v.votingPower })))
    const forged: TmHeader = { ...real, appHash: new Uint8Array(32).fill(0xee), validatorsHash: vh, nextValidatorsHash: vh }
    const commit = forgeCommit(b.chainId, forged, evil, [q, x])
    const msg = headerAny({ signedHeader: { header: forged, commit }, validatorSet: evil, trustedHeight: b.height(2), trustedValidators: b.validators })
    const e = refused(() => update(store, now, msg))
    assert.is(e.codespace, "undefined")
    assert.is(e.code, 1)
    assert.is(e.log, "failed to verify header: cant trust new val set: invalid commit -- insufficient voting power: got 10, needed more than 36")
    assert.is(store.snapshot(), before)
    // the real header at 8, signed by the producer (100 of 110, Q absent), verifies non-adjacent
    assert.equal(update(store, now, headerAny(b.ibcHeader(8, b.height(2)))), [b.height(8)])
  } finally {
    await b.close()
  }
})

test("trusted validators that do not hash to the trusted next validators hash: 07-tendermint 14", ({ a }) => {
  const now = a.lastTimeNs() + SEC
  const store = createClient(a, 10, now)
  const h = a.ibcHeader(12, a.height(10))
  h.trustedValidators = valSet([{ key: key(3), power: 10n }])
  const e = refused(() => update(store, now, headerAny(h)))
  assert.is(e.codespace, "07-tendermint")
  assert.is(e.code, 14)
  assert.match(e.log, /does not hash to latest trusted validators\. Expected: [0-9A-F]{64}, got: [0-9A-F]{64}: invalid validator set$/)
})

test("a header from an unknown trusted height: client 7 consensus state not found", ({ a }) => {
  const now = a.lastTimeNs() + SEC
  const store = createClient(a, 10, now)
  const e = refused(() => update(store, now, headerAny(a.ibcHeader(12, a.height(9)))))
  assert.is(`${e.codespace}/${e.code}`, "client/7")
  assert.is(e.log, "could not get trusted consensus state from clientStore for Header at TrustedHeight: 1-9: consensus state not found")
})

/** The producer's validator (key 42) equivocating: a second header at `h` with another app hash, signed by it. */
const equivocate = (a: Chain, h: number, change: Partial<TmHeader>): { header: TmHeader; commit: ReturnType<typeof forgeCommit> } => {
  const header = { ...a.blocks.blocks.get(h)!.header, ...change }
  return { header, commit: forgeCommit(a.chainId, header, a.validators, [key(42)]) }
}

test("misbehaviour: two signed headers at one height freeze the client (FrozenHeight 0-1)", ({ a }) => {
  const now = a.lastTimeNs() + SEC
  const store = createClient(a, 10, now)
  const real = a.ibcHeader(12, a.height(10))
  const fork = equivocate(a, 12, { appHash: new Uint8Array(32).fill(1) })
  assert.is.not(hex(headerHash(fork.header)!), hex(headerHash(real.signedHeader!.header!)!))
  const m = misbehaviourAny({ clientId: "07-tendermint-0", header1: real, header2: { ...real, signedHeader: fork } })
  assert.is(update(store, now, m), "frozen")
  assert.is(tm.status(store, host(101n, now)), "Frozen")
  assert.equal(ClientState.decode(tm.clientState(store).value).frozenHeight, { revisionNumber: 0n, revisionHeight: 1n })
  // the same pair with equal block ids is no misbehaviour
  const same = misbehaviourAny({ clientId: "07-tendermint-0", header1: real, header2: real })
  const other = createClient(a, 10, now)
  tm.verifyClientMessage(other, host(101n, now), same)
  assert.not.ok(tm.checkForMisbehaviour(other, host(101n, now), same))
})

test("misbehaviour whose second header is not signed by its validators is refused (client 13); nothing changes", ({ a }) => {
  const now = a.lastTimeNs() + SEC
  const store = createClient(a, 10, now)
  const before = store.snapshot()
  const real = a.ibcHeader(12, a.height(10))
  const fork = equivocate(a, 12, { appHash: new Uint8Array(32).fill(1) })
  fork.commit.signatures[0]!.signature = new Uint8Array(64).fill(3)
  const e = refused(() => update(store, now, misbehaviourAny({ clientId: "07-tendermint-0", header1: real, header2: { ...real, signedHeader: fork } })))
  assert.is(`${e.codespace}/${e.code}`, "client/13")
  assert.is(e.log, "validator set did not commit to header: invalid light client misbehaviour")
  assert.is(store.snapshot(), before)
})

test("a signed header conflicting with a stored consensus state freezes the client", ({ a }) => {
  const now = a.lastTimeNs() + SEC
  const store = createClient(a, 3, now)
  assert.equal(update(store, now, headerAny(a.ibcHeader(10, a.height(3)))), [a.height(10)])
  const fork = equivocate(a, 10, { appHash: new Uint8Array(32).fill(2) })
  const msg = headerAny({ ...a.ibcHeader(10, a.height(3)), signedHeader: fork })
  assert.is(update(store, now, msg), "frozen")
  assert.is(tm.status(store, host(101n, now)), "Frozen")
})

test("a signed header breaking time monotonicity between stored states freezes the client", ({ a }) => {
  const now = a.lastTimeNs() + SEC
  const store = createClient(a, 3, now)
  update(store, now, headerAny(a.ibcHeader(10, a.height(3))))
  // height 6 with a time after the stored height 10's
  const late = equivocate(a, 6, { time: a.blocks.blocks.get(11)!.header.time })
  const msg = headerAny({ ...a.ibcHeader(6, a.height(3)), signedHeader: late })
  assert.is(update(store, now, msg), "frozen")
})

test("a header between stored heights (filling a gap) is stored without moving the latest height", ({ a }) => {
  const now = a.lastTimeNs() + SEC
  const store = createClient(a, 3, now)
  update(store, now, headerAny(a.ibcHeader(10, a.height(3))))
  assert.equal(update(store, now, headerAny(a.ibcHeader(6, a.height(3)))), [a.height(6)])
  assert.equal(tm.latestHeight(store), a.height(10))
  assert.ok(tm.consensusState(store, a.height(6)))
  assert.is(store.keys("iterateConsensusStates").length, 3)
  assert.is(tm.status(store, host(101n, now)), "Active")
})

test("expired consensus states are pruned on update (oldest first) with their metadata", ({ a }) => {
  const t3 = nsOf(a.blocks.blocks.get(3)!.header)
  const store = createClient(a, 3, t3 + SEC)
  update(store, t3 + SEC, headerAny(a.ibcHeader(4, a.height(3))))
  // 3 has expired by then, 4 has not: updating to 12 from 4 prunes 3
  const now = t3 + TRUSTING
  assert.ok(now < nsOf(a.blocks.blocks.get(4)!.header) + TRUSTING)
  assert.equal(update(store, now, headerAny(a.ibcHeader(12, a.height(4)))), [a.height(12)])
  assert.is(tm.consensusState(store, a.height(3)), undefined)
  assert.is(store.get("consensusStates/1-3/processedTime"), undefined)
  assert.is(store.get("consensusStates/1-3/processedHeight"), undefined)
  assert.is(store.keys("iterateConsensusStates").length, 2)
  assert.ok(tm.consensusState(store, a.height(4)))
})

test("client state and consensus state validation (MsgCreateClient) with ibc-go's codes", ({ a }) => {
  const now = a.lastTimeNs()
  const header = a.blocks.blocks.get(2)!.header
  const cons = ConsensusState.fromPartial({ timestamp: header.time, root: { hash: header.appHash }, nextValidatorsHash: header.nextValidatorsHash })
  const good = clientStateFor(a, 2)
  const tryCreate = (cs: ClientState, c = cons) => refused(() => tm.initialize(new MemClientStore(), host(1n, now), clientStateAny(cs), consensusStateAny(c)))
  const cases: Array<[Partial<ClientState>, string, string]> = [
    [{ chainId: " " }, "07-tendermint/2", "chain id cannot be empty string: invalid chain-id"],
    [{ trustLevel: { numerator: 1n, denominator: 4n } }, "undefined/1", "trustLevel must be within [1/3, 1], given 1/4"],
    [{ trustingPeriod: { seconds: 0n, nanos: 0 } }, "07-tendermint/3", "trusting period must be greater than zero: invalid trusting period"],
    [{ maxClockDrift: { seconds: 0n, nanos: 0 } }, "07-tendermint/7", "max clock drift must be greater than zero: invalid max clock drift"],
    [{ trustingPeriod: { seconds: 3n * 86400n, nanos: 0 } }, "07-tendermint/3", "trusting period (72h0m0s) should be < unbonding period (72h0m0s): invalid trusting period"],
    [{ latestHeight: { revisionNumber: 2n, revisionHeight: 2n } }, "07-tendermint/5", "latest height revision number must match chain id revision number (2 != 1): invalid header height"],
    [{ latestHeight: { revisionNumber: 1n, revisionHeight: 0n } }, "07-tendermint/5", "tendermint client's latest height revision height cannot be zero: invalid header height"],
    [{ proofSpecs: [] }, "07-tendermint/13", "proof specs cannot be nil for tm client: invalid proof specs"],
    [{ upgradePath: ["upgrade", " "] }, "client/3", "key in upgrade path at index 1 cannot be empty: light client is invalid"]
  ]
  for (const [change, code, log] of cases) {
    const e = tryCreate({ ...good, ...change })
    assert.is(`${e.codespace}/${e.code}`, code, log)
    assert.is(e.log, log)
  }
  const e1 = tryCreate(good, { ...cons, root: { hash: new Uint8Array(0) } })
  assert.is(`${e1.codespace}/${e1.code} ${e1.log}`, "client/8 root cannot be empty: invalid consensus state")
  const e2 = tryCreate(good, { ...cons, nextValidatorsHash: new Uint8Array(5) })
  assert.is(`${e2.codespace}/${e2.code} ${e2.log}`, "undefined/1 next validators hash is invalid: expected size to be 32 bytes, got 5 bytes")
  const e3 = refused(() => tm.initialize(new MemClientStore(), host(1n, now), clientStateAny(good), { typeUrl: "/ibc.lightclients.solomachine.v3.ConsensusState", value: new Uint8Array(0) }))
  assert.is(`${e3.codespace}/${e3.code}`, "client/10")
})

test("Header.ValidateBasic refusals: wrong chain, trusted height not below, missing validator set", ({ a }) => {
  const now = a.lastTimeNs() + SEC
  const store = createClient(a, 10, now)
  const h = a.ibcHeader(12, a.height(12))
  const e = refused(() => tm.verifyClientMessage(store, host(101n, now), headerAny(h)))
  assert.is(`${e.codespace}/${e.code} ${e.log}`, "07-tendermint/5 TrustedHeight {1 12} must be less than header height {1 12}: invalid header height")
  const nv = { ...a.ibcHeader(12, a.height(10)), validatorSet: undefined }
  assert.is(refused(() => tm.verifyClientMessage(store, host(101n, now), headerAny(nv))).log, "validator set is nil: invalid client header")
  // a header of another chain (same keys) is signed for that chain: the client's chain id check refuses it
  const other = equivocate(a, 12, { chainId: "other-1" })
  const e4 = refused(() => tm.verifyClientMessage(store, host(101n, now), headerAny({ ...a.ibcHeader(12, a.height(10)), signedHeader: other })))
  assert.is(e4.log, "failed to verify header: invalid header: untrustedHeader.ValidateBasic failed: header belongs to another chain \"other-1\", not \"counter-1\"")
  const e5 = refused(() => tm.verifyClientMessage(store, host(101n, now), { typeUrl: "/ibc.lightclients.solomachine.v3.Header", value: new Uint8Array(0) }))
  assert.is(`${e5.codespace}/${e5.code} ${e5.log}`, "client/10 invalid client type")
})

test.run()
