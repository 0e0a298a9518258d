/**
 * ICS-23: proofs returned by abci_query (prove=true) on a running node verify with
 * @confio/ics23 — the iavl spec from value to the bank namespace root, then the tendermint spec
 * from that root to the app hash in the next block's header — for present and absent keys.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { calculateExistenceRoot, iavlSpec, ics23, tendermintSpec, verifyMembership, verifyNonMembership } from "@confio/ics23"
import { fromBech32 } from "@cosmjs/encoding"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { makeHome, startNode, type NodeProcess, type TestHome } from "./harness.ts"

const test = suite<{ h: TestHome; node: NodeProcess; comet: Comet38Client; alice: string; height: number }>("ics23")
const enc = new TextEncoder()

/** bank balance key: 0x02 | len(addr) | addr | denom (docs/machines/auth-bank.md). */
const balanceKey = (bech32: string, denom: string): Uint8Array => {
  const addr = fromBech32(bech32, 90).data
  return Uint8Array.from([0x02, addr.length, ...addr, ...enc.encode(denom)])
}

test.before(async (ctx) => {
  ctx.h = await makeHome(200)
  ctx.node = await startNode(ctx.h)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(ctx.h.mnemonic, { prefix: "cyber" })
  ctx.alice = (await wallet.getAccounts())[0]!.address
  const client = await SigningStargateClient.connectWithSigner(ctx.h.rpcUrl, wallet, { gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 100 })
  const res = await client.sendTokens(ctx.alice, "cyber1zskakl4klhmd2qq6tcfvnhvlq23mtjy9tgzu88", [{ denom: "boot", amount: "777" }], "auto")
  assert.is(res.code, 0)
  ctx.height = res.height
  client.disconnect()
  ctx.comet = await Comet38Client.connect(ctx.h.rpcUrl)
  // The proof at height H is against the app hash in block H+1's header.
  while ((await ctx.comet.status()).syncInfo.latestBlockHeight < ctx.height + 1) await new Promise((r) => setTimeout(r, 100))
})

test.after(async (ctx) => {
  ctx.comet?.disconnect()
  await ctx.node?.kill("SIGTERM")
})

const prove = async (comet: Comet38Client, key: Uint8Array, height: number) => {
  const res = await comet.abciQuery({ path: "store/bank/key", data: key, height, prove: true })
  assert.is(res.code, 0, res.log)
  assert.ok(res.proof, "proof ops returned")
  const [iavlOp, simpleOp] = res.proof!.ops
  assert.is(iavlOp!.type, "ics23:iavl")
  assert.is(simpleOp!.type, "ics23:simple")
  assert.equal(new TextDecoder().decode(simpleOp!.key), "bank")
  const storeProof = ics23.CommitmentProof.decode(iavlOp!.data)
  const rootProof = ics23.CommitmentProof.decode(simpleOp!.data)
  const header = (await comet.block(height + 1)).block.header
  return { res, storeProof, rootProof, appHash: header.appHash }
}

test("a present key: value -> bank root (iavl spec) -> app hash (tendermint spec)", async ({ comet, alice, height }) => {
  const key = balanceKey(alice, "boot")
  const { res, storeProof, rootProof, appHash } = await prove(comet, key, height)
  assert.ok(res.value.length > 0, "balance present")
  assert.ok(storeProof.exist, "existence proof")
  const storeRoot = calculateExistenceRoot(storeProof.exist!)
  assert.ok(verifyMembership(storeProof, iavlSpec, storeRoot, key, res.value))
  assert.ok(verifyMembership(rootProof, tendermintSpec, appHash, enc.encode("bank"), storeRoot))
  // A forged value or a wrong app hash fails.
  assert.not.ok(verifyMembership(storeProof, iavlSpec, storeRoot, key, enc.encode("1")))
  const wrong = Uint8Array.from(appHash)
  wrong[0]! ^= 1
  assert.not.ok(verifyMembership(rootProof, tendermintSpec, wrong, enc.encode("bank"), storeRoot))
})

test("an absent key: non-existence proof verifies against the same roots", async ({ comet, height }) => {
  const key = balanceKey("cyber1zskakl4klhmd2qq6tcfvnhvlq23mtjy9tgzu88", "nosuchdenom")
  const { res, storeProof, rootProof, appHash } = await prove(comet, key, height)
  assert.is(res.value.length, 0)
  assert.ok(storeProof.nonexist, "non-existence proof")
  const neighbour = storeProof.nonexist!.left ?? storeProof.nonexist!.right
  const storeRoot = calculateExistenceRoot(neighbour!)
  assert.ok(verifyNonMembership(storeProof, iavlSpec, storeRoot, key))
  assert.ok(verifyMembership(rootProof, tendermintSpec, appHash, enc.encode("bank"), storeRoot))
})

test("an older height still proves against its own block's app hash", async ({ comet, alice, height }) => {
  const key = balanceKey(alice, "boot")
  const { res, storeProof, rootProof, appHash } = await prove(comet, key, height - 1)
  const storeRoot = calculateExistenceRoot(storeProof.exist!)
  assert.ok(verifyMembership(storeProof, iavlSpec, storeRoot, key, res.value))
  assert.ok(verifyMembership(rootProof, tendermintSpec, appHash, enc.encode("bank"), storeRoot))
})

test.run()
