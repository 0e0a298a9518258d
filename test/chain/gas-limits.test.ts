/**
 * Gas limits that bound a node's work per tx (docs/chain.md "Gas limits"): the genesis block
 * max_gas refuses a tx asking for more (sdk 41, as the SDK's SetUpContextDecorator), and CheckTx
 * spends at most checkTxGasCap on a new tx's messages, admitting a tx past it on its ante step
 * (it pays in the block), while recheck runs the ante step only.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { CheckTxType } from "cosmjs-types/tendermint/abci/types"
import { Application } from "../../chain/Application.ts"
import { InvalidRequest } from "../../chain/ChainError.ts"
import type { Machine, MsgContext } from "../../chain/Machine.ts"
import type { DecodedTx, TxPipeline } from "../../chain/TxPipeline.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()

/** A tx is JSON `{gas, burn, fail?}`: one /test.Burn message that burns `burn` gas in 1,000-gas steps. */
const tx = (gas: number, burn: number, nonce = 0, fail = false) => enc.encode(JSON.stringify({ gas, burn, nonce, fail }))

/** Gas the burner burned, by mode of the tx it ran in (a closure, so a test can see work CheckTx did). */
let burned = 0
let handled = 0

const pipeline: TxPipeline = {
  decode: (bytes) => {
    let p: { gas: number; burn: number; fail: boolean }
    try {
      p = JSON.parse(dec.decode(bytes))
    } catch {
      throw new InvalidRequest({ log: "bad test tx" })
    }
    return { bytes, gasLimit: p.gas, memo: "", msgs: [{ typeUrl: "/test.Burn", value: enc.encode(JSON.stringify(p)) }] } satisfies DecodedTx
  },
  ante: (ctx) => {
    ctx.gas.consume(1_000, "ante")
    const n = Number(dec.decode(ctx.store.get(enc.encode("txs")) ?? enc.encode("0")))
    ctx.store.set(enc.encode("txs"), enc.encode(String(n + 1)))
    return { signers: [] }
  }
}

const burner: Machine = {
  name: "burner",
  version: "0.0.1",
  msgTypeUrls: ["/test.Burn"],
  queryPrefixes: ["/burner.Query/"],
  signers: () => [],
  handle(ctx: MsgContext, msg: Any) {
    handled++
    const p = JSON.parse(dec.decode(msg.value)) as { burn: number; fail: boolean }
    for (let left = p.burn; left > 0; left -= 1_000) {
      ctx.gas.consume(1_000, "burn")
      burned += 1_000
    }
    if (p.fail) throw new InvalidRequest({ log: "fails on purpose" })
    const n = Number(dec.decode(ctx.store.get(enc.encode("done")) ?? enc.encode("0")))
    ctx.store.set(enc.encode("done"), enc.encode(String(n + 1)))
    return { typeUrl: "/test.BurnResponse", value: new Uint8Array() }
  },
  query: (ctx, path) => ctx.store.get(enc.encode(path.endsWith("done") ? "done" : "x")) ?? enc.encode("0"),
  initGenesis() {},
  exportGenesis: () => ({})
}
const auth: Machine = { ...burner, name: "auth", msgTypeUrls: [], queryPrefixes: ["/auth.Query/"], query: (ctx) => ctx.store.get(enc.encode("txs")) ?? enc.encode("0") }

const setup = async (opts: { blockMaxGas?: bigint; checkTxGasCap?: number }) => {
  const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: Application.namespaces() })
  const app = new Application({ chainId: "t-1", store, machines: [auth, burner], pipeline, ...opts })
  await app.initChain({ time: { seconds: 1n, nanos: 0 }, chainId: "t-1", validators: [], appStateBytes: new Uint8Array(), initialHeight: 1n })
  let height = 0
  const block = async (...txs: Uint8Array[]) => {
    height++
    const res = await app.finalizeBlock({
      txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: BigInt(height),
      time: { seconds: BigInt(height), nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array()
    })
    await app.commit()
    return res
  }
  const q = async (path: string) => dec.decode((await app.query({ path, data: new Uint8Array(), height: 0n, prove: false })).value)
  const check = (bytes: Uint8Array, type = CheckTxType.NEW) => app.checkTx({ tx: bytes, type })
  return { app, block, q, check }
}

test("a tx asking for more gas than the block's max_gas is refused with sdk 41 in CheckTx and in the block, and changes nothing", async () => {
  const { block, q, check } = await setup({ blockMaxGas: 10_000_000n })
  const c = await check(tx(10_000_001, 1_000))
  assert.is(c.code, 41)
  assert.is(c.codespace, "sdk")
  assert.match(c.log, /tx gas limit 10000001 exceeds block max gas 10000000/)
  const res = await block(tx(10_000_001, 1_000), tx(10_000_000, 1_000, 1))
  assert.equal(res.txResults.map((r) => r.code), [41, 0])
  assert.is(await q("/auth.Query/txs"), "1", "the refused tx did not reach the ante step: no fee, no sequence")
  assert.is(await q("/burner.Query/done"), "1")
})

test("without max_gas (-1) a large gas limit is allowed", async () => {
  const { block } = await setup({ blockMaxGas: -1n })
  const res = await block(tx(50_000_000, 1_000))
  assert.is(res.txResults[0]!.code, 0)
})

test("CheckTx spends at most the cap on a new tx's messages; a tx past it with gas to spare is admitted on its ante step and runs (and pays) in the block", async () => {
  const { block, q, check } = await setup({ checkTxGasCap: 100_000 })
  burned = 0
  const c = await check(tx(5_000_000, 3_000_000))
  assert.is(c.code, 0, c.log)
  assert.match(c.log, /admitted on its ante step: its messages passed the CheckTx gas cap of 100000/)
  assert.is(c.gasWanted, 5_000_000n)
  assert.ok(burned <= 100_000, `CheckTx burned ${burned} gas, cap 100,000`)
  burned = 0
  const res = await block(tx(5_000_000, 3_000_000))
  assert.is(res.txResults[0]!.code, 0)
  assert.is(burned, 3_000_000)
  assert.is(await q("/burner.Query/done"), "1")
})

test("a tx admitted at the cap that runs out of its own gas in the block fails there with code 11 and keeps its ante writes (the fee is paid)", async () => {
  const { block, q, check } = await setup({ checkTxGasCap: 100_000 })
  assert.is((await check(tx(2_000_000, 10_000_000))).code, 0)
  const res = await block(tx(2_000_000, 10_000_000))
  assert.is(res.txResults[0]!.code, 11)
  assert.is(await q("/auth.Query/txs"), "1")
  assert.is(await q("/burner.Query/done"), "0")
})

test("under the cap CheckTx still runs the messages: a failing tx is refused at admission, and one that runs out of its own gas below the cap too", async () => {
  const { check } = await setup({ checkTxGasCap: 100_000 })
  const failing = await check(tx(50_000, 10_000, 0, true))
  assert.is(failing.code, 18)
  assert.match(failing.log, /fails on purpose/)
  const short = await check(tx(50_000, 80_000, 1))
  assert.is(short.code, 11)
  // a tx whose gas limit is within the cap is never admitted on the cap's account
  const capped = await check(tx(100_000, 200_000, 2))
  assert.is(capped.code, 11)
})

test("a cap of 0 runs no messages in CheckTx (the SDK's admission): the ante step still decides", async () => {
  const { check } = await setup({ checkTxGasCap: 0 })
  handled = 0
  const r = await check(tx(50_000, 10_000, 0, true))
  assert.is(r.code, 0, r.log)
  assert.is(handled, 1, "the message started and was stopped at its first gas charge")
  assert.is((await check(tx(500, 10_000, 1))).code, 11, "a gas limit below the ante step's cost is still refused")
})

test("recheck runs the ante step only", async () => {
  const { check } = await setup({ checkTxGasCap: 100_000 })
  handled = 0
  const r = await check(tx(50_000, 10_000, 0, true), CheckTxType.RECHECK)
  assert.is(r.code, 0)
  assert.is(handled, 0)
})

test.run()
