// The wasmd layer's semantics through the real Application (auth, bank, cyberwasm) with a test
// double of the CosmWasm VM whose contracts are TypeScript functions: messages and responses as
// wasmd's, env/info JSON, events, funds before execute, submessages with their branches and
// replies, a contract moving only its own funds, migrate/admin rules, queries with pagination,
// bad input, genesis export/import.
import { gzipSync } from "fflate"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import {
  MsgExecuteContractResponse, MsgInstantiateContractResponse, MsgStoreCodeResponse
} from "cosmjs-types/cosmwasm/wasm/v1/tx"
import {
  QueryAllContractStateRequest, QueryAllContractStateResponse, QueryCodeRequest, QueryCodeResponse, QueryCodesRequest, QueryCodesResponse, QueryContractHistoryRequest,
  QueryContractHistoryResponse, QueryContractInfoRequest, QueryContractInfoResponse, QueryContractsByCodeRequest, QueryContractsByCodeResponse,
  QueryRawContractStateRequest, QueryRawContractStateResponse, QuerySmartContractStateRequest, QuerySmartContractStateResponse
} from "cosmjs-types/cosmwasm/wasm/v1/query"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { bech32, classicAddress, predictableAddress } from "../../modules/cyberwasm/cosmwasm/Address.ts"
import { sha256 } from "../../lib/Bytes.ts"
import { fromBech32 } from "@cosmjs/encoding"
import { attr, b64, FakeVm, fakeChain, parse, unb64 } from "./wasmd-support.ts"

const test = suite("wasmd layer (VM test double)")
const enc = new TextEncoder()
const U = "/cosmwasm.wasm.v1."

const vm = new FakeVm()
// the "tester" contract: records what it sees, echoes submessages, replies into storage
vm.contracts.set("tester", {
  instantiate: (env, info, msg, api) => {
    if (msg.fail) return { error: "init refused" }
    api.set("env", JSON.stringify(env))
    api.set("info", JSON.stringify(info))
    return { ok: { messages: [], attributes: [{ key: "action", value: "init" }], events: [], data: b64("init-data") } }
  },
  execute: (env, info, msg, api) => {
    api.set("last_env", JSON.stringify(env))
    if (msg.balance) {
      // funds arrive before execute: the contract sees them in its own balance
      const r = api.query({ bank: { balance: { address: env.contract.address, denom: "milk" } } })
      return { ok: { messages: [], attributes: [], events: [], data: r.ok.ok } }
    }
    if (msg.write) {
      api.set(msg.write.key, msg.write.value)
      return { ok: { messages: [], attributes: [{ key: "wrote", value: msg.write.key }], events: [{ type: "store", attributes: [{ key: "k", value: msg.write.key }] }], data: null } }
    }
    if (msg.write_then_fail) {
      api.set(msg.write_then_fail.key, "x")
      return { error: "failing on purpose" }
    }
    if (msg.submsgs) {
      if (msg.submsgs.write) api.set(msg.submsgs.write, "parent")
      return { ok: { messages: msg.submsgs.msgs, attributes: [], events: [], data: msg.submsgs.data ?? null } }
    }
    if (msg.attrs) return { ok: { messages: [], attributes: msg.attrs, events: msg.events ?? [], data: null } }
    if (msg.query) return { ok: { messages: [], attributes: [], events: [], data: b64(api.query(msg.query)) } }
    return { error: "unknown msg" }
  },
  reply: (_env, _info, reply, api) => {
    api.set(`reply:${reply.id}`, JSON.stringify(reply))
    const payload = reply.payload ? unb64(reply.payload) : ""
    if (payload === "fail") return { error: "reply refuses" }
    return { ok: { messages: [], attributes: [{ key: "replied", value: String(reply.id) }], events: [], data: payload === "nodata" ? null : b64(`reply-${reply.id}`) } }
  },
  query: (env, _info, msg, api) => {
    if (msg.get) return { ok: b64(api.get(msg.get) ?? "") }
    if (msg.env) return { ok: b64(JSON.stringify(env)) }
    return { error: "bad query" }
  },
  migrate: (_env, _info, msg, api) => {
    api.set("migrated", JSON.stringify(msg))
    return { ok: { messages: [], attributes: [], events: [], data: b64("migrated") } }
  }
})
vm.contracts.set("nomigrate", { instantiate: () => ({ ok: { messages: [], attributes: [], events: [] } }), execute: () => ({ ok: { messages: [], attributes: [], events: [] } }) })

const { chain, addresses, tx, balance, sign } = await fakeChain(vm)
const [alice, bob, carol] = addresses as [string, string, string]
const data = (r: { data: Uint8Array }) => TxMsgData.decode(r.data).msgResponses
const query = async <A>(path: string, req: Uint8Array, codec: { decode(b: Uint8Array): A }) => {
  const r = await chain.query(`${U}Query/${path}`, req)
  if (r.code !== 0) throw Object.assign(new Error(r.log), { code: r.code, codespace: r.codespace })
  return codec.decode(r.value)
}
const store = (wasm: Uint8Array, sender = alice) => ({ typeUrl: `${U}MsgStoreCode`, value: { sender, wasmByteCode: wasm } })
const inst = (codeId: bigint, msg: unknown, o: { sender?: string; admin?: string; funds?: Array<{ denom: string; amount: string }>; label?: string } = {}) => ({
  typeUrl: `${U}MsgInstantiateContract`,
  value: { sender: o.sender ?? alice, admin: o.admin ?? "", codeId, label: o.label ?? "test", msg: enc.encode(JSON.stringify(msg)), funds: o.funds ?? [] }
})
const exec = (contract: string, msg: unknown, o: { sender?: string; funds?: Array<{ denom: string; amount: string }> } = {}) => ({
  typeUrl: `${U}MsgExecuteContract`, value: { sender: o.sender ?? alice, contract, msg: enc.encode(JSON.stringify(msg)), funds: o.funds ?? [] }
})
const smart = async (contract: string, msg: unknown) =>
  new TextDecoder().decode((await query("SmartContractState", QuerySmartContractStateRequest.encode({ address: contract, queryData: enc.encode(JSON.stringify(msg)) }).finish(), QuerySmartContractStateResponse)).data)
const get = (contract: string, key: string) => smart(contract, { get: key })

const TESTER = enc.encode("fake:tester")
let codeId = 0n
let contract = ""

test("MsgStoreCode: code id 1 from the sequence, checksum = sha256, store_code event; gzip uploads accepted; bytes stored once", async () => {
  const r = await tx(alice, [store(TESTER), store(gzipSync(TESTER))])
  assert.is(r.code, 0, r.log)
  const [first, second] = data(r)
  assert.is(first!.typeUrl, `${U}MsgStoreCodeResponse`)
  const a = MsgStoreCodeResponse.decode(first!.value)
  const b = MsgStoreCodeResponse.decode(second!.value)
  assert.is(a.codeId, 1n)
  assert.is(b.codeId, 2n)
  assert.equal(a.checksum, sha256(TESTER))
  assert.equal(b.checksum, sha256(TESTER), "the gzip upload is the same code")
  assert.is(attr(r, "store_code", "code_id"), "1")
  assert.is(attr(r, "store_code", "code_checksum"), Buffer.from(sha256(TESTER)).toString("hex"))
  codeId = a.codeId
  const codes = await query("Codes", QueryCodesRequest.encode({}).finish(), QueryCodesResponse)
  assert.equal(codes.codeInfos.map((c) => c.codeId), [1n, 2n])
  assert.is(codes.codeInfos[0]!.creator, alice)
})

test("MsgInstantiateContract: classic address, env/info JSON as wasmvm builds them, instantiate and wasm events, response {address, data}", async () => {
  const r = await tx(alice, [inst(codeId, {}, { admin: alice, funds: [{ denom: "milk", amount: "10" }] })])
  assert.is(r.code, 0, r.log)
  const resp = MsgInstantiateContractResponse.decode(data(r)[0]!.value)
  contract = resp.address
  assert.is(contract, bech32("cyber", classicAddress(codeId, 1n)))
  assert.is(new TextDecoder().decode(resp.data), "init-data")
  assert.is(attr(r, "instantiate", "_contract_address"), contract)
  assert.is(attr(r, "instantiate", "code_id"), "1")
  const wasm = r.events.find((e) => e.type === "wasm")!
  assert.equal(wasm.attributes.filter((a) => a.key !== "msg_index").map((a) => [a.key, a.value]), [["_contract_address", contract], ["action", "init"]])
  const env = JSON.parse(await get(contract, "env"))
  assert.is(env.block.height, chain.height)
  assert.is(env.block.time, ((1_700_000_000n + BigInt(chain.height) * 5n) * 1_000_000_000n).toString(), "block time in ns as a string")
  assert.is(env.block.chain_id, "cyber-test-1")
  assert.is(env.transaction.index, 0)
  assert.is(env.contract.address, contract)
  assert.equal(JSON.parse(await get(contract, "info")), { sender: alice, funds: [{ denom: "milk", amount: "10" }] })
  assert.is(await balance(contract, "milk"), 10n)
  const info = await query("ContractInfo", QueryContractInfoRequest.encode({ address: contract }).finish(), QueryContractInfoResponse)
  assert.is(info.contractInfo!.codeId, codeId)
  assert.is(info.contractInfo!.creator, alice)
  assert.is(info.contractInfo!.admin, alice)
  assert.is(info.contractInfo!.label, "test")
  assert.is(info.contractInfo!.created!.blockHeight, BigInt(chain.height))
})

test("env.transaction.index is the tx's position in the block, every tx counted (wasmd CountTXDecorator)", async () => {
  const send = (from: string) => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from, toAddress: carol, amount: [{ denom: "boot", amount: "1" }] } })
  const rs = await chain.block([await sign(bob, [send(bob)]), await sign(carol, [send(carol)]), await sign(alice, [exec(contract, { write: { key: "t", value: "2" } })])])
  assert.equal(rs.map((r) => r.code), [0, 0, 0], rs.map((r) => r.log).join("; "))
  assert.is(JSON.parse(await get(contract, "last_env")).transaction.index, 2)
  // a block where the contract tx comes first
  const [first] = await chain.block([await sign(alice, [exec(contract, { write: { key: "t", value: "0" } })]), await sign(bob, [send(bob)])])
  assert.is(first!.code, 0, first!.log)
  assert.is(JSON.parse(await get(contract, "last_env")).transaction.index, 0)
})

test("SmartContractState: env as wasmvm builds it for a query (latest block time in ns, no transaction)", async () => {
  const env = JSON.parse(await smart(contract, { env: {} }))
  assert.is(env.block.chain_id, "cyber-test-1")
  assert.is(env.block.time, ((1_700_000_000n + BigInt(chain.height) * 5n) * 1_000_000_000n).toString())
  assert.is(env.transaction, undefined)
  assert.is(env.contract.address, contract)
})

test("MsgInstantiateContract2: wasmd's predictable address; the same salt again is code 15 (duplicate)", async () => {
  const salt = enc.encode("salty")
  const m = (fixMsg: boolean) => ({ typeUrl: `${U}MsgInstantiateContract2`, value: { sender: bob, admin: "", codeId, label: "two", msg: enc.encode("{}"), funds: [], salt, fixMsg } })
  const r = await tx(bob, [m(false)])
  assert.is(r.code, 0, r.log)
  const expected = bech32("cyber", predictableAddress(sha256(TESTER), fromBech32(bob, 1023).data, salt, new Uint8Array()))
  assert.is(attr(r, "instantiate", "_contract_address"), expected)
  const again = await tx(bob, [m(false)])
  assert.is(again.code, 15)
  assert.is(again.codespace, "wasm")
  const fixed = await tx(bob, [m(true)])
  assert.is(fixed.code, 0, fixed.log)
  assert.is(attr(fixed, "instantiate", "_contract_address"), bech32("cyber", predictableAddress(sha256(TESTER), fromBech32(bob, 1023).data, salt, enc.encode("{}"))))
})

test("MsgExecuteContract: funds reach the contract before it runs (its own balance query sees them); execute event; data in the response", async () => {
  const r = await tx(bob, [exec(contract, { balance: {} }, { sender: bob, funds: [{ denom: "milk", amount: "5" }] })])
  assert.is(r.code, 0, r.log)
  assert.is(attr(r, "execute", "_contract_address"), contract)
  const d = MsgExecuteContractResponse.decode(data(r)[0]!.value).data
  assert.equal(JSON.parse(new TextDecoder().decode(d)), { amount: { denom: "milk", amount: "15" } })
  assert.is(await balance(contract, "milk"), 15n)
})

test("a failed execute is code 5 (wasm) and leaves nothing behind", async () => {
  const before = await balance(contract, "milk")
  const r = await tx(alice, [exec(contract, { write_then_fail: { key: "ghost" } }, { funds: [{ denom: "milk", amount: "1" }] })])
  assert.is(r.code, 5)
  assert.is(r.codespace, "wasm")
  assert.match(r.log, "failing on purpose")
  assert.is(await get(contract, "ghost"), "")
  assert.is(await balance(contract, "milk"), before)
})

test("events: wasm attributes trimmed, custom events as wasm-<type>; an empty or `_` key and a short type are code 21", async () => {
  const r = await tx(alice, [exec(contract, { attrs: [{ key: " a ", value: " b " }], events: [{ type: "transfer", attributes: [{ key: "x", value: "y" }] }] })])
  assert.is(r.code, 0, r.log)
  assert.equal(r.events.find((e) => e.type === "wasm")!.attributes.filter((a) => a.key !== "msg_index").map((a) => [a.key, a.value]), [["_contract_address", contract], ["a", "b"]])
  assert.equal(r.events.find((e) => e.type === "wasm-transfer")!.attributes.filter((a) => a.key !== "msg_index").map((a) => [a.key, a.value]), [["_contract_address", contract], ["x", "y"]])
  for (const bad of [{ attrs: [{ key: " ", value: "v" }] }, { attrs: [{ key: "_contract_address", value: "spoof" }] }, { attrs: [], events: [{ type: "ab", attributes: [] }] }]) {
    const f = await tx(alice, [exec(contract, bad)])
    assert.is(f.code, 21, JSON.stringify(bad))
    assert.is(f.codespace, "wasm")
  }
})

const sub = (id: number, msg: unknown, replyOn: string, payload?: string, gasLimit?: number) =>
  ({ id, msg, reply_on: replyOn, gas_limit: gasLimit ?? null, ...(payload ? { payload: b64(payload) } : {}) })
const wasmExec = (addr: string, msg: unknown, funds: unknown[] = []) => ({ wasm: { execute: { contract_addr: addr, msg: b64(msg), funds } } })

test("submessage bank send moves the contract's own funds; reply on success gets events, data and msg_responses as wasmd builds them", async () => {
  const r = await tx(alice, [exec(contract, { submsgs: { msgs: [sub(7, { bank: { send: { to_address: carol, amount: [{ denom: "milk", amount: "3" }] } } }, "success", "p")] } })])
  assert.is(r.code, 0, r.log)
  assert.is(await balance(contract, "milk"), 12n)
  const reply = JSON.parse(await get(contract, "reply:7"))
  assert.is(reply.id, 7)
  assert.is(unb64(reply.payload), "p")
  assert.is(reply.gas_used, 0)
  assert.equal(reply.result.ok.events, [], "events of non-wasm messages are not given to the reply (wasmd)")
  assert.equal(reply.result.ok.msg_responses, [{ type_url: "/cosmos.bank.v1beta1.MsgSendResponse", value: "" }])
  assert.is(reply.result.ok.data, undefined)
  // data of the execute is the reply's
  assert.is(new TextDecoder().decode(MsgExecuteContractResponse.decode(data(r)[0]!.value).data), "reply-7")
  assert.is(attr(r, "reply", "_contract_address"), contract)
})

test("a wasm submessage's reply carries its events (attributes sorted by key) and the protobuf MsgExecuteContractResponse as data", async () => {
  const r = await tx(alice, [exec(contract, { submsgs: { msgs: [sub(8, wasmExec(contract, { write: { key: "k8", value: "v" } }), "always")] } })])
  assert.is(r.code, 0, r.log)
  const reply = JSON.parse(await get(contract, "reply:8"))
  const types = reply.result.ok.events.map((e: { type: string }) => e.type)
  assert.equal(types, ["execute", "wasm", "wasm-store"])
  assert.equal(reply.result.ok.events[1].attributes, [{ key: "_contract_address", value: contract }, { key: "wrote", value: "k8" }])
  assert.equal(reply.result.ok.msg_responses.map((m: { type_url: string }) => m.type_url), ["/cosmwasm.wasm.v1.MsgExecuteContractResponse"])
  assert.is(await get(contract, "k8"), "v")
})

test("a failing submessage with reply_on error: its branch is discarded, the reply gets the redacted error, the tx succeeds", async () => {
  const r = await tx(alice, [exec(contract, { submsgs: { write: "kept", msgs: [sub(9, wasmExec(contract, { write_then_fail: { key: "rolled_back" } }), "error")] } })])
  assert.is(r.code, 0, r.log)
  assert.is(await get(contract, "rolled_back"), "", "the submessage's writes are gone")
  assert.is(await get(contract, "kept"), "parent", "the caller's own writes stay")
  assert.equal(JSON.parse(await get(contract, "reply:9")).result, { error: "codespace: wasm, code: 5" })
  assert.is(r.events.filter((e) => e.type === "execute").length, 1, "the failed submessage's events are dropped with its branch")
})

test("a failing submessage without reply (reply_on success / never) aborts the whole tx", async () => {
  for (const on of ["success", "never"]) {
    const r = await tx(alice, [exec(contract, { submsgs: { write: `parent_${on}`, msgs: [sub(10, wasmExec(contract, { write_then_fail: { key: "x" } }), on)] } })])
    assert.is(r.code, 5, on)
    assert.is(await get(contract, `parent_${on}`), "", "the parent's writes are rolled back too")
  }
})

test("a reply that fails aborts the tx (wasmd: error in reply)", async () => {
  const r = await tx(alice, [exec(contract, { submsgs: { write: "parent_rf", msgs: [sub(11, { bank: { send: { to_address: carol, amount: [{ denom: "milk", amount: "1" }] } } }, "always", "fail")] } })])
  assert.is(r.code, 5)
  assert.is(await get(contract, "parent_rf"), "")
  assert.is(await balance(contract, "milk"), 12n)
})

test("a contract cannot move another account's funds: a stargate/any MsgSend from a victim is refused (code 4); its own bank send beyond its balance fails (code 5, sdk) and the reply sees it", async () => {
  const victimBefore = await balance(alice, "milk")
  const steal = MsgSend.encode({ fromAddress: alice, toAddress: contract, amount: [{ denom: "milk", amount: "100" }] }).finish()
  for (const kind of ["stargate", "any"]) {
    const r = await tx(bob, [exec(contract, { submsgs: { msgs: [sub(12, { [kind]: { type_url: "/cosmos.bank.v1beta1.MsgSend", value: Buffer.from(steal).toString("base64") } }, "never")] } }, { sender: bob })])
    assert.is(r.code, 4, r.log)
    assert.match(r.log, "contract doesn't have permission")
  }
  assert.is(await balance(alice, "milk"), victimBefore)
  const over = await tx(bob, [exec(contract, { submsgs: { msgs: [sub(13, { bank: { send: { to_address: bob, amount: [{ denom: "milk", amount: "1000000" }] } } }, "error")] } }, { sender: bob })])
  assert.is(over.code, 0, over.log)
  assert.equal(JSON.parse(await get(contract, "reply:13")).result, { error: "codespace: sdk, code: 5" })
  // the contract's own MsgSend through `any` is allowed (its signer is the contract)
  const own = MsgSend.encode({ fromAddress: contract, toAddress: carol, amount: [{ denom: "milk", amount: "2" }] }).finish()
  const ok = await tx(bob, [exec(contract, { submsgs: { msgs: [sub(14, { any: { type_url: "/cosmos.bank.v1beta1.MsgSend", value: Buffer.from(own).toString("base64") } }, "never")] } }, { sender: bob })])
  assert.is(ok.code, 0, ok.log)
  assert.is(await balance(contract, "milk"), 10n)
})

test("unsupported CosmosMsg kinds are code 20 (unknown message from the contract)", async () => {
  const r = await tx(alice, [exec(contract, { submsgs: { msgs: [sub(15, { staking: { delegate: { validator: "x", amount: { denom: "boot", amount: "1" } } } }, "never")] } })])
  assert.is(r.code, 20)
  assert.is(r.codespace, "wasm")
})

test("submessage gas_limit: running out charges exactly the limit and the reply sees sdk code 11", async () => {
  vm.gasPerCall = 50_000n
  try {
    const r = await tx(alice, [exec(contract, { submsgs: { msgs: [sub(16, wasmExec(contract, { write: { key: "g", value: "v" } }), "error", undefined, 70_000)] } })])
    assert.is(r.code, 0, r.log)
    assert.equal(JSON.parse(await get(contract, "reply:16")).result, { error: "codespace: sdk, code: 11" })
    assert.is(await get(contract, "g"), "")
    // the same with a 20,000 higher limit costs exactly 20,000 more: the limit is what is charged
    const r2 = await tx(alice, [exec(contract, { submsgs: { msgs: [sub(16, wasmExec(contract, { write: { key: "g", value: "v" } }), "error", undefined, 90_000)] } })])
    assert.is(r2.code, 0, r2.log)
    assert.is(r2.gasUsed - r.gasUsed, 20_000n)
  } finally {
    vm.gasPerCall = 1_000n
  }
})

test("query_chain: wasm smart/raw/contract_info/code_info answers; unknown contract is no_such_contract; staking on a chain without a staking machine is unsupported_request", async () => {
  const q = async (request: unknown) => {
    const r = await tx(alice, [exec(contract, { query: request })])
    assert.is(r.code, 0, r.log)
    return JSON.parse(unb64(Buffer.from(MsgExecuteContractResponse.decode(data(r)[0]!.value).data).toString("base64")))
  }
  const infoQ = await q({ wasm: { contract_info: { contract_addr: contract } } })
  assert.equal(JSON.parse(unb64(infoQ.ok.ok)), { code_id: 1, creator: alice, admin: alice, pinned: false, ibc_port: null })
  const codeQ = await q({ wasm: { code_info: { code_id: 1 } } })
  assert.equal(JSON.parse(unb64(codeQ.ok.ok)), { code_id: 1, creator: alice, checksum: Buffer.from(sha256(TESTER)).toString("hex") })
  const smartQ = await q({ wasm: { smart: { contract_addr: contract, msg: b64({ get: "kept" }) } } })
  assert.is(unb64(smartQ.ok.ok), "parent")
  const rawQ = await q({ wasm: { raw: { contract_addr: contract, key: b64("kept") } } })
  assert.is(unb64(rawQ.ok.ok), "parent")
  const missing = bech32("cyber", classicAddress(99n, 99n))
  assert.equal(await q({ wasm: { smart: { contract_addr: missing, msg: b64({}) } } }), { error: { no_such_contract: { addr: missing } } })
  assert.equal(await q({ staking: { bonded_denom: {} } }), { error: { unsupported_request: { kind: "staking" } } })
  const failing = await q({ wasm: { smart: { contract_addr: contract, msg: b64({ nope: 1 }) } } })
  assert.is(failing.ok.error, "bad query")
})

test("migrate: only the admin; code 11 when the new code has no migrate; history and contracts-by-code follow; update/clear admin", async () => {
  const up = await tx(alice, [store(enc.encode("fake:nomigrate"))])
  const noMigrate = MsgStoreCodeResponse.decode(data(up)[0]!.value).codeId
  const migrate = (sender: string, code: bigint) => ({ typeUrl: `${U}MsgMigrateContract`, value: { sender, contract, codeId: code, msg: enc.encode('{"v":2}') } })
  assert.is((await tx(bob, [migrate(bob, 2n)])).code, 4)
  const bad = await tx(alice, [migrate(alice, noMigrate)])
  assert.is(bad.code, 11, bad.log)
  const ok = await tx(alice, [migrate(alice, 2n)])
  assert.is(ok.code, 0, ok.log)
  assert.is(attr(ok, "migrate", "code_id"), "2")
  assert.is(await get(contract, "migrated"), '{"v":2}')
  const hist = await query("ContractHistory", QueryContractHistoryRequest.encode({ address: contract }).finish(), QueryContractHistoryResponse)
  assert.equal(hist.entries.map((e) => [e.operation, e.codeId]), [[1, 1n], [2, 2n]])
  const by1 = await query("ContractsByCode", QueryContractsByCodeRequest.encode({ codeId: 1n }).finish(), QueryContractsByCodeResponse)
  const by2 = await query("ContractsByCode", QueryContractsByCodeRequest.encode({ codeId: 2n }).finish(), QueryContractsByCodeResponse)
  assert.ok(!by1.contracts.includes(contract))
  assert.ok(by2.contracts.includes(contract))
  const upd = await tx(alice, [{ typeUrl: `${U}MsgUpdateAdmin`, value: { sender: alice, newAdmin: bob, contract } }])
  assert.is(upd.code, 0, upd.log)
  assert.is(attr(upd, "update_contract_admin", "new_admin_address"), bob)
  assert.is((await tx(alice, [{ typeUrl: `${U}MsgClearAdmin`, value: { sender: alice, contract } }])).code, 4, "alice is no longer the admin")
  const clr = await tx(bob, [{ typeUrl: `${U}MsgClearAdmin`, value: { sender: bob, contract } }])
  assert.is(clr.code, 0, clr.log)
  assert.is((await tx(bob, [migrate(bob, 1n)])).code, 4, "no admin: nobody migrates")
})

test("queries: pagination by limit and next_key, count_total; AllContractState; RawContractState; errors for unknown contract and bad JSON", async () => {
  const count = (await query("ContractsByCode", QueryContractsByCodeRequest.encode({ codeId, pagination: { key: new Uint8Array(), offset: 0n, limit: 0n, countTotal: true, reverse: false } }).finish(), QueryContractsByCodeResponse)).pagination!.total
  for (let i = 0; i < 3; i++) assert.is((await tx(alice, [inst(codeId, {})])).code, 0)
  const page1 = await query("ContractsByCode", QueryContractsByCodeRequest.encode({ codeId, pagination: { key: new Uint8Array(), offset: 0n, limit: 2n, countTotal: true, reverse: false } }).finish(), QueryContractsByCodeResponse)
  assert.is(page1.contracts.length, 2)
  assert.is(page1.pagination!.total, count + 3n)
  const page2 = await query("ContractsByCode", QueryContractsByCodeRequest.encode({ codeId, pagination: { key: page1.pagination!.nextKey, offset: 0n, limit: count + 1n, countTotal: false, reverse: false } }).finish(), QueryContractsByCodeResponse)
  assert.is(BigInt(page2.contracts.length), count + 1n)
  assert.is(page2.pagination!.nextKey.length, 0)
  assert.ok(!page1.contracts.includes(page2.contracts[0]!))
  const all = await query("AllContractState", QueryAllContractStateRequest.encode({ address: contract }).finish(), QueryAllContractStateResponse)
  assert.ok(all.models.some((m) => new TextDecoder().decode(m.key) === "kept"))
  const raw = await query("RawContractState", QueryRawContractStateRequest.encode({ address: contract, queryData: enc.encode("kept") }).finish(), QueryRawContractStateResponse)
  assert.is(new TextDecoder().decode(raw.data), "parent")
  const missing = await chain.query(`${U}Query/ContractInfo`, QueryContractInfoRequest.encode({ address: bech32("cyber", classicAddress(9n, 9n)) }).finish())
  assert.is(missing.code, 22)
  const badJson = await chain.query(`${U}Query/SmartContractState`, QuerySmartContractStateRequest.encode({ address: contract, queryData: enc.encode("{nope") }).finish())
  assert.is(badJson.code, 14)
  const both = await chain.query(`${U}Query/Codes`, QueryCodesRequest.encode({ pagination: { key: enc.encode("x"), offset: 1n, limit: 0n, countTotal: false, reverse: false } }).finish())
  assert.is(both.code, 18)
})

test("bad input: invalid JSON msg, unknown code (28), bad label, unknown contract (22), empty and oversized uploads, a gzip bomb (13); state unchanged", async () => {
  const codesBefore = (await query("Codes", QueryCodesRequest.encode({}).finish(), QueryCodesResponse)).codeInfos.length
  const contractsBefore = (await query("ContractsByCode", QueryContractsByCodeRequest.encode({ codeId }).finish(), QueryContractsByCodeResponse)).contracts
  assert.is((await tx(alice, [exec(contract, "x")])).code, 5, "a JSON string is valid JSON; the contract refuses it")
  const notJson = await tx(alice, [{ typeUrl: `${U}MsgExecuteContract`, value: { sender: alice, contract, msg: enc.encode("{nope"), funds: [] } }])
  assert.is(notJson.code, 14, "wasmd RawContractMessage.ValidateBasic: ErrInvalid")
  assert.is((await tx(alice, [inst(999n, {})])).code, 28)
  assert.is((await tx(alice, [inst(codeId, {}, { label: " padded " })])).code, 14)
  assert.is((await tx(alice, [inst(codeId, {}, { label: "" })])).code, 12)
  assert.is((await tx(alice, [exec(bech32("cyber", classicAddress(7n, 7n)), {})])).code, 22)
  assert.is((await tx(alice, [store(new Uint8Array())])).code, 12)
  const bomb = gzipSync(new Uint8Array(4 * 1024 * 1024))
  const r = await tx(alice, [store(bomb)])
  assert.is(r.code, 13, r.log)
  assert.is((await tx(alice, [store(enc.encode("not wasm"))])).code, 2)
  assert.is((await tx(alice, [inst(codeId, { fail: true })])).code, 4)
  assert.is((await query("Codes", QueryCodesRequest.encode({}).finish(), QueryCodesResponse)).codeInfos.length, codesBefore, "no code stored")
  assert.equal((await query("ContractsByCode", QueryContractsByCodeRequest.encode({ codeId }).finish(), QueryContractsByCodeResponse)).contracts, contractsBefore, "no contract created")
})

test("genesis: export and import into a fresh chain gives the same contracts, state, history and sequences", async () => {
  const machine = (await import("../../modules/cyberwasm/CyberWasmMachine.ts")).CyberWasmMachine
  const snap = await chain.store.snapshot()
  const g = new machine({ cosmwasm: { vm } }).exportGenesis({ chainId: "x", height: chain.height, store: snap.store("cyberwasm"), query: () => new Uint8Array(), callAs: () => new Uint8Array() }) as { wasm: { contracts: unknown[]; codes: unknown[]; sequences: Array<{ id_key: string; value: string }> } }
  assert.ok(g.wasm.contracts.length >= 5)
  assert.ok(JSON.stringify(g.wasm).includes('"code_id"'), "snake_case as wasmd exports")
  assert.is(g.wasm.codes.length, 3)
  const fresh = await fakeChain(vm, 3, { genesis: { cyberwasm: g } })
  const info = await fresh.chain.query(`${U}Query/ContractInfo`, QueryContractInfoRequest.encode({ address: contract }).finish())
  assert.is(info.code, 0, info.log)
  assert.equal(QueryContractInfoResponse.decode(info.value).contractInfo, (await query("ContractInfo", QueryContractInfoRequest.encode({ address: contract }).finish(), QueryContractInfoResponse)).contractInfo)
  const kept = await fresh.chain.query(`${U}Query/RawContractState`, QueryRawContractStateRequest.encode({ address: contract, queryData: enc.encode("kept") }).finish())
  assert.is(new TextDecoder().decode(QueryRawContractStateResponse.decode(kept.value).data), "parent")
  const again = new machine({ cosmwasm: { vm } }).exportGenesis({ chainId: "x", height: 1, store: (await fresh.chain.store.snapshot()).store("cyberwasm"), query: () => new Uint8Array(), callAs: () => new Uint8Array() })
  assert.equal((again as { wasm: unknown }).wasm, g.wasm)
  // the next code id continues after the imported ones
  const r = await fresh.tx(fresh.addresses[0]!, [store(TESTER, fresh.addresses[0]!)])
  assert.is(r.code, 0, r.log)
  assert.is(attr(r, "store_code", "code_id"), "4")
})

test("instantiate permissions: AnyOfAddresses admits only the listed addresses, Nobody admits nobody; a malformed config is refused", async () => {
  const withPerm = (permission: number, addrs: string[]) => ({ typeUrl: `${U}MsgStoreCode`, value: { sender: alice, wasmByteCode: TESTER, instantiatePermission: { permission, addresses: addrs } } })
  const only = MsgStoreCodeResponse.decode(data(await tx(alice, [withPerm(4, [bob])]))[0]!.value).codeId
  const nobody = MsgStoreCodeResponse.decode(data(await tx(alice, [withPerm(1, [])]))[0]!.value).codeId
  const denied = await tx(alice, [inst(only, {})])
  assert.is(denied.code, 4)
  assert.match(denied.log, "can not instantiate")
  assert.is((await tx(bob, [inst(only, {}, { sender: bob })])).code, 0)
  assert.is((await tx(alice, [inst(nobody, {})])).code, 4)
  assert.is((await tx(alice, [withPerm(4, [])])).code, 12, "AnyOfAddresses without addresses")
  assert.is((await tx(alice, [withPerm(3, [bob])])).code, 14, "Everybody with addresses")
  const info = await query("Code", QueryCodeRequest.encode({ codeId: only }).finish(), QueryCodeResponse)
  assert.equal(info.codeInfo!.instantiatePermission, { permission: 4, addresses: [bob] })
  assert.equal(info.data, TESTER)
})

test("submessage nesting is bounded: 31 levels run, deeper is code 30 (max call depth), and the node keeps going", async () => {
  vm.contracts.set("deep", {
    instantiate: () => ({ ok: { messages: [], attributes: [], events: [] } }),
    execute: (env, _info, msg) => ({
      ok: { messages: msg.n > 0 ? [sub(1, wasmExec(env.contract.address, { n: msg.n - 1 }), "never")] : [], attributes: [], events: [], data: null }
    })
  })
  const up = await tx(alice, [store(enc.encode("fake:deep"))])
  const deep = MsgInstantiateContractResponse.decode(data(await tx(alice, [inst(MsgStoreCodeResponse.decode(data(up)[0]!.value).codeId, {})]))[0]!.value).address
  assert.is((await tx(alice, [exec(deep, { n: 31 })], 50_000_000)).code, 0)
  const r = await tx(alice, [exec(deep, { n: 200 })], 50_000_000)
  assert.is(r.code, 30, r.log)
  assert.is(r.codespace, "wasm")
  assert.is((await tx(alice, [exec(deep, { n: 1 })])).code, 0)
})

test("contract-to-contract smart queries are bounded (depth 10): the innermost sees an error, nothing crashes", async () => {
  vm.contracts.set("asker", {
    instantiate: () => ({ ok: { messages: [], attributes: [], events: [] } }),
    query: (env, _info, msg, api) => {
      if (msg.n === 0) return { ok: b64("bottom") }
      const r = api.query({ wasm: { smart: { contract_addr: env.contract.address, msg: b64({ n: msg.n - 1 }) } } })
      if (r.ok?.error !== undefined) return { ok: b64(`error at ${msg.n}: ${r.ok.error}`) }
      return { ok: r.ok.ok } // the inner answer passed through unchanged
    }
  })
  const up = await tx(alice, [store(enc.encode("fake:asker"))])
  const asker = MsgInstantiateContractResponse.decode(data(await tx(alice, [inst(MsgStoreCodeResponse.decode(data(up)[0]!.value).codeId, {})]))[0]!.value).address
  assert.is(await smart(asker, { n: 9 }), "bottom")
  assert.is(await smart(asker, { n: 30 }), "error at 20: max query stack size exceeded")
})

test("a bad genesis wasm section is refused with code 7 naming the problem", async () => {
  const bad = { wasm: { params: undefined, codes: [{ code_id: "1", code_info: { code_hash: Buffer.alloc(32).toString("base64"), creator: alice, instantiate_config: { permission: "ACCESS_TYPE_EVERYBODY", addresses: [] } }, code_bytes: Buffer.from("fake:tester").toString("base64"), pinned: false }], contracts: [], sequences: [] } }
  let err: unknown
  try {
    await fakeChain(vm, 1, { genesis: { cyberwasm: bad } })
  } catch (e) {
    err = e
  }
  assert.ok(err, "init chain refuses the genesis")
  assert.is((err as { code?: number }).code, 7)
  assert.match(String((err as { log?: string }).log ?? (err as Error).message ?? err), "checksum mismatch")
})

test.run()
