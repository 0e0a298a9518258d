/**
 * Parallel signature pre-verification under CometBFT (ABCI server `preverify`): CheckTx requests
 * pipelined on the mempool connection are verified together on the VerifierPool's workers before
 * the first is answered, a FinalizeBlock's txs before it runs, and the ante step then finds every
 * signature cached; answers, their order and a bad signature's refusal are as without it.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { startAbciServer } from "../../modules/consensus/abci/AbciServer.ts"
import { openVerifierPool } from "../../modules/auth/VerifierPool.ts"
import { clearVerifyCache, verifyStats } from "../../modules/auth/internal/Secp256k1.ts"
import { CometClient, type CometGenesis } from "../consensus/cometClient.ts"
import { accountOf, CHAIN_ID, genesisFor, makeKeys, openApp, signSend } from "./chainFixture.ts"

test("pipelined CheckTx and a received block are verified on the workers; results unchanged", async () => {
  const keys = await makeKeys(3)
  const [alice, bob, carol] = keys as [typeof keys[0], typeof keys[0], typeof keys[0]]
  const { genesis, appStateBytes } = genesisFor(keys)
  const cometGenesis: CometGenesis = {
    chainId: CHAIN_ID, time: { seconds: 1_767_225_600n, nanos: 0 }, initialHeight: 1n,
    validators: [{ pubKey: { ed25519: new Uint8Array(Buffer.from(genesis.validators[0]!.pub_key.value, "base64")) }, power: 10n }],
    appStateBytes
  }
  const fixture = await openApp({ path: join(mkdtempSync(join(tmpdir(), "abci-preverify-")), "state") })
  const pool = openVerifierPool({ threads: 2 })
  const server = await startAbciServer({
    app: fixture.app, address: "tcp://127.0.0.1:0",
    preverify: async (txs) => { await pool.verify(await fixture.app.signatureChecks(txs)) }
  })
  const c = await CometClient.connect(server.address, [])
  try {
    await c.handshake(cometGenesis)
    await c.produceBlock()
    const a = await accountOf(fixture.app, alice.address)
    const txs = await Promise.all(Array.from({ length: 20 }, (_, i) => signSend(alice, bob.address, "1", { ...a, sequence: a.sequence + i })))
    const raw = TxRaw.decode(txs[19]!)
    const sig = new Uint8Array(raw.signatures[0]!)
    sig[3] = sig[3]! ^ 1
    raw.signatures[0] = sig
    const tampered = TxRaw.encode(raw).finish()
    clearVerifyCache()
    // 19 good ones and a tampered one, sent back to back, then Flush: one data chunk or a few.
    const answers = [...txs.slice(0, 19), tampered].map((tx) => c.conns.mempool.send({ checkTx: { tx, type: 0 } }))
    await c.conns.mempool.send({ flush: {} })
    const codes = (await Promise.all(answers)).map((r) => r.checkTx!.code)
    assert.equal(codes, [...Array(19).fill(0), 4], "answers in order, the tampered one refused as before")
    assert.is(verifyStats.verified, 1, "only the tampered signature was verified on the block thread")
    assert.is(verifyStats.cacheHits, 19)
    assert.is(pool.stats().sent, 20)
    // A block from another proposer with txs this node never checked (from carol).
    const cAcc = await accountOf(fixture.app, carol.address)
    const foreign = await Promise.all(Array.from({ length: 5 }, (_, i) => signSend(carol, alice.address, "1", { ...cAcc, sequence: cAcc.sequence + i })))
    const before = verifyStats.verified
    const fin = await c.produceBlock({ txs: [...txs.slice(0, 19), ...foreign] })
    assert.ok(fin.txResults.every((r) => r.code === 0), fin.txResults.map((r) => r.log).join("; "))
    assert.is(verifyStats.verified, before, "FinalizeBlock verified nothing itself")
  } finally {
    c.close()
    await server.close()
    await pool.close()
    await fixture.close()
  }
})

test.run()
