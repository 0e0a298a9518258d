/**
 * 07-tendermint verifyMembership / verifyNonMembership against our own store: a chain made by our
 * producer whose app hash is the IAVL multi-store's; proofs from the store's ICS-23 query (the
 * MerkleProof a relayer builds from abci_query) verify against the client's consensus state root
 * under prefix `ibc`; a wrong value, a wrong key, a wrong height and an unmet delay are refused.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { ClientState, ConsensusState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import { sdkSpecs } from "../../modules/ibc/commitment/MerkleProof.ts"
import { clientStateAny, consensusStateAny, headerAny, tendermintClient as tm } from "../../modules/ibc/lightclients/tendermint/TendermintClient.ts"
import { DAY, host, MemClientStore, refused, SEC, startChain, type Chain } from "./lightclient-support.ts"

const enc = new TextEncoder()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase()
const PATH = "commitments/ports/transfer/channels/channel-0/sequences/1"
const COMMITMENT = Buffer.from("fa365cf5deedf3169bfe56010f101be23eac638d3bd9f9fc01b9c0a51e82a6ff", "hex") // a packet commitment's 32 bytes
const ABSENT = "receipts/ports/transfer/channels/channel-0/sequences/1"
const IBC = enc.encode("ibc")

const test = suite<{ a: Chain; store: MemClientStore; now: bigint }>("07-tendermint membership proofs")

test.before(async (ctx) => {
  const a = await startChain("counter-1", 1_800_000_000n * SEC)
  await a.produceTo(2)
  // the tx lands in block 3: store version 3, whose root is block 4's app hash
  const r = await a.producer.broadcastTx(enc.encode(`${PATH}=${COMMITMENT.toString("hex")}`))
  assert.is(r.code, 0)
  await a.produceTo(6)
  assert.is(a.blocks.blocks.get(3)!.txs.length, 1)
  const now = a.lastTimeNs() + SEC
  const store = new MemClientStore()
  const h2 = a.blocks.blocks.get(2)!.header
  tm.initialize(store, host(50n, now), clientStateAny(ClientState.fromPartial({
    chainId: a.chainId, trustLevel: { numerator: 1n, denominator: 3n }, trustingPeriod: { seconds: DAY / SEC, nanos: 0 },
    unbondingPeriod: { seconds: (3n * DAY) / SEC, nanos: 0 }, maxClockDrift: { seconds: 10n, nanos: 0 },
    latestHeight: a.height(2), proofSpecs: sdkSpecs(), upgradePath: ["upgrade", "upgradedIBCState"]
  })), consensusStateAny(ConsensusState.fromPartial({ timestamp: h2.time, root: { hash: h2.appHash }, nextValidatorsHash: h2.nextValidatorsHash })))
  const msg = headerAny(a.ibcHeader(4, a.height(2)))
  tm.verifyClientMessage(store, host(51n, now), msg)
  tm.updateState(store, host(51n, now), msg)
  Object.assign(ctx, { a, store, now })
})
test.after(async (ctx) => { await ctx.a?.close() })

test("a stored value's proof verifies at the client height whose root is that version's app hash", async ({ a, store, now }) => {
  const { proof, value } = await a.prove(PATH, 3)
  assert.is(hex(value!), hex(COMMITMENT))
  tm.verifyMembership(store, host(60n, now), a.height(4), 0n, 0n, proof, { prefix: IBC, key: enc.encode(PATH) }, COMMITMENT)
})

test("a proof for the wrong value is refused: commitment 2 with ibc-go's text; the client is unchanged", async ({ a, store, now }) => {
  const before = store.snapshot()
  const { proof } = await a.prove(PATH, 3)
  const wrong = Uint8Array.from(COMMITMENT)
  wrong[0]! ^= 1
  const e = refused(() => tm.verifyMembership(store, host(60n, now), a.height(4), 0n, 0n, proof, { prefix: IBC, key: enc.encode(PATH) }, wrong))
  assert.is(`${e.codespace}/${e.code}`, "commitment/2")
  assert.match(e.log, new RegExp(`^chained membership proof failed to verify membership of value: ${hex(wrong)} in subroot [0-9A-F]{64} at index 0\\. Please ensure the path and value are both correct\\.: invalid proof$`))
  assert.is(store.snapshot(), before)
})

test("a proof against another height's root is refused (proof did not commit to expected root)", async ({ a, store, now }) => {
  const { proof } = await a.prove(PATH, 3)
  const e = refused(() => tm.verifyMembership(store, host(60n, now), a.height(2), 0n, 0n, proof, { prefix: IBC, key: enc.encode(PATH) }, COMMITMENT))
  assert.is(`${e.codespace}/${e.code}`, "commitment/2")
  assert.match(e.log, /^proof did not commit to expected root: [0-9A-F]{64}, got: [0-9A-F]{64}\. Please ensure proof was submitted with correct proofHeight and to the correct chain\.: invalid proof$/)
})

test("the proof under another key or prefix is refused", async ({ a, store, now }) => {
  const { proof } = await a.prove(PATH, 3)
  const e = refused(() => tm.verifyMembership(store, host(60n, now), a.height(4), 0n, 0n, proof, { prefix: IBC, key: enc.encode(PATH + "0") }, COMMITMENT))
  assert.is(`${e.codespace}/${e.code}`, "commitment/2")
  const e2 = refused(() => tm.verifyMembership(store, host(60n, now), a.height(4), 0n, 0n, proof, { prefix: enc.encode("bank"), key: enc.encode(PATH) }, COMMITMENT))
  assert.is(`${e2.codespace}/${e2.code}`, "commitment/2")
  assert.match(e2.log, /at index 1\./)
  const e3 = refused(() => tm.verifyMembership(store, host(60n, now), a.height(4), 0n, 0n, proof, { prefix: new Uint8Array(0), key: enc.encode(PATH) }, COMMITMENT))
  assert.is(`${e3.codespace}/${e3.code} ${e3.log}`, "commitment/3 prefix can't be empty: invalid prefix")
})

test("an absent key's non-membership proof verifies; a present key's is refused", async ({ a, store, now }) => {
  const { proof, value } = await a.prove(ABSENT, 3)
  assert.is(value, undefined)
  tm.verifyNonMembership(store, host(60n, now), a.height(4), 0n, 0n, proof, { prefix: IBC, key: enc.encode(ABSENT) })
  const present = await a.prove(PATH, 3)
  const e = refused(() => tm.verifyNonMembership(store, host(60n, now), a.height(4), 0n, 0n, present.proof, { prefix: IBC, key: enc.encode(PATH) }))
  assert.is(`${e.codespace}/${e.code}`, "commitment/2")
  assert.is(e.log, "got ExistenceProof in VerifyNonMembership. If this is unexpected, please ensure that proof was queried with the correct key.: invalid proof")
  // a non-membership proof used as membership
  const e2 = refused(() => tm.verifyMembership(store, host(60n, now), a.height(4), 0n, 0n, proof, { prefix: IBC, key: enc.encode(ABSENT) }, COMMITMENT))
  assert.match(e2.log, /^chained membership proof contains nonexistence proof at index 0\..* The key used: \{\[ibc receipts\/ports\/transfer\/channels\/channel-0\/sequences\/1\]\}: invalid proof$/)
  // the absence at version 3 is not absence at version 2's root (height 3 is not on the client)
  const e3 = refused(() => tm.verifyNonMembership(store, host(60n, now), a.height(3), 0n, 0n, proof, { prefix: IBC, key: enc.encode(ABSENT) }))
  assert.is(`${e3.codespace}/${e3.code}`, "client/7")
})

test("proof height above the client's latest height: ibc 9; garbage or empty proofs: commitment 2 / 4", async ({ a, store, now }) => {
  const { proof } = await a.prove(PATH, 3)
  const e = refused(() => tm.verifyMembership(store, host(60n, now), a.height(5), 0n, 0n, proof, { prefix: IBC, key: enc.encode(PATH) }, COMMITMENT))
  assert.is(`${e.codespace}/${e.code} ${e.log}`, "ibc/9 client state height < proof height ({1 4} < {1 5}), please ensure the client has been updated: invalid height")
  const e2 = refused(() => tm.verifyMembership(store, host(60n, now), a.height(4), 0n, 0n, Uint8Array.of(0xff, 0xff, 0xff), { prefix: IBC, key: enc.encode(PATH) }, COMMITMENT))
  assert.is(`${e2.codespace}/${e2.code} ${e2.log}`, "commitment/2 failed to unmarshal proof into ICS 23 commitment merkle proof: invalid proof")
  const e3 = refused(() => tm.verifyMembership(store, host(60n, now), a.height(4), 0n, 0n, new Uint8Array(0), { prefix: IBC, key: enc.encode(PATH) }, COMMITMENT))
  assert.is(`${e3.codespace}/${e3.code} ${e3.log}`, "commitment/4 proof cannot be empty: invalid merkle proof")
})

test("delay periods: time and blocks since the consensus state was processed (07-tendermint 10)", async ({ a, store, now }) => {
  const { proof } = await a.prove(PATH, 3)
  const path = { prefix: IBC, key: enc.encode(PATH) }
  // the consensus state at 4 was processed at host height 51, time `now`
  const e = refused(() => tm.verifyMembership(store, host(60n, now + 5n * SEC), a.height(4), 10n * SEC, 0n, proof, path, COMMITMENT))
  assert.is(`${e.codespace}/${e.code} ${e.log}`, `07-tendermint/10 cannot verify packet until time: ${now + 10n * SEC}, current time: ${now + 5n * SEC}: packet-specified delay period has not been reached`)
  tm.verifyMembership(store, host(60n, now + 10n * SEC), a.height(4), 10n * SEC, 0n, proof, path, COMMITMENT)
  const e2 = refused(() => tm.verifyMembership(store, host(52n, now), a.height(4), 0n, 2n, proof, path, COMMITMENT))
  assert.is(e2.log, "cannot verify packet until height: 1-53, current height: 1-52: packet-specified delay period has not been reached")
  tm.verifyMembership(store, host(53n, now), a.height(4), 0n, 2n, proof, path, COMMITMENT)
})

test.run()
