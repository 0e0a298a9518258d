/**
 * What @confio/relayer (from npm, unchanged) reads of a chain to build a 07-tendermint client of
 * it, taken from a node started by the CLI: `connectWithSigner`, `latestHeader`,
 * `getSignedHeader` (RPC `commit`), `getValidatorSet` (RPC `validators` and `blockchain`),
 * `buildHeader` and `buildCreateClientArgs` (staking params). The signed header it builds must be
 * what ibc-go's client verifies: the CometBFT header hash equal to the commit's block id, the
 * validator set hashing to the header's validators_hash and next_validators_hash, and every
 * commit signature valid ed25519 over the canonical vote sign bytes with the chain id
 * (cometbft types/block.go Header.Hash, validator_set.go VerifyCommitLight, canonical.go).
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { ed25519 } from "@noble/curves/ed25519.js"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice } from "@cosmjs/stargate"
import relayer from "@confio/relayer/build/lib/ibcclient.js"
const { IbcClient, buildCreateClientArgs } = relayer
type IbcClient = Awaited<ReturnType<typeof IbcClient.connectWithSigner>>

import { headerHash, PRECOMMIT_TYPE, validatorsHash, voteSignBytes } from "../../modules/consensus/CometHashing.ts"
import { makeHome, startNode, type NodeProcess, type TestHome } from "../e2e/harness.ts"

const test = suite<{ h: TestHome; node: NodeProcess; client: IbcClient }>("relayer reads a CLI node")

test.before(async (ctx) => {
  ctx.h = await makeHome(300)
  ctx.node = await startNode(ctx.h)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(ctx.h.mnemonic, { prefix: "cyber" })
  const [account] = await wallet.getAccounts()
  ctx.client = await IbcClient.connectWithSigner(ctx.h.rpcUrl, wallet as never, account!.address, { gasPrice: GasPrice.fromString("0.01boot") as never, estimatedBlockTime: 300, estimatedIndexerTime: 100 })
  while ((await ctx.client.currentHeight()) < 4) await ctx.client.waitOneBlock()
})

test.after(async (ctx) => {
  await ctx.node?.kill("SIGTERM")
})

/** The commit at `height` as the relayer builds it, checked as ibc-go's client checks a header. */
const checkSignedHeader = async (client: IbcClient, chainId: string, height: number) => {
  const sh = await client.getSignedHeader(height)
  const header = sh.header!
  const commit = sh.commit!
  assert.is(header.height, BigInt(height))
  assert.is(header.chainId, chainId)
  const hash = headerHash(header as never)
  assert.ok(hash, "the header hashes")
  assert.equal(Buffer.from(hash!).toString("hex"), Buffer.from(commit.blockId.hash).toString("hex"), "header hash = commit block id")
  const vals = await client.getValidatorSet(height)
  assert.ok(vals.validators.length >= 1)
  const set = vals.validators.map((v) => ({ pubKeyEd25519: v.pubKey!.ed25519!, power: v.votingPower }))
  assert.equal(Buffer.from(validatorsHash(set)).toString("hex"), Buffer.from(header.validatorsHash).toString("hex"), "validators_hash")
  const next = await client.getValidatorSet(height + 1)
  assert.equal(Buffer.from(validatorsHash(next.validators.map((v) => ({ pubKeyEd25519: v.pubKey!.ed25519!, power: v.votingPower })))).toString("hex"), Buffer.from(header.nextValidatorsHash).toString("hex"), "next_validators_hash")
  assert.ok(vals.proposer, "the proposer is in the set")
  let signed = 0n
  for (const [i, sig] of commit.signatures.entries()) {
    if (sig.blockIdFlag !== 2) continue // BLOCK_ID_FLAG_COMMIT
    const v = vals.validators.find((x) => Buffer.from(x.address).equals(Buffer.from(sig.validatorAddress)))
    assert.ok(v, `signature ${i} is by a validator of the set`)
    const bytes = voteSignBytes(chainId, { type: PRECOMMIT_TYPE, height: commit.height, round: BigInt(commit.round), blockId: commit.blockId, timestamp: sig.timestamp! })
    assert.ok(ed25519.verify(sig.signature, bytes, v!.pubKey!.ed25519!), `signature ${i} verifies over the canonical vote`)
    // a forged signature does not
    const forged = Uint8Array.from(sig.signature)
    forged[0]! ^= 1
    assert.not.ok(ed25519.verify(forged, bytes, v!.pubKey!.ed25519!))
    signed += v!.votingPower
  }
  assert.ok(signed * 3n > vals.totalVotingPower * 2n, "more than 2/3 of the power signed")
}

test("the signed headers the relayer builds from the commit and validators RPC hash and verify as ibc-go's client requires", async ({ client, h }) => {
  const tip = (await client.latestHeader()).height
  for (const height of [2, 3, tip - 1]) await checkSignedHeader(client, h.chainId, height)
})

test("the tip's commit is served at once (CometBFT's seen commit, canonical false) and later as the next block's last commit, the same signature", async ({ client, h }) => {
  // `commit` at the tip answers the seen commit; if the next block lands while it is answered, the
  // canonical one (both are right): ask until the answer is the seen one
  let seen = await client.getCommit()
  for (let i = 0; i < 20 && seen.canonical; i++) seen = await client.getCommit()
  const tip = Number(seen.commit.height)
  assert.ok(tip >= 4)
  assert.is(seen.canonical, false, "the tip's commit is the seen one")
  while ((await client.currentHeight()) <= tip + 1) await client.waitOneBlock()
  await checkSignedHeader(client, h.chainId, tip)
  const canonical = await client.getCommit(tip)
  assert.is(canonical.canonical, true)
  assert.equal(Buffer.from(canonical.commit.signatures[0]!.signature!).toString("hex"), Buffer.from(seen.commit.signatures[0]!.signature!).toString("hex"))
  const next = await client.header(tip + 1)
  assert.is(next.time.getTime(), canonical.commit.signatures[0]!.timestamp!.getTime(), "the next block's time is its precommit's (BFT time)")
})

test("buildHeader (an update from a trusted height) and buildCreateClientArgs give a client of this chain", async ({ client, h }) => {
  const trusted = (await client.latestHeader()).height - 2
  const header = await client.buildHeader(trusted)
  assert.is(header.trustedHeight?.revisionHeight, BigInt(trusted))
  assert.ok(header.signedHeader?.header && header.validatorSet && header.trustedValidators)
  const args = await buildCreateClientArgs(client, 120)
  assert.is(args.clientState.chainId, h.chainId)
  assert.is(args.clientState.trustingPeriod?.seconds, 120n)
  assert.ok((args.clientState.unbondingPeriod?.seconds ?? 0n) > 120n, "unbonding period from the staking params")
  assert.ok(args.clientState.latestHeight && args.clientState.latestHeight.revisionHeight > 0n)
  assert.is(args.consensusState.root?.hash.length, 32, "the consensus state's root is the app hash")
})

test.run()
