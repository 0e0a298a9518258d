/**
 * The multiplexer's own guarantees, with small test machines over the real IAVL store and the
 * real kernel: routing conflicts, cross-machine calls checked against the capability table in
 * chain state (granted, missing, revoked), call depth, async sends delivered FIFO after all txs, message branches rolled back
 * on failure, queries of machines as kernel processes.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import { Application } from "../../chain/Application.ts"
import { CAPABILITIES_NAMESPACE, grantCapability, revokeCapability, type Grant } from "../../chain/Capabilities.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import { InvalidRequest } from "../../chain/ChainError.ts"
import type { ExecContext, Machine, MsgContext, QueryContext } from "../../chain/Machine.ts"
import { Router, RouterConflict } from "../../chain/Router.ts"
import type { DecodedTx, TxPipeline } from "../../chain/TxPipeline.ts"
import { machineProcessId } from "../../kernel/Address.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { request } from "../../kernel/Message.ts"
import { registerMachines } from "../../node/Node.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()

/** A tx here is JSON `{msgs: [{typeUrl, value}]}`: the pipeline under test is the multiplexer, not auth. */
const pipeline: TxPipeline = {
  decode: (bytes) => {
    let parsed: { msgs: Array<{ typeUrl: string; value: string }> }
    try {
      parsed = JSON.parse(dec.decode(bytes))
    } catch {
      throw new InvalidRequest({ log: "bad test tx" })
    }
    return { bytes, gasLimit: 1_000_000, memo: "", msgs: parsed.msgs.map((m) => ({ typeUrl: m.typeUrl, value: enc.encode(m.value) })) } satisfies DecodedTx
  },
  ante: (ctx) => {
    const n = Number(dec.decode(ctx.store.get(enc.encode("txs")) ?? enc.encode("0")))
    ctx.store.set(enc.encode("txs"), enc.encode(String(n + 1)))
    return { signers: [] }
  }
}
const tx = (...msgs: Array<[string, string]>) => enc.encode(JSON.stringify({ msgs: msgs.map(([typeUrl, value]) => ({ typeUrl, value })) }))

/** An interface whose requests are raw text (`{text}`), for the test machines. */
const textInterface = (name: string, methods: ReadonlyArray<string>): InterfaceSpec => {
  const codec = { encode: (v: { text: string }) => enc.encode(v.text), decode: (b: Uint8Array) => ({ text: dec.decode(b) }) }
  return { name, methods: Object.fromEntries(methods.map((m) => [m, { name: m, readOnly: false, request: codec, response: codec }])) }
}
const grant = (principal: string, iface: string, method: string): Grant => ({ principal, capability: { interface: iface, method, constraints: [] } })

/** "counter": /test.Inc increments key "n"; /test.Fail writes then throws; /test.Mint calls ledger.mint; /test.Send queues an async send; /test.Deep recurses through calls. */
const counter: Machine = {
  name: "counter",
  version: "0.0.1",
  msgTypeUrls: ["/test.Inc", "/test.Fail", "/test.Mint", "/test.Send", "/test.Deep", "/test.ActAs", "/test.QueryMint", "/test.Arm"],
  queryPrefixes: ["/test.Query/"],
  interface: textInterface("counter", ["bounce"]),
  grants: [grant("machine:counter", "ledger", "append"), grant("machine:counter", "ledger", "bounce")],
  signers: () => [],
  handle(ctx: MsgContext, msg: Any) {
    const v = dec.decode(msg.value)
    if (msg.typeUrl === "/test.Inc") {
      const n = Number(dec.decode(ctx.store.get(enc.encode("n")) ?? enc.encode("0")))
      ctx.store.set(enc.encode("n"), enc.encode(String(n + 1)))
    } else if (msg.typeUrl === "/test.Fail") {
      ctx.store.set(enc.encode("n"), enc.encode("999"))
      throw new InvalidRequest({ log: "fail on purpose" })
    } else if (msg.typeUrl === "/test.Mint") {
      ctx.call({ target: "ledger", method: "mint", body: msg.value })
    } else if (msg.typeUrl === "/test.Send") {
      ctx.send({ target: "ledger", method: "append", body: msg.value })
    } else if (msg.typeUrl === "/test.Arm") {
      ctx.store.set(enc.encode("arm"), msg.value)
    } else if (msg.typeUrl === "/test.ActAs") {
      // a machine that hosts no principals tries to call as someone else
      ctx.actAs(v).call({ target: "ledger", method: "mint", body: enc.encode("1") })
    } else if (msg.typeUrl === "/test.QueryMint") {
      ctx.query({ target: "ledger", method: "mint", body: enc.encode("1") })
    } else if (msg.typeUrl === "/test.Deep") {
      ctx.call({ target: "ledger", method: "bounce", body: enc.encode(v) })
    }
    return { typeUrl: msg.typeUrl + "Response", value: new Uint8Array() }
  },
  beginBlock(ctx: ExecContext) {
    // once armed, each beginBlock sends its text to the ledger (as a scheduled program would)
    const armed = ctx.store.get(enc.encode("arm"))
    if (armed) ctx.send({ target: "ledger", method: "append", body: armed })
  },
  onCall(ctx: ExecContext, _caller: string, method: string, body: Uint8Array) {
    if (method === "bounce") return ctx.call({ target: "ledger", method: "bounce", body })
    return new Uint8Array()
  },
  query(ctx: QueryContext) {
    return ctx.store.get(enc.encode("n")) ?? enc.encode("0")
  },
  initGenesis() {},
  exportGenesis: () => ({})
}

/** "ledger": mint adds to "minted"; append adds to the "log" list; bounce calls counter back. */
const ledger: Machine = {
  name: "ledger",
  version: "0.0.1",
  msgTypeUrls: [],
  queryPrefixes: ["/ledger.Query/"],
  interface: textInterface("ledger", ["mint", "append", "bounce"]),
  grants: [grant("machine:ledger", "counter", "bounce")],
  signers: () => [],
  handle: () => {
    throw new InvalidRequest({ log: "no messages" })
  },
  onCall(ctx, _caller, method, body) {
    const get = (k: string) => dec.decode(ctx.store.get(enc.encode(k)) ?? new Uint8Array())
    if (method === "mint") ctx.store.set(enc.encode("minted"), enc.encode(String(Number(get("minted") || "0") + Number(dec.decode(body)))))
    else if (method === "append") ctx.store.set(enc.encode("log"), enc.encode(get("log") + dec.decode(body)))
    else if (method === "bounce") return ctx.call({ target: "counter", method: "bounce", body })
    return new Uint8Array()
  },
  query(ctx, path) {
    return ctx.store.get(enc.encode(path.endsWith("Log") ? "log" : "minted")) ?? new Uint8Array()
  },
  initGenesis() {},
  exportGenesis: () => ({})
}

const setup = async () => {
  const kernel = makeKernel({ node: "test" })
  const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: Application.namespaces() })
  const auth: Machine = { ...ledger, name: "auth", queryPrefixes: [], onCall: undefined, interface: undefined, grants: [] }
  const set = {
    machines: [
      { machine: auth },
      { machine: counter },
      { machine: ledger }
    ],
    pipeline
  }
  let app: Application | undefined
  registerMachines(kernel, set, () => app!)
  app = new Application({ chainId: "t-1", store, machines: set.machines.map((m) => m.machine), pipeline })
  await app.initChain({ time: { seconds: 1n, nanos: 0 }, chainId: "t-1", validators: [], appStateBytes: new Uint8Array(), initialHeight: 1n })
  let height = 0
  const block = async (...txs: Uint8Array[]) => {
    height++
    const res = await app!.finalizeBlock({
      txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: BigInt(height),
      time: { seconds: BigInt(height), nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array()
    })
    await app!.commit()
    return res
  }
  const q = async (path: string) => dec.decode((await app!.query({ path, data: new Uint8Array(), height: 0n, prove: false })).value)
  return { kernel, app, block, q, store }
}

test("a type URL claimed by two machines is refused at construction", () => {
  assert.throws(() => new Router([counter, { ...ledger, msgTypeUrls: ["/test.Inc"] }]), (e: unknown) => e instanceof RouterConflict && /\/test.Inc/.test((e as Error).message))
})

test("a principal kind hosted by two machines is refused at construction: neither could act as the other's principals", () => {
  assert.throws(
    () => new Router([{ ...counter, hosts: ["evm"] }, { ...ledger, hosts: ["program", "evm"] }]),
    (e: unknown) => e instanceof RouterConflict && /hosted principal kind "evm"/.test((e as Error).message)
  )
  new Router([{ ...counter, hosts: ["evm"] }, { ...ledger, hosts: ["program"] }])
})

test("messages run in order; a failing message rolls back its tx's message writes but keeps the ante writes", async () => {
  const { block, q, store } = await setup()
  const res = await block(tx(["/test.Inc", ""]), tx(["/test.Inc", ""], ["/test.Fail", ""]), tx(["/test.Inc", ""]))
  assert.equal(res.txResults.map((r) => r.code), [0, 18, 0])
  assert.match(res.txResults[1]!.log, /fail on purpose/)
  assert.is(await q("/test.Query/n"), "2")
  const txs = (await store.snapshot()).store("auth").get(enc.encode("txs"))
  assert.is(dec.decode(txs!), "3", "ante ran for all three txs")
})

test("an unknown message type is refused with code 6 before the ante step", async () => {
  const { block, store } = await setup()
  const res = await block(tx(["/nobody.Msg", ""]))
  assert.is(res.txResults[0]!.code, 6)
  assert.match(res.txResults[0]!.log, /unrecognized message type: \/nobody.Msg/)
  assert.is((await store.snapshot()).store("auth").get(enc.encode("txs")), undefined)
})

test("a call without the capability is refused; granting it in chain state allows it; revoking refuses again", async () => {
  const { block, q, store } = await setup()
  const r1 = await block(tx(["/test.Mint", "5"]))
  assert.is(r1.txResults[0]!.code, 4)
  assert.match(r1.txResults[0]!.log, /machine:counter holds no capability ledger\.mint/)
  assert.is(await q("/ledger.Query/minted"), "")
  const before = store.lastCommit().hash
  // a grant is chain state: it changes the app hash (as governance will, next issue)
  grantCapability(store.store(CAPABILITIES_NAMESPACE), grant("machine:counter", "ledger", "mint"))
  const r2 = await block(tx(["/test.Mint", "5"]))
  assert.is(r2.txResults[0]!.code, 0)
  assert.not.equal(r2.appHash, before)
  assert.is(await q("/ledger.Query/minted"), "5")
  assert.ok(revokeCapability(store.store(CAPABILITIES_NAMESPACE), grant("machine:counter", "ledger", "mint")))
  assert.is((await block(tx(["/test.Mint", "5"]))).txResults[0]!.code, 4)
  assert.is(await q("/ledger.Query/minted"), "5")
})

test("only a machine that hosts a principal kind may act as one; a query cannot reach a state-changing method", async () => {
  const { block, q } = await setup()
  const r = await block(tx(["/test.ActAs", "program:cyber1someone"]), tx(["/test.ActAs", "machine:ledger"]), tx(["/test.QueryMint", ""]), tx(["/test.ActAs", "program:bad/id"]))
  assert.equal(r.txResults.map((x) => x.code), [4, 4, 6, 18])
  assert.match(r.txResults[0]!.log, /machine "counter" does not host program principals and cannot act as program:cyber1someone/)
  assert.match(r.txResults[1]!.log, /does not host machine principals/)
  assert.match(r.txResults[2]!.log, /ledger\.mint changes state: not callable as a query \(called by machine:counter\)/)
  assert.match(r.txResults[3]!.log, /invalid principal "program:bad\/id"/)
  assert.is(await q("/ledger.Query/minted"), "")
})

test("synchronous calls nest at most 10 deep", async () => {
  const { block } = await setup()
  const res = await block(tx(["/test.Deep", "x"]))
  assert.is(res.txResults[0]!.code, 18)
  assert.match(res.txResults[0]!.log, /call depth exceeds 10/)
})

test("async sends are delivered after all txs, FIFO; sends of a failed tx are dropped", async () => {
  const { block, q } = await setup()
  await block(tx(["/test.Send", "a"]), tx(["/test.Send", "X"], ["/test.Fail", ""]), tx(["/test.Send", "b"], ["/test.Send", "c"]))
  assert.is(await q("/ledger.Query/Log"), "abc")
})

test("sends queued in beginBlock are delivered first in the block's FIFO", async () => {
  const { block, q } = await setup()
  await block(tx(["/test.Arm", "B"]))
  await block(tx(["/test.Send", "a"]))
  assert.is(await q("/ledger.Query/Log"), "Ba")
})

test("machines are kernel processes: a node-plane process queries bank-style by message", async () => {
  const { kernel, block } = await setup()
  await block(tx(["/test.Inc", ""]))
  const client = kernel.spawn({ id: { processName: "client", packageName: "test", publisherNode: "test" }, process: {} })
  const reply = await client.request(kernel.address(machineProcessId("counter")), request(RequestQuery.encode({ path: "/test.Query/n", data: new Uint8Array(), height: 0n, prove: false }).finish(), 1000))
  const res = ResponseQuery.decode(reply.response.body)
  assert.is(res.code, 0)
  assert.is(dec.decode(res.value), "1")
  kernel.shutdown()
})

test.run()
