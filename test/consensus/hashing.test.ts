/** CometBFT hashing against CometBFT v0.38's own test vectors. */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { sha256 } from "@noble/hashes/sha2.js"
import {
  consensusAddress, headerHash, merkleRoot, PRECOMMIT_TYPE, validatorsHash, voteSignBytes
} from "../../modules/consensus/CometHashing.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const s = (x: string) => sha256(new TextEncoder().encode(x))
const goZeroTime = { seconds: -62_135_596_800n, nanos: 0 } // time.Time{} in Go
const zeroBlockId = { hash: new Uint8Array(0), partSetHeader: { total: 0, hash: new Uint8Array(0) } }

test("merkle.HashFromByteSlices vectors (crypto/merkle/tree_test.go)", () => {
  assert.is(hex(merkleRoot([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  assert.is(hex(merkleRoot([Uint8Array.of(1, 2, 3)])), "054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8")
  assert.is(hex(merkleRoot([new Uint8Array(0)])), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
  assert.is(hex(merkleRoot([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6)])), "82e6cfce00453804379b53962939eaa7906b39904be0813fcadd31b100773c4b")
  assert.is(hex(merkleRoot([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]].map((a) => Uint8Array.from(a)))),
    "f326493eceab4f2d9ffbc78c59432a0a005d6ea98392045c74df5d14a113be18")
})

test("Header.Hash() vector (types/block_test.go TestHeaderHash)", () => {
  const z = new Uint8Array(32)
  const header = {
    version: { block: 1n, app: 2n }, chainId: "chainId", height: 3n,
    time: { seconds: BigInt(Date.UTC(2019, 9, 13, 16, 14, 44) / 1000), nanos: 0 },
    lastBlockId: { hash: z, partSetHeader: { total: 6, hash: z } },
    lastCommitHash: s("last_commit_hash"), dataHash: s("data_hash"), validatorsHash: s("validators_hash"),
    nextValidatorsHash: s("next_validators_hash"), consensusHash: s("consensus_hash"), appHash: s("app_hash"),
    lastResultsHash: s("last_results_hash"), evidenceHash: s("evidence_hash"),
    proposerAddress: consensusAddress(new TextEncoder().encode("proposer_address"))
  }
  assert.is(hex(headerHash(header)!).toUpperCase(), "F740121F553B5418C3EFBD343C2DBFE9E007BB67B0D020A0741374BAB65242A4")
  assert.is(headerHash({ ...header, validatorsHash: new Uint8Array(0) }), undefined)
})

test("VoteSignBytes vectors (types/vote_test.go TestVoteSignBytesTestVectors)", () => {
  const v = (type: number, height: bigint, round: bigint) => ({ type, height, round, blockId: zeroBlockId, timestamp: goZeroTime })
  const ts = [0x2a, 0xb, 0x8, 0x80, 0x92, 0xb8, 0xc3, 0x98, 0xfe, 0xff, 0xff, 0xff, 0x1]
  const hr = [0x11, 1, 0, 0, 0, 0, 0, 0, 0, 0x19, 1, 0, 0, 0, 0, 0, 0, 0]
  assert.equal([...voteSignBytes("", v(0, 0n, 0n))], [0xd, ...ts])
  assert.equal([...voteSignBytes("", v(PRECOMMIT_TYPE, 1n, 1n))], [0x21, 0x8, 0x2, ...hr, ...ts])
  assert.equal([...voteSignBytes("", v(1, 1n, 1n))], [0x21, 0x8, 0x1, ...hr, ...ts])
  assert.equal([...voteSignBytes("", v(0, 1n, 1n))], [0x1f, ...hr, ...ts])
  const chain = [0x32, 0xd, ...new TextEncoder().encode("test_chain_id")]
  assert.equal([...voteSignBytes("test_chain_id", v(0, 1n, 1n))], [0x2e, ...hr, ...ts, ...chain])
})

test("empty validator set hashes to sha256(\"\"); order matters", () => {
  assert.is(hex(validatorsHash([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  const a = { pubKeyEd25519: new Uint8Array(32).fill(1), power: 10n }
  const b = { pubKeyEd25519: new Uint8Array(32).fill(2), power: 5n }
  assert.is.not(hex(validatorsHash([a, b])), hex(validatorsHash([b, a])))
})

test.run()
