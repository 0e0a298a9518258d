// Programs and contracts call each other (issue 13 item 4, modules/cyberwasm/cosmwasm/Bridge.ts):
// real contract fixtures (hackatom, reflect_2_0, queue) and a small AssemblyScript program
// (bridge-support.ts) on the real Application, CosmJS-signed. Each acts only as itself: a program
// calling a contract is its info.sender and moves none of its own funds; a contract executing a
// program is the program's caller and pays the funds it attaches from its own balance.
import { QuerySmartContractStateRequest, QuerySmartContractStateResponse } from "cosmjs-types/cosmwasm/wasm/v1/query"
import { MsgExecuteContract } from "cosmjs-types/cosmwasm/wasm/v1/tx"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { bridgeChain, buildBridgeProgram } from "./bridge-support.ts"

const test = suite("programs and contracts call each other")
const enc = new TextEncoder()
const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64")

const programWasm = await buildBridgeProgram()
const c = await bridgeChain(3)
const [alice, bob, carol] = c.addresses as [string, string, string]
const program = await c.deployProgram(alice, programWasm)
const hackatomCode = await c.storeContract(alice, "hackatom")
const reflectCode = await c.storeContract(alice, "reflect_2_0")
const queueCode = await c.storeContract(alice, "queue")

const smart = async (contract: string, msg: unknown) => {
  const r = await c.chain.query("/cosmwasm.wasm.v1.Query/SmartContractState", QuerySmartContractStateRequest.encode({ address: contract, queryData: enc.encode(JSON.stringify(msg)) }).finish())
  return { code: r.code, log: r.log, value: r.code === 0 ? JSON.parse(new TextDecoder().decode(QuerySmartContractStateResponse.decode(r.value).data)) : undefined }
}
const reserve = async () => {
  const M = await import("../../modules/cyberwasm/Messages.ts")
  const r = await c.chain.query(M.QueryPath.reserve, M.QueryAddress.encode({ address: program }))
  if (r.code !== 0) throw new Error(r.log)
  return M.QueryReserveResponse.decode(r.value)
}
const state = async () => (await c.run(alice, program, "state")).data

test("a program calls hackatom: it is the verifier (info.sender), release moves only the contract's funds, the program gets the Response data", async () => {
  const hackatom = await c.instantiate(alice, hackatomCode, { verifier: program, beneficiary: bob }, [{ denom: "milk", amount: "100" }])
  const bobBefore = await c.balance(bob, "milk")
  const programBefore = await c.balance(program, "milk")
  const { r } = await c.run(alice, program, `call ${hackatom} {"release":{}}`)
  assert.is(r.code, 0, r.log)
  assert.is(await c.balance(bob, "milk"), bobBefore + 100n)
  assert.is(await c.balance(hackatom, "milk"), 0n)
  assert.is(await c.balance(program, "milk"), programBefore, "the program's own funds do not move")
  assert.ok(r.events.some((e) => e.type === "wasm" && e.attributes.some((a) => a.key === "action" && a.value === "release")), "the contract's wasm event is in the tx")
  assert.ok(r.events.some((e) => e.type === "execute" && e.attributes.some((a) => a.value === hackatom)))
})

test("the Response data reaches the program byte for byte (hackatom release data f00baa)", async () => {
  const hackatom = await c.instantiate(alice, hackatomCode, { verifier: program, beneficiary: bob }, [{ denom: "milk", amount: "3" }])
  // the program returns the callee's data unchanged: read the raw MsgExecuteResponse bytes
  const { r } = await c.run(alice, program, `call ${hackatom} {"release":{}}`)
  assert.is(r.code, 0, r.log)
  const M = await import("../../modules/cyberwasm/Messages.ts")
  const { TxMsgData } = await import("cosmjs-types/cosmos/base/abci/v1beta1/abci")
  const raw = M.MsgExecuteResponse.decode(TxMsgData.decode(r.data).msgResponses[0]!.value).data
  assert.equal([...raw], [0xf0, 0x0b, 0xaa])
})

test("a program that is not the verifier gets the contract's error; nothing moves; the tx fails with the program's error", async () => {
  const victim = await c.instantiate(alice, hackatomCode, { verifier: alice, beneficiary: carol }, [{ denom: "milk", amount: "40" }])
  const carolBefore = await c.balance(carol, "milk")
  const { r } = await c.run(alice, program, `call ${victim} {"release":{}}`)
  assert.is.not(r.code, 0)
  assert.match(r.log, /error: .*Unauthorized/)
  assert.is(await c.balance(victim, "milk"), 40n)
  assert.is(await c.balance(carol, "milk"), carolBefore)
})

test("a program cannot make a contract spend another account's funds (reflect owned by the program)", async () => {
  const reflect = await c.instantiate(alice, reflectCode, {}, [{ denom: "milk", amount: "50" }])
  c.ok(await c.execute(alice, reflect, { change_owner: { owner: program } }))
  // the contract's own funds: allowed
  const carolBefore = await c.balance(carol, "milk")
  const send = (to: string, amount: string) => ({ bank: { send: { to_address: to, amount: [{ denom: "milk", amount }] } } })
  const ok = await c.run(alice, program, `call ${reflect} ${JSON.stringify({ reflect_msg: { msgs: [send(carol, "20")] } })}`)
  assert.is(ok.r.code, 0, ok.r.log)
  assert.is(await c.balance(carol, "milk"), carolBefore + 20n)
  assert.is(await c.balance(reflect, "milk"), 30n)
  // alice's funds through an `any` MsgSend signed "from alice": refused, nothing moves
  const { MsgSend } = await import("cosmjs-types/cosmos/bank/v1beta1/tx")
  const steal = MsgSend.encode({ fromAddress: alice, toAddress: carol, amount: [{ denom: "milk", amount: "5" }] }).finish()
  const aliceBefore = await c.balance(alice, "milk")
  const stolen = await c.run(alice, program, `call ${reflect} ${JSON.stringify({ reflect_msg: { msgs: [{ any: { type_url: "/cosmos.bank.v1beta1.MsgSend", value: Buffer.from(steal).toString("base64") } }] } })}`)
  assert.is.not(stolen.r.code, 0)
  assert.match(stolen.r.log, /unauthorized/i)
  assert.is(await c.balance(alice, "milk"), aliceBefore)
  // nor the program's own funds: the contract's bank send is from the contract, never from its caller
  c.ok(await c.tx(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice, toAddress: program, amount: [{ denom: "milk", amount: "9" }] } }]))
  const fromProgram = MsgSend.encode({ fromAddress: program, toAddress: carol, amount: [{ denom: "milk", amount: "9" }] }).finish()
  const viaProgram = await c.run(alice, program, `call ${reflect} ${JSON.stringify({ reflect_msg: { msgs: [{ any: { type_url: "/cosmos.bank.v1beta1.MsgSend", value: Buffer.from(fromProgram).toString("base64") } }] } })}`)
  assert.is.not(viaProgram.r.code, 0)
  assert.is(await c.balance(program, "milk"), 9n)
})

test("a program schedules a contract with send-delayed: it runs at that height, paid from the program's reserve", async () => {
  const queue = await c.instantiate(alice, queueCode, {})
  const { r } = await c.run(alice, program, `later ${queue} 3 {"enqueue":{"value":7}}`)
  assert.is(r.code, 0, r.log)
  const h = c.chain.height
  assert.equal((await smart(queue, { count: {} })).value, { count: 0 })
  await c.chain.block([])
  assert.is(c.chain.height, h + 1)
  assert.equal((await smart(queue, { count: {} })).value, { count: 0 }, "not before its height")
  await c.chain.block([])
  const before = await reserve()
  await c.chain.block([])
  const after = await reserve()
  assert.is(c.chain.height, h + 3)
  // the delivery's gas (the contract's instance cost alone is 60,000) came out of the reserve, beyond one block's rent
  assert.ok(before.reserve - after.reserve > after.burnRate + 60_000n, `reserve ${before.reserve} -> ${after.reserve}, rent ${after.burnRate}/block`)
  assert.equal((await smart(queue, { count: {} })).value, { count: 1 }, "ran at height + 3")
  assert.equal((await smart(queue, { sum: {} })).value, { sum: 7 })
  // and a plain async send runs at the end of the same block
  c.ok((await c.run(alice, program, `send ${queue} {"enqueue":{"value":5}}`)).r)
  assert.equal((await smart(queue, { sum: {} })).value, { sum: 12 })
})

test("an async run that fails after a bank send leaves nothing: the send rolls back with the run, the reserve still pays its gas", async () => {
  c.ok(await c.tx(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice, toAddress: program, amount: [{ denom: "milk", amount: "20" }] } }]))
  const milk = await c.balance(program, "milk")
  const carolMilk = await c.balance(carol, "milk")
  const before = await reserve()
  c.ok((await c.run(alice, program, `later ${program} 1 paythen ${carol} milk 7`)).r)
  await c.chain.block([])
  await c.chain.block([])
  assert.is(await c.balance(carol, "milk"), carolMilk, "the failed run's bank send is undone")
  assert.is(await c.balance(program, "milk"), milk)
  const after = await reserve()
  assert.ok(before.reserve - after.reserve > 2n * after.burnRate, "the failed run still paid its gas from the reserve")
  // the same send without the failure goes through
  c.ok((await c.run(alice, program, `later ${program} 1 bank ${carol} milk 7`)).r)
  await c.chain.block([])
  await c.chain.block([])
  assert.is(await c.balance(carol, "milk"), carolMilk + 7n)
})

test("send-with-reply to a contract: the contract's outcome comes back to the program as a reply", async () => {
  const queue = await c.instantiate(alice, queueCode, {})
  c.ok((await c.run(alice, program, `ask ${queue} {"enqueue":{"value":4}}`)).r)
  assert.equal((await smart(queue, { sum: {} })).value, { sum: 4 })
  assert.match(await state(), /last=reply:ok:0$/)
  c.ok((await c.run(alice, program, `ask ${queue} {"no_such_msg":{}}`)).r)
  assert.match(await state(), /last=reply:err:\d+$/)
  assert.equal((await smart(queue, { sum: {} })).value, { sum: 4 })
})

test("reflect makes a contract execute a program: caller = the contract, funds move from the contract first", async () => {
  const reflect = await c.instantiate(alice, reflectCode, {}, [{ denom: "milk", amount: "30" }])
  const before = await c.balance(program, "milk")
  const r = await c.execute(alice, reflect, { reflect_msg: { msgs: [{ wasm: { execute: { contract_addr: program, msg: b64("hello from reflect"), funds: [{ denom: "milk", amount: "5" }] } } }] } })
  assert.is(r.code, 0, r.log)
  assert.is(await state(), `count=${await countOf()} last=${reflect}|hello from reflect`)
  assert.is(await c.balance(program, "milk"), before + 5n)
  assert.is(await c.balance(reflect, "milk"), 25n)
})

const countOf = async () => Number(/count=(\d+)/.exec(await state())![1])

test("a contract cannot make a program act as anyone but itself", async () => {
  const reflect = await c.instantiate(alice, reflectCode, {}, [{ denom: "milk", amount: "10" }])
  // the program's bank send is from the program, even when a contract asks for it
  const programBefore = await c.balance(program, "milk")
  const carolBefore = await c.balance(carol, "milk")
  c.ok(await c.execute(alice, reflect, { reflect_msg: { msgs: [{ wasm: { execute: { contract_addr: program, msg: b64(`bank ${carol} milk 2`), funds: [] } } }] } }))
  assert.is(await c.balance(program, "milk"), programBefore - 2n)
  assert.is(await c.balance(reflect, "milk"), 10n)
  assert.is(await c.balance(carol, "milk"), carolBefore + 2n)
  // a message "signed" by the program, emitted by the contract: refused
  const asProgram = MsgExecuteContract.encode({ sender: program, contract: reflect, msg: enc.encode("{}"), funds: [] }).finish()
  const r = await c.execute(alice, reflect, { reflect_msg: { msgs: [{ any: { type_url: "/cosmwasm.wasm.v1.MsgExecuteContract", value: Buffer.from(asProgram).toString("base64") } }] } })
  assert.is(r.code, 4, r.log)
})

test("reentrancy across both kinds is refused unless the program opted in; a failing program rolls the contract's submessage back", async () => {
  const reflect = await c.instantiate(alice, reflectCode, {}, [{ denom: "milk", amount: "10" }])
  c.ok(await c.execute(alice, reflect, { change_owner: { owner: program } }))
  const before = await countOf()
  const back = { reflect_msg: { msgs: [{ wasm: { execute: { contract_addr: program, msg: b64("ping"), funds: [] } } }] } }
  const { r } = await c.run(alice, program, `call ${reflect} ${JSON.stringify(back)}`)
  assert.is.not(r.code, 0)
  assert.match(r.log, /reentrant call into .* refused/)
  assert.is(await countOf(), before)
  // program -> reflect -> other contract's program call through a second program instance is fine:
  const other = await c.deployProgram(alice, programWasm)
  const via = { reflect_msg: { msgs: [{ wasm: { execute: { contract_addr: other, msg: b64("ping"), funds: [] } } }] } }
  const ok = await c.run(alice, program, `call ${reflect} ${JSON.stringify(via)}`)
  assert.is(ok.r.code, 0, ok.r.log)
  assert.match((await c.run(alice, other, "state")).data, new RegExp(`count=1 last=${reflect}\\|ping`))
  // a program that fails inside a contract's submessage: the tx fails and nothing it did stays
  const failing = { reflect_msg: { msgs: [{ wasm: { execute: { contract_addr: other, msg: b64(`call ${alice} x`), funds: [] } } }] } }
  const bad = await c.execute(bob, reflect, failing)
  assert.is.not(bad.code, 0)
  assert.match((await c.run(alice, other, "state")).data, /count=1 /)
})

test("a program failing in a contract's submessage with reply_on error: the funds it was sent move back, the contract's reply sees the redacted error", async () => {
  const reflect = await c.instantiate(alice, reflectCode, {}, [{ denom: "milk", amount: "10" }])
  const programBefore = await c.balance(program, "milk")
  const failing = { wasm: { execute: { contract_addr: program, msg: b64(`call ${alice} x`), funds: [{ denom: "milk", amount: "3" }] } } }
  c.ok(await c.execute(alice, reflect, { reflect_sub_msg: { msgs: [{ id: 9, msg: failing, gas_limit: null, reply_on: "error" }] } }))
  const reply = (await smart(reflect, { sub_msg_result: { id: 9 } })).value
  assert.is(reply.id, 9)
  assert.match(reply.result.error, /^codespace: \w+, code: \d+$/)
  assert.is(await c.balance(reflect, "milk"), 10n)
  assert.is(await c.balance(program, "milk"), programBefore)
  // the same submessage succeeding (reply_on success): the program ran with the funds
  const fine = { wasm: { execute: { contract_addr: program, msg: b64("hi"), funds: [{ denom: "milk", amount: "3" }] } } }
  c.ok(await c.execute(alice, reflect, { reflect_sub_msg: { msgs: [{ id: 10, msg: fine, gas_limit: null, reply_on: "success" }] } }))
  assert.ok((await smart(reflect, { sub_msg_result: { id: 10 } })).value.result.ok, "reply with the success result")
  assert.is(await c.balance(program, "milk"), programBefore + 3n)
  assert.match(await state(), new RegExp(`last=${reflect}\\|hi$`))
})

test("a contract failing after a program it called moved funds: the program's move rolls back with the contract's branch; the caller gets a plain error", async () => {
  const p2 = await c.deployProgram(alice, programWasm, 5_000_000n)
  c.ok(await c.tx(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice, toAddress: p2, amount: [{ denom: "milk", amount: "4" }] } }]))
  const reflect = await c.instantiate(alice, reflectCode, {}, [{ denom: "milk", amount: "2" }])
  c.ok(await c.execute(alice, reflect, { change_owner: { owner: program } }))
  const carolBefore = await c.balance(carol, "milk")
  const msgs = [
    { wasm: { execute: { contract_addr: p2, msg: b64(`bank ${carol} milk 1`), funds: [] } } },
    { bank: { send: { to_address: carol, amount: [{ denom: "milk", amount: "1000" }] } } }
  ]
  // "try": the program survives the contract's failure, so the tx commits what is left
  const { r, data } = await c.run(alice, program, `try ${reflect} ${JSON.stringify({ reflect_msg: { msgs } })}`)
  assert.is(r.code, 0, r.log)
  assert.match(data, /^failed: /)
  assert.is(await c.balance(carol, "milk"), carolBefore)
  assert.is(await c.balance(p2, "milk"), 4n)
})

test("depth is bounded across both kinds: program -> contract -> program ... holds at most maxCallDepth (10) program frames", async () => {
  const n = 11
  const programs = [program]
  for (let i = 1; i < n; i++) programs.push(await c.deployProgram(alice, programWasm, 5_000_000n))
  const reflects: string[] = []
  for (let i = 0; i < n - 1; i++) {
    const r = await c.instantiate(alice, reflectCode, {})
    c.ok(await c.execute(alice, r, { change_owner: { owner: programs[i]! } }))
    reflects.push(r)
  }
  // the input of program i for a chain ending at program `last`
  const input = (i: number, last: number): string =>
    i === last ? "deep" : `call ${reflects[i]} ${JSON.stringify({ reflect_msg: { msgs: [{ wasm: { execute: { contract_addr: programs[i + 1], msg: b64(input(i + 1, last)), funds: [] } } }] } })}`
  const ten = await c.run(alice, program, input(0, 9), 40_000_000)
  assert.is(ten.r.code, 0, ten.r.log)
  assert.match((await c.run(alice, programs[9]!, "state")).data, new RegExp(`last=${reflects[8]}\\|deep$`))
  const eleven = await c.run(alice, program, input(0, 10), 40_000_000)
  assert.is.not(eleven.r.code, 0)
  assert.match(eleven.r.log, /call depth limit 10/)
  assert.match((await c.run(alice, programs[10]!, "state")).data, /^count=0 /)
})

test("a contract's smart query of a program is refused as a query of a non-contract address (no_such_contract)", async () => {
  const reflect = await c.instantiate(alice, reflectCode, {})
  const q = await smart(reflect, { chain: { request: { wasm: { smart: { contract_addr: program, msg: b64("state") } } } } })
  assert.is.not(q.code, 0)
  assert.match(q.log, /no.such.contract|NoSuchContract/i)
})

test.run()
