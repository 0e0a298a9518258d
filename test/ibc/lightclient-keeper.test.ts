/**
 * The 07-tendermint client under IBC core's 02-client keeper (modules/ibc/core/ClientKeeper.ts)
 * on the real `ibc` store namespace: MsgCreateClient, MsgUpdateClient adjacent and non-adjacent,
 * a forged update refused with nothing written, misbehaviour freezing the client, and every later
 * update refused with ibc-go's ClientNotActive (client 29).
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { ClientState, ConsensusState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import { ClientKeeper } from "../../modules/ibc/core/ClientKeeper.ts"
import { sdkSpecs } from "../../modules/ibc/commitment/MerkleProof.ts"
import { TypeUrl } from "../../modules/ibc/lightclients/tendermint/ClientState.ts"
import { clientStateAny, consensusStateAny, headerAny, misbehaviourAny, tendermintClient } from "../../modules/ibc/lightclients/tendermint/TendermintClient.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { DAY, forgeCommit, host, key, refused, SEC, startChain, type Chain } from "./lightclient-support.ts"

const test = suite<{ a: Chain }>("07-tendermint under the 02-client keeper")
test.before(async (ctx) => { ctx.a = await startChain("counter-1", 1_800_000_000n * SEC); await ctx.a.produceTo(14) })
test.after(async (ctx) => { await ctx.a?.close() })

const dump = (s: KVStore): string => [...s.iterate()].map(([k, v]) => `${Buffer.from(k).toString("hex")}=${Buffer.from(v).toString("hex")}`).join(",")

test("create, update, refuse a forgery unchanged, freeze on misbehaviour, refuse every later update (client 29)", async ({ a }) => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["ibc"] })
  try {
    const store = ms.store("ibc")
    const events: Event[] = []
    const now = a.lastTimeNs() + SEC
    const ctx = { store, host: host(100n, now), emit: (e: Event) => { events.push(e) } }
    const keeper = new ClientKeeper([{ clientStateTypeUrl: TypeUrl.clientState, module: tendermintClient }])
    const h2 = a.blocks.blocks.get(2)!.header
    const cs = ClientState.fromPartial({
      chainId: a.chainId, trustLevel: { numerator: 1n, denominator: 3n }, trustingPeriod: { seconds: DAY / SEC, nanos: 0 },
      unbondingPeriod: { seconds: (3n * DAY) / SEC, nanos: 0 }, maxClockDrift: { seconds: 10n, nanos: 0 },
      latestHeight: a.height(2), proofSpecs: sdkSpecs(), upgradePath: ["upgrade", "upgradedIBCState"]
    })
    const id = keeper.create(ctx, clientStateAny(cs), consensusStateAny(ConsensusState.fromPartial({ timestamp: h2.time, root: { hash: h2.appHash }, nextValidatorsHash: h2.nextValidatorsHash })))
    assert.is(id, "07-tendermint-0")
    assert.ok(store.get(new TextEncoder().encode("clients/07-tendermint-0/consensusStates/1-2")))
    keeper.update(ctx, id, headerAny(a.ibcHeader(3, a.height(2))))
    keeper.update(ctx, id, headerAny(a.ibcHeader(9, a.height(3))))
    assert.equal(keeper.latestHeight(store, id), a.height(9))
    assert.is(keeper.status(store, ctx.host, id), "Active")

    // a forged signature: refused, the ibc store byte for byte as before
    const before = dump(store)
    const forged = a.ibcHeader(10, a.height(9))
    const c = forged.signedHeader!.commit!
    forged.signedHeader = { header: forged.signedHeader!.header, commit: { ...c, signatures: [{ ...c.signatures[0]!, signature: new Uint8Array(64).fill(5) }] } }
    const e = refused(() => keeper.update(ctx, id, headerAny(forged)))
    assert.is(`${e.codespace}/${e.code}`, "undefined/1")
    assert.is(e.log, `failed to verify header: invalid header: wrong signature (#0): ${"05".repeat(64).toUpperCase()}`)
    assert.is(dump(store), before)

    // the validator signs a second header at 10: misbehaviour freezes the client
    const fork = { ...a.blocks.blocks.get(10)!.header, appHash: new Uint8Array(32).fill(9) }
    const real = a.ibcHeader(10, a.height(9))
    keeper.update(ctx, id, misbehaviourAny({ clientId: id, header1: real, header2: { ...real, signedHeader: { header: fork, commit: forgeCommit(a.chainId, fork, a.validators, [key(42)]) } } }))
    assert.is(keeper.status(store, ctx.host, id), "Frozen")
    assert.ok(events.some((ev) => ev.type === "client_misbehaviour"), "client_misbehaviour event")

    // every later update is refused by 02-client, nothing written
    const frozen = dump(store)
    const e2 = refused(() => keeper.update(ctx, id, headerAny(a.ibcHeader(11, a.height(9)))))
    assert.is(`${e2.codespace}/${e2.code} ${e2.log}`, "client/29 cannot update client (07-tendermint-0) with status Frozen: client state is not active")
    assert.is(dump(store), frozen)
  } finally {
    await ms.close()
  }
})

test("a trusted state past the trusting period: expired client refused by 02-client (client 29); an older expired trusted height by the client (undefined 1)", async ({ a }) => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["ibc"] })
  try {
    const store = ms.store("ibc")
    const keeper = new ClientKeeper([{ clientStateTypeUrl: TypeUrl.clientState, module: tendermintClient }])
    const h2 = a.blocks.blocks.get(2)!.header
    const t2 = h2.time.seconds * SEC + BigInt(h2.time.nanos)
    const at = (ns: bigint) => ({ store, host: host(100n, ns), emit: () => {} })
    const cs = ClientState.fromPartial({
      chainId: a.chainId, trustLevel: { numerator: 1n, denominator: 3n }, trustingPeriod: { seconds: DAY / SEC, nanos: 0 },
      unbondingPeriod: { seconds: (3n * DAY) / SEC, nanos: 0 }, maxClockDrift: { seconds: 10n, nanos: 0 },
      latestHeight: a.height(2), proofSpecs: sdkSpecs(), upgradePath: []
    })
    const id = keeper.create(at(a.lastTimeNs() + SEC), clientStateAny(cs), consensusStateAny(ConsensusState.fromPartial({ timestamp: h2.time, root: { hash: h2.appHash }, nextValidatorsHash: h2.nextValidatorsHash })))
    keeper.update(at(a.lastTimeNs() + SEC), id, headerAny(a.ibcHeader(8, a.height(2))))
    // one day after block 2 (block 8 is 30 s later): 2 has expired, the latest (8) has not
    const later = t2 + DAY + SEC
    assert.is(keeper.status(store, host(100n, later), id), "Active")
    const before = dump(store)
    const e = refused(() => keeper.update(at(later), id, headerAny(a.ibcHeader(12, a.height(2)))))
    assert.is(`${e.codespace}/${e.code}`, "undefined/1")
    assert.match(e.log, /^failed to verify header: old header has expired at /)
    assert.is(dump(store), before)
    // a day after block 8 too: the client is Expired and 02-client refuses before verifying
    const expired = t2 + DAY + 60n * SEC
    const e2 = refused(() => keeper.update(at(expired), id, headerAny(a.ibcHeader(12, a.height(8)))))
    assert.is(`${e2.codespace}/${e2.code} ${e2.log}`, "client/29 cannot update client (07-tendermint-0) with status Expired: client state is not active")
    assert.is(dump(store), before)
  } finally {
    await ms.close()
  }
})

test.run()
