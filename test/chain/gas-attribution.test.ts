/**
 * Gas per machine (chain/GasAttribution.ts): the Application marks the ante machine, each
 * message's machine and each call's callee, so a block's figures sum to its txs' gas_used, a
 * callee's store gas is its own, failed txs count too, and an observer never changes the app hash.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { Application } from "../../chain/Application.ts"
import { InvalidRequest } from "../../chain/ChainError.ts"
import { KVGasConfig } from "../../chain/Gas.ts"
import { GasAttribution } from "../../chain/GasAttribution.ts"
import { GasMeter } from "../../chain/Gas.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import type { Machine, MsgContext } from "../../chain/Machine.ts"
import type { DecodedTx, TxPipeline } from "../../chain/TxPipeline.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()

const pipeline: TxPipeline = {
  decode: (bytes) => {
    const parsed = JSON.parse(dec.decode(bytes)) as string[]
    return { bytes, gasLimit: 1_000_000, memo: "", msgs: parsed.map((typeUrl) => ({ typeUrl, value: new Uint8Array() })) } satisfies DecodedTx
  },
  ante: (ctx) => {
    ctx.store.set(enc.encode("seq"), enc.encode("1"))
    return { signers: [] }
  }
}
const tx = (...msgs: string[]) => enc.encode(JSON.stringify(msgs))

const codec = { encode: (v: { text: string }) => enc.encode(v.text), decode: (b: Uint8Array) => ({ text: dec.decode(b) }) }
const iface = (name: string): InterfaceSpec => ({ name, methods: { work: { name: "work", readOnly: false, request: codec, response: codec } } })

const base = { version: "0.0.1", queryPrefixes: [], signers: () => [], grants: [], initGenesis() {}, exportGenesis: () => ({}), query: () => new Uint8Array() }
const auth: Machine = { ...base, name: "auth", msgTypeUrls: [], handle: () => ({ typeUrl: "", value: new Uint8Array() }) }
/** Writes "k" = "v" in its own store when called: 2000 + 30 * 2 gas. */
const callee: Machine = {
  ...base, name: "callee", msgTypeUrls: [], interface: iface("callee"),
  handle: () => ({ typeUrl: "", value: new Uint8Array() }),
  onCall: (ctx) => {
    ctx.store.set(enc.encode("k"), enc.encode("v"))
    return new Uint8Array()
  }
}
const caller: Machine = {
  ...base, name: "caller", msgTypeUrls: ["/t.Call", "/t.Fail"],
  grants: [{ principal: "machine:caller", capability: { interface: "callee", method: "work", constraints: [] } }],
  handle(ctx: MsgContext, msg: Any) {
    ctx.store.set(enc.encode("mine"), enc.encode("x"))
    ctx.call({ target: "callee", method: "work", body: new Uint8Array() })
    if (msg.typeUrl === "/t.Fail") throw new InvalidRequest({ log: "fail on purpose" })
    return { typeUrl: "", value: new Uint8Array() }
  }
}

const setup = async (observe: boolean) => {
  const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: Application.namespaces() })
  const seen: Array<{ height: number; gas: Record<string, number> }> = []
  const app = new Application({
    chainId: "t-1", store, machines: [auth, caller, callee], pipeline,
    ...(observe ? { gasObserver: { blockGas: (height: number, gas: ReadonlyMap<string, number>) => seen.push({ height, gas: Object.fromEntries(gas) }) } } : {})
  })
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
  return { app, block, seen, store }
}

test("a block's gas per machine: ante, message and callee each get their own store gas, summing to gas_used", async () => {
  const { block, seen } = await setup(true)
  const res = await block(tx("/t.Call"), tx("/t.Fail"))
  assert.equal(res.txResults.map((r) => r.code === 0), [true, false])
  assert.is(seen.length, 1)
  const { height, gas } = seen[0]!
  assert.is(height, 1)
  const write = (k: string, v: string) => KVGasConfig.writeCostFlat + KVGasConfig.writeCostPerByte * (k.length + v.length)
  assert.is(gas.callee, 2 * write("k", "v"), "the callee's writes are the callee's (in both txs)")
  assert.ok(gas.caller! >= 2 * write("mine", "x"), `caller: ${gas.caller}`)
  assert.ok(gas.auth! > 0, "the ante machine's gas")
  const total = res.txResults.reduce((a, r) => a + Number(r.gasUsed), 0)
  assert.is(Object.values(gas).reduce((a, b) => a + b, 0), total, "machines sum to the txs' gas_used")
  await block()
  assert.equal(seen[1], { height: 2, gas: {} }, "an empty block reports no gas")
})

test("the observer changes no result: same app hash and tx results with and without it", async () => {
  const a = await setup(true)
  const b = await setup(false)
  const ra = await a.block(tx("/t.Call"), tx("/t.Fail"), tx("/t.Call", "/t.Call"))
  const rb = await b.block(tx("/t.Call"), tx("/t.Fail"), tx("/t.Call", "/t.Call"))
  assert.equal(ra.appHash, rb.appHash)
  assert.equal(ra.txResults.map((r) => [r.code, r.gasUsed]), rb.txResults.map((r) => [r.code, r.gasUsed]))
})

test("GasAttribution: nested frames, refunds kept signed, frames of an unfinished tx dropped", () => {
  const att = new GasAttribution()
  const m = new GasMeter(1_000_000)
  att.start(m)
  att.enter("a")
  m.consume(10, "t")
  att.enter("b")
  m.consume(5, "t")
  m.refund(7)
  att.exit()
  m.consume(1, "t")
  att.enter("c") // never exited: the next tx drops the frame
  m.consume(3, "t")
  const m2 = new GasMeter(100)
  att.start(m2)
  m2.consume(4, "t")
  assert.equal(Object.fromEntries(att.take()), { a: 11, b: -2, c: 3, "(tx)": 4 })
  assert.equal(Object.fromEntries(att.take()), {})
})

test.run()
