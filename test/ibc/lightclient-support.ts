/**
 * Support for the 07-tendermint light-client tests: a counterparty chain made by our own block
 * producer (modules/consensus/producer) over a small ABCI app whose state is the real IAVL
 * multi-store (txs `key=<hex value>` are written raw into namespace `ibc`, the app hash is the store's
 * rootmulti hash, proofs come from the store's ICS-23 query), plus an in-memory ClientStore and a
 * forger that signs CometBFT headers with chosen keys (the attacker of the refusal tests).
 */
import { Effect, Exit, Scope } from "effect"
import { ed25519 } from "@noble/curves/ed25519.js"
import {
  ExecTxResult, ResponseCheckTx, ResponseFinalizeBlock, ResponseInfo, ResponseInitChain, ResponsePrepareProposal,
  ResponseProcessProposal, ResponseProcessProposal_ProposalStatus, ResponseQuery,
  type RequestFinalizeBlock, type RequestInitChain, type RequestPrepareProposal, type ResponseCommit
} from "cosmjs-types/tendermint/abci/types"
import { CommitmentProof } from "cosmjs-types/cosmos/ics23/v1/proofs"
import type { Header as IbcHeader } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import { MerkleProof } from "cosmjs-types/ibc/core/commitment/v1/commitment"
import type { Commit, Header as TmHeader } from "cosmjs-types/tendermint/types/types"
import { BlockIDFlag, type ValidatorSet } from "cosmjs-types/tendermint/types/validator"
import type { AbciApplication } from "../../chain/Abci.ts"
import { makeProducer, type Producer } from "../../modules/consensus/producer/Producer.ts"
import { consensusAddress, headerHash, PRECOMMIT_TYPE, validatorsHash as validatorsHashOf, voteSignBytes } from "../../modules/consensus/CometHashing.ts"
import { sha256 } from "../../lib/Bytes.ts"
import type { ClientStore, Height, HostContext } from "../../modules/ibc/LightClient.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../store/KVStore.ts"
import { MemBlockStore } from "../consensus/memBlockStore.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()
export const SEC = 1_000_000_000n
export const HOUR = 3600n * SEC
export const DAY = 24n * HOUR

/** Test double of IBC core's client store: a sorted in-memory map, latin1 keys. */
export class MemClientStore implements ClientStore {
  readonly map = new Map<string, Uint8Array>()
  get(k: string) { return this.map.get(k) }
  set(k: string, v: Uint8Array) { this.map.set(k, Uint8Array.from(v)) }
  delete(k: string) { this.map.delete(k) }
  keys(prefix: string) { return [...this.map.keys()].filter((k) => k.startsWith(prefix)).sort() }
  /** Every key and value, hex, for "nothing changed" assertions. */
  snapshot(): string { return [...this.map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${Buffer.from(k, "latin1").toString("hex")}=${Buffer.from(v).toString("hex")}`).join(",") }
}

/** Test double of an ABCI app over the real multi-store: tx `k=<hex>` sets raw key k to those bytes in namespace `ibc`. */
class StoreApp implements AbciApplication {
  readonly ms: CommitMultiStore
  constructor(ms: CommitMultiStore) { this.ms = ms }
  async info() { const c = this.ms.lastCommit(); return ResponseInfo.fromPartial({ appVersion: 1n, lastBlockHeight: BigInt(c.version), lastBlockAppHash: c.hash }) }
  async initChain(_: RequestInitChain) { return ResponseInitChain.fromPartial({ appHash: this.ms.workingHash() }) }
  async checkTx() { return ResponseCheckTx.fromPartial({ code: 0, gasWanted: 1n }) }
  async prepareProposal(req: RequestPrepareProposal) { return ResponsePrepareProposal.fromPartial({ txs: req.txs }) }
  async processProposal() { return ResponseProcessProposal.fromPartial({ status: ResponseProcessProposal_ProposalStatus.ACCEPT }) }
  async finalizeBlock(req: RequestFinalizeBlock) {
    const txResults = req.txs.map((tx) => {
      const s = dec.decode(tx)
      const i = s.indexOf("=")
      this.ms.store("ibc").set(enc.encode(s.slice(0, i)), Uint8Array.from(Buffer.from(s.slice(i + 1), "hex")))
      return ExecTxResult.fromPartial({ code: 0 })
    })
    return ResponseFinalizeBlock.fromPartial({ txResults, appHash: this.ms.workingHash() })
  }
  async commit(): Promise<ResponseCommit> { await this.ms.commit(); return { retainHeight: 0n } }
  async query() { return ResponseQuery.fromPartial({ code: 1 }) }
}

/** A validator key for the tests: seed, public key, consensus address. */
export interface Key { readonly seed: Uint8Array; readonly pub: Uint8Array; readonly address: Uint8Array }
export const key = (fill: number): Key => {
  const seed = new Uint8Array(32).fill(fill)
  const pub = ed25519.getPublicKey(seed)
  return { seed, pub, address: consensusAddress(pub) }
}

/** A validator set protobuf in CometBFT order (power descending, then address ascending); the first is the proposer. */
export const valSet = (vals: ReadonlyArray<{ key: Key; power: bigint }>): ValidatorSet => {
  const sorted = [...vals].sort((a, b) => a.power !== b.power ? (a.power > b.power ? -1 : 1) : Buffer.compare(Buffer.from(a.key.address), Buffer.from(b.key.address)))
  const validators = sorted.map((v) => ({ address: v.key.address, pubKey: { ed25519: v.key.pub }, votingPower: v.power, proposerPriority: 0n }))
  return { validators, proposer: validators[0], totalVotingPower: validators.reduce((s, v) => s + v.votingPower, 0n) }
}

/** Signs `header` (its hash as block id) with `signers` in `set` order; others absent. The attacker's commit. */
export const forgeCommit = (chainId: string, header: TmHeader, set: ValidatorSet, signers: ReadonlyArray<Key>, timeNs?: bigint): Commit => {
  const blockId = { hash: headerHash(header)!, partSetHeader: { total: 1, hash: new Uint8Array(32).fill(7) } }
  const t = timeNs ?? (header.time.seconds * SEC + BigInt(header.time.nanos) + SEC)
  const timestamp = { seconds: t / SEC, nanos: Number(t % SEC) }
  const signatures = set.validators.map((v) => {
    const k = signers.find((s) => Buffer.from(s.address).equals(Buffer.from(v.address)))
    if (k === undefined) return { blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_ABSENT, validatorAddress: new Uint8Array(0), timestamp: { seconds: -62_135_596_800n, nanos: 0 }, signature: new Uint8Array(0) }
    const sb = voteSignBytes(chainId, { type: PRECOMMIT_TYPE, height: header.height, round: 0n, blockId, timestamp })
    return { blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_COMMIT, validatorAddress: k.address, timestamp, signature: ed25519.sign(sb, k.seed) }
  })
  return { height: header.height, round: 0, blockId, signatures }
}

/** A counterparty chain: our producer over StoreApp, blocks made on demand at chosen times. */
export interface Chain {
  readonly chainId: string
  readonly producer: Producer
  readonly blocks: MemBlockStore
  readonly ms: CommitMultiStore
  readonly validators: ValidatorSet
  /** Makes blocks until the chain has `height`, each `stepNs` after the previous (txs go into the next block). */
  produceTo(height: number, stepNs?: bigint): Promise<void>
  /** Time of the last block, unix ns. */
  lastTimeNs(): bigint
  /** Block `h`'s header signed by block h+1's last commit (needs block h+1). */
  signedHeader(h: number): { header: TmHeader; commit: Commit }
  /** The IBC Header for height h, trusting `trusted` (validators trusted there: the chain's set). */
  ibcHeader(h: number, trusted: Height): IbcHeader
  /** Client height of block h. */
  height(h: number): Height
  /** Proof (MerkleProof bytes) of raw key `k` in namespace ibc at store version h (its root is block h+1's app hash). */
  prove(k: string, h: number): Promise<{ proof: Uint8Array; value: Uint8Array | undefined }>
  close(): Promise<void>
}

/** Starts a chain: `chainId` in revision format (`name-<rev>`), genesis time, extra genesis validators (they never sign). */
export const startChain = async (chainId: string, genesisNs: bigint, others: ReadonlyArray<{ key: Key; power: bigint }> = [], selfPower = 10n): Promise<Chain> => {
  const self = key(42)
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["bank", "ibc"] })
  const blocks = new MemBlockStore()
  const vals = [{ key: self, power: selfPower }, ...others]
  const scope = Effect.runSync(Scope.make())
  const producer = await Effect.runPromise(Scope.provide(scope)(makeProducer({
    app: new StoreApp(ms), blockStore: blocks, chainId, validatorKey: self.seed, blockTimeMs: 3_600_000,
    genesis: { time: { seconds: genesisNs / SEC, nanos: Number(genesisNs % SEC) }, appState: new Uint8Array(0), validators: vals.map((v) => ({ pubKeyEd25519: v.key.pub, power: v.power })) }
  })))
  const rev = BigInt(chainId.slice(chainId.lastIndexOf("-") + 1))
  const validators = valSet(vals)
  let last = genesisNs
  const chain: Chain = {
    chainId, producer, blocks, ms, validators,
    async produceTo(h, stepNs = 5n * SEC) {
      while (producer.tip().height < h) {
        const tip = await producer.produceBlock(last + stepNs)
        const b = blocks.blocks.get(tip.height)!
        last = b.header.time.seconds * SEC + BigInt(b.header.time.nanos)
      }
    },
    lastTimeNs: () => last,
    signedHeader(h) {
      const b = blocks.blocks.get(h), next = blocks.blocks.get(h + 1)
      if (b === undefined || next === undefined) throw new Error(`chain ${chainId}: no block ${h} or ${h + 1}`)
      return { header: b.header, commit: next.lastCommit }
    },
    ibcHeader(h, trusted) {
      return { signedHeader: chain.signedHeader(h), validatorSet: validators, trustedHeight: trusted, trustedValidators: validators }
    },
    height: (h) => ({ revisionNumber: rev, revisionHeight: BigInt(h) }),
    async prove(k, h) {
      const r = await ms.query("ibc", enc.encode(k), h, true)
      const proofs = r.proof!.ops.map((op) => CommitmentProof.decode(op.data))
      return { proof: MerkleProof.encode({ proofs }).finish(), value: r.value }
    },
    async close() { await Effect.runPromise(Scope.close(scope, Exit.void)); await ms.close() }
  }
  return chain
}

/** The host (the chain running the client) at a height and time. */
export const host = (height: bigint, timeNs: bigint): HostContext => ({ height: { revisionNumber: 1n, revisionHeight: height }, timeNs, chainId: "host-1" })

/** Runs `f`, expecting a chain error; returns it (fails the test if nothing is thrown). */
export const refused = (f: () => unknown): { _tag: string; codespace: string; code: number; log: string } => {
  try {
    f()
  } catch (e) {
    return e as { _tag: string; codespace: string; code: number; log: string }
  }
  throw new Error("expected a refusal, the call succeeded")
}

/** CometBFT's light/helpers_test.go `ToValidators(init, inc)`: key i gets power init + i*inc. */
export const toValidators = (keys: ReadonlyArray<Key>, init: bigint, inc: bigint): ValidatorSet =>
  valSet(keys.map((k, i) => ({ key: k, power: init + BigInt(i) * inc })))

const setHash = (s: ValidatorSet): Uint8Array =>
  validatorsHashOf(s.validators.map((v) => ({ pubKeyEd25519: v.pubKey.ed25519!, power: v.votingPower })))

/**
 * A synthetic CometBFT header (light/helpers_test.go genHeader): block protocol 11, the given
 * chain, height, time and validator sets, sha256 of fixed strings for the other hashes.
 */
export const synthHeader = (chainId: string, height: bigint, timeNs: bigint, vals: ValidatorSet, nextVals: ValidatorSet): TmHeader => {
  const h = (s: string) => sha256(enc.encode(s))
  return {
    version: { block: 11n, app: 0n }, chainId, height, time: { seconds: timeNs / SEC, nanos: Number(timeNs % SEC) },
    lastBlockId: { hash: new Uint8Array(0), partSetHeader: { total: 0, hash: new Uint8Array(0) } },
    lastCommitHash: h("last_commit"), dataHash: h("data"), validatorsHash: setHash(vals), nextValidatorsHash: setHash(nextVals),
    consensusHash: h("cons_hash"), appHash: h("app_hash"), lastResultsHash: h("results_hash"), evidenceHash: h("evidence"),
    proposerAddress: vals.validators[0]!.address
  }
}
