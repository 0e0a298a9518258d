/**
 * BlockVerifier on blocks the embedded producer made (kvstore test double): the honest block and
 * its commit pass; each tampered field is refused with a message naming it.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { ed25519 } from "@noble/curves/ed25519.js"
import type { StoredBlock } from "../../chain/BlockStore.ts"
import { consensusAddress, resultsHash } from "../../modules/consensus/CometHashing.ts"
import { makeProducer } from "../../modules/consensus/producer/Producer.ts"
import { blockIdOf, BlockRejected, verifyCommit, verifyHeader, type ChainState } from "../../node/sync/BlockVerifier.ts"
import { KvApp } from "../consensus/kvApp.ts"
import { MemBlockStore } from "../consensus/memBlockStore.ts"

const enc = new TextEncoder()
const seed = new Uint8Array(32).fill(3)
const pub = ed25519.getPublicKey(seed)
const vals = [{ address: consensusAddress(pub), pubKeyEd25519: pub, power: 10n }]
const chainId = "cyber-verify-1"

const scope = Effect.runSync(Scope.make())
const store = new MemBlockStore()
const p = await Effect.runPromise(Scope.provide(scope)(makeProducer({
  app: await KvApp.open(mkdtempSync(join(tmpdir(), "verify-"))), blockStore: store, chainId, validatorKey: seed, blockTimeMs: 3_600_000,
  genesis: { time: { seconds: 1_800_000_000n, nanos: 0 }, appState: enc.encode('{"kv":{}}'), validators: [{ pubKeyEd25519: pub, power: 10n }] }
})))
let now = 1_800_000_001_000_000_000n
for (let i = 0; i < 3; i++) {
  await p.broadcastTx(enc.encode(`k${i}=v`))
  now += 1_000_000_000n
  await p.produceBlock(now)
}
const b1 = (await store.block(1))!, b2 = (await store.block(2))!, b3 = (await store.block(3))!
const state2: ChainState = {
  chainId, initialHeight: 1, lastBlockId: blockIdOf(b1), appHash: (await store.results(1))!.appHash,
  lastResultsHash: resultsHash((await store.results(1))!.txResults), validators: vals, nextValidators: vals,
  maxBytes: 22_020_096n, maxGas: -1n
}
await Effect.runPromise(Scope.close(scope, Exit.void))

const rejected = (f: () => unknown, text: string): void => {
  try {
    f()
  } catch (e) {
    assert.ok(e instanceof BlockRejected, String(e))
    assert.match((e as BlockRejected).message, text)
    return
  }
  assert.unreachable(`accepted; expected "${text}"`)
}
const tamper = (b: StoredBlock, f: (c: StoredBlock) => void): StoredBlock => { const c = structuredClone(b); f(c); return c }

test("the producer's block and its commit verify", () => {
  const id = verifyHeader(state2, b2, 2)
  assert.equal(id.hash, b2.hash)
  verifyCommit(chainId, vals, 2, id, b3.lastCommit)
})

test("each tampered header field is refused, naming it", () => {
  rejected(() => verifyHeader(state2, b2, 3), "header height 2, expected 3")
  rejected(() => verifyHeader({ ...state2, chainId: "other" }, b2, 2), `chain id "${chainId}", expected "other"`)
  rejected(() => verifyHeader(state2, tamper(b2, (c) => { (c.txs as Uint8Array[]).push(enc.encode("x=1")) }), 2), "data hash")
  rejected(() => verifyHeader({ ...state2, lastBlockId: blockIdOf(b2) }, b2, 2), "last block id")
  rejected(() => verifyHeader({ ...state2, appHash: new Uint8Array(32) }, b2, 2), "app hash")
  rejected(() => verifyHeader({ ...state2, lastResultsHash: new Uint8Array(32) }, b2, 2), "last results hash")
  rejected(() => verifyHeader({ ...state2, validators: [{ ...vals[0]!, power: 11n }] }, b2, 2), "validators hash")
  rejected(() => verifyHeader(state2, tamper(b2, (c) => { c.lastCommit.signatures[0]!.signature[0]! ^= 1 }), 2), "last commit hash")
  rejected(() => verifyHeader(state2, tamper(b2, (c) => { c.header.time = { ...c.header.time, nanos: c.header.time.nanos + 1 } }), 2), "block time")
})

test("a commit for another block, height or set, or with a bad signature, is refused", () => {
  const id = verifyHeader(state2, b2, 2)
  rejected(() => verifyCommit(chainId, vals, 2, blockIdOf(b1), b3.lastCommit), "commit signs block")
  rejected(() => verifyCommit(chainId, vals, 3, id, b3.lastCommit), "commit is for height 2")
  rejected(() => verifyCommit("other", vals, 2, id, b3.lastCommit), "invalid precommit signature")
  const other = ed25519.getPublicKey(new Uint8Array(32).fill(4))
  rejected(() => verifyCommit(chainId, [{ address: consensusAddress(other), pubKeyEd25519: other, power: 10n }], 2, id, b3.lastCommit), "expected validator")
  rejected(() => verifyCommit(chainId, [...vals, { address: consensusAddress(other), pubKeyEd25519: other, power: 10n }], 2, id, b3.lastCommit), "2 validators")
})

test.run()
