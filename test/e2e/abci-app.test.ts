/**
 * ABCI conformance of the real multiplexer: CometBFT's call sequence (test/consensus/cometClient.ts)
 * over a real socket against the ABCI server driving the chain application with the real store,
 * auth and bank machines: handshake with InitChain from genesis, CosmJS-signed txs through
 * CheckTx and blocks, gRPC queries, a crash between FinalizeBlock and Commit, restart with block
 * replay, and a fresh node replaying the whole chain to the same app hash.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query"
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { startAbciServer } from "../../modules/consensus/abci/AbciServer.ts"
import { CometClient, type CometGenesis, type HeldBlock } from "../consensus/cometClient.ts"
import { CHAIN_ID, genesisFor, makeKeys, openApp, signSend } from "./chainFixture.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

const balance = async (c: CometClient, address: string): Promise<string> => {
  const q = await c.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "boot" }).finish())
  assert.is(q.code, 0, q.log)
  return QueryBalanceResponse.decode(q.value).balance!.amount
}

const accountOf = async (c: CometClient, address: string) => {
  const q = await c.query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish())
  assert.is(q.code, 0, q.log)
  const acc = BaseAccount.decode(QueryAccountResponse.decode(q.value).account!.value)
  return { accountNumber: Number(acc.accountNumber), sequence: Number(acc.sequence) }
}

const withNode = async <A>(dir: string, held: ReadonlyArray<HeldBlock>, body: (c: CometClient) => Promise<A>): Promise<A> => {
  const fixture = await openApp({ path: dir })
  const server = await startAbciServer({ app: fixture.app, address: "tcp://127.0.0.1:0" })
  const c = await CometClient.connect(server.address, held)
  try {
    return await body(c)
  } finally {
    c.close()
    await server.close()
    await fixture.close()
  }
}

test("CometBFT's sequence against the chain app: blocks, queries, crash before Commit, replay", async () => {
  const keys = await makeKeys(3)
  const [alice, bob] = keys
  const { genesis, appStateBytes } = genesisFor(keys)
  const cometGenesis: CometGenesis = {
    chainId: CHAIN_ID, time: { seconds: 1_767_225_600n, nanos: 0 }, initialHeight: 1n,
    validators: [{ pubKey: { ed25519: new Uint8Array(Buffer.from(genesis.validators[0]!.pub_key.value, "base64")) }, power: 10n }],
    appStateBytes
  }
  const dir = mkdtempSync(join(tmpdir(), "abci-app-"))
  let heldAt2 = ""
  const held = await withNode(join(dir, "a"), [], async (c) => {
    const hs = await c.handshake(cometGenesis)
    assert.ok(hs.initChain, "InitChain at height 0")
    // block 2: two sends from alice; CheckTx refuses a bad-chain-id tx and garbage
    const f0 = await c.produceBlock()
    assert.equal(f0.txResults, [])
    const acct = await accountOf(c, alice!.address)
    const bobAcct = await accountOf(c, bob!.address)
    assert.is((await c.checkTx(await signSend(alice!, bob!.address, "100", acct))).code, 0)
    assert.is((await c.checkTx(await signSend(alice!, bob!.address, "200", { ...acct, sequence: 1 }))).code, 0)
    assert.is((await c.checkTx(await signSend(alice!, bob!.address, "1", { ...acct, sequence: 2 }, "wrong-chain"))).code, 4)
    assert.is((await c.checkTx(Uint8Array.of(1, 2, 3))).code, 2)
    const f1 = await c.produceBlock()
    assert.equal(f1.txResults.map((r) => r.code), [0, 0], f1.txResults.map((r) => r.log).join("; "))
    assert.is(await balance(c, bob!.address), String(1_000_000_000 + 300))
    // block 3: a send that overdraws (fee paid, message fails)
    const f2 = await c.produceBlock({ txs: [await signSend(alice!, bob!.address, "999999999999", { ...acct, sequence: 2 })] })
    assert.is(f2.txResults[0]!.code, 5)
    heldAt2 = hex(c.appHash)
    // block 4 finalized, then the app "crashes" before Commit
    await c.produceBlock({ txs: [await signSend(bob!, alice!.address, "50", bobAcct)], stopBeforeCommit: true })
    return c.blocks
  })
  // Restart on the same data: the app is at 3, the client holds 4: block 4 is replayed.
  await withNode(join(dir, "a"), held, async (c) => {
    const hs = await c.handshake(cometGenesis)
    assert.is(hs.info.lastBlockHeight, 3n)
    assert.is(hex(hs.info.lastBlockAppHash), heldAt2)
    assert.equal(hs.replayed, [4])
    assert.is(await balance(c, bob!.address), String(1_000_000_000 + 300 - 50 - 2000))
    await c.produceBlock()
  })
  // A fresh node replays the whole chain from InitChain to the same app hash.
  await withNode(join(dir, "b"), held, async (c) => {
    const hs = await c.handshake(cometGenesis)
    assert.ok(hs.initChain)
    assert.equal(hs.replayed, [1, 2, 3, 4])
    assert.is(hex(hs.appHash), hex(held[3]!.appHash))
  })
})

test.run()
