// CyberWasm through the real multiplexer (chain/Application.ts) with the auth and bank machines over
// the IAVL multistore: CosmJS-signed transactions, reserve deposits through the bank's call API,
// async delivery through the end-of-block FIFO, queries by ABCI, and two nodes fed the same blocks.
import { Registry } from "@cosmjs/proto-signing"
import { accountFromAny, defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"
import { CHAIN_ID, makeWallet, TestChain } from "../auth/support/Chain.ts"
import { Application } from "../../chain/Application.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"

const wasm = await buildExamples(["counter", "mailbox", "registry"])
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const u64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true)
const test = suite("cyberwasm on the chain")

const start = async (addresses: string[]) =>
  TestChain.start({
    extraMachines: [new CyberWasmMachine()],
    balances: addresses.map((address) => ({ address, coins: [{ denom: "boot", amount: "1000000000000" }] }))
  })

test("deploy, deposit, execute, async send and query through CosmJS-signed txs; two nodes agree on the app hash", async () => {
  const { wallet, addresses } = await makeWallet(1)
  const alice = addresses[0]!
  const client = await SigningStargateClient.offline(wallet, { registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes]) })
  let sequence = 0
  let accountNumber = 0n
  const tx = async (msgs: Array<{ typeUrl: string; value: unknown }>, gas = 5_000_000) => {
    const raw = await client.sign(alice, msgs, { amount: [{ denom: "boot", amount: String(gas / 100) }], gas: String(gas) }, "", { accountNumber, sequence: sequence++, chainId: CHAIN_ID })
    return TxRaw.encode(raw).finish()
  }
  const nodeA = await start(addresses)
  const nodeB = await start(addresses)
  const acc = await nodeA.queryClient().auth.account(alice)
  accountNumber = accountFromAny(acc!).accountNumber === undefined ? 0n : BigInt(accountFromAny(acc!).accountNumber)
  const blocks: Uint8Array[][] = []
  const run = async (txs: Uint8Array[]) => {
    blocks.push(txs)
    const results = await nodeA.block(txs)
    for (const r of results) assert.is(r.code, 0, r.log)
    return results
  }
  await run([await tx([{ typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: wasm.counter! } }, { typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: wasm.mailbox! } }], 20_000_000)])
  const counterHash = (await import("node:crypto")).createHash("sha256").update(wasm.counter!).digest()
  const mailboxHash = (await import("node:crypto")).createHash("sha256").update(wasm.mailbox!).digest()
  const inst = (hash: Uint8Array) => ({ typeUrl: M.TypeUrl.instantiate, value: { sender: alice, codeHash: hash, admin: alice, input: new Uint8Array(), reserve: 1_000_000n, label: "" } })
  await run([await tx([inst(counterHash), inst(mailboxHash), inst(mailboxHash)], 20_000_000)]) // three new programs: about 2 M gas each for their first page (stateGasPerByte)
  const counter = programAddress("cyber", 0n)
  const boxA = programAddress("cyber", 1n)
  const boxB = programAddress("cyber", 2n)
  const exec = (program: string, input: string) => ({ typeUrl: M.TypeUrl.execute, value: { sender: alice, program, input: enc(input) } })
  await run([await tx([exec(counter, "inc"), exec(counter, "inc")]), await tx([exec(counter, "inc"), exec(boxA, `send ${boxB} hello`)])])
  await run([await tx([{ typeUrl: M.TypeUrl.deposit, value: { sender: alice, program: counter, amount: 500n } }])])

  const query = async (node: TestChain, program: string, input: string) => {
    const r = await node.query(M.QueryPath.dispatch, M.QueryDispatch.encode({ address: program, input: enc(input) }))
    assert.is(r.code, 0, r.log)
    return M.QueryDispatchResponse.decode(r.value).data
  }
  assert.is(u64(await query(nodeA, counter, "")), 3n)
  assert.is(dec(await query(nodeA, boxB, "log")), "got:hello")
  const reserve = M.QueryReserveResponse.decode((await nodeA.query(M.QueryPath.reserve, M.QueryAddress.encode({ address: counter }))).value)
  assert.ok(reserve.reserve > 1_000_000n, `deposit credited: ${reserve.reserve}`)
  assert.is(reserve.status, "active")

  for (const txs of blocks) await nodeB.block(txs)
  assert.is(nodeB.appHash(), nodeA.appHash())
  assert.is(u64(await query(nodeB, counter, "")), 3n)
})

test("a registry's heap map survives a node restart (store reopened, new machines, empty caches)", async () => {
  const { wallet, addresses } = await makeWallet(1)
  const alice = addresses[0]!
  const storage = new MemoryStorage()
  const names = ["auth", "bank", "cyberwasm"]
  const boot = async () => {
    const auth = new AuthMachine({ minGasPrices: "0.01boot" })
    const machines = [auth, new BankMachine(), new CyberWasmMachine()]
    const store = await openCommitMultiStore({ memory: storage, namespaces: Application.namespaces() })
    const app = new Application({ chainId: CHAIN_ID, store, machines, pipeline: auth })
    return { app, store }
  }
  let node = await boot()
  await node.app.initChain({
    time: { seconds: 1_700_000_000n, nanos: 0 }, chainId: CHAIN_ID, consensusParams: undefined, validators: [],
    appStateBytes: enc(JSON.stringify({ auth: { accounts: [] }, bank: { balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000000000" }] }] } })), initialHeight: 1n
  })
  const block = async (txs: Uint8Array[]) => {
    const height = node.store.lastCommit().version + 1
    const res = await node.app.finalizeBlock({
      txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32).fill(height), height: BigInt(height),
      time: { seconds: 1_700_000_000n + BigInt(height) * 5n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
    })
    await node.app.commit()
    for (const r of res.txResults) assert.is(r.code, 0, r.log)
  }
  await block([])
  const client = await SigningStargateClient.offline(wallet, { registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes]) })
  const q = async (path: string, data: Uint8Array) => {
    const r = await node.app.query({ path, data, height: 0n, prove: false })
    assert.is(r.code, 0, r.log)
    return r.value
  }
  const { BaseAccount } = await import("cosmjs-types/cosmos/auth/v1beta1/auth")
  const { QueryAccountRequest, QueryAccountResponse } = await import("cosmjs-types/cosmos/auth/v1beta1/query")
  const acc = BaseAccount.decode(QueryAccountResponse.decode(await q("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: alice }).finish())).account!.value)
  let sequence = 0
  const tx = async (msgs: Array<{ typeUrl: string; value: unknown }>, gas = 5_000_000) =>
    TxRaw.encode(await client.sign(alice, msgs, { amount: [{ denom: "boot", amount: String(gas / 100) }], gas: String(gas) }, "", { accountNumber: acc.accountNumber, sequence: sequence++, chainId: CHAIN_ID })).finish()
  const hash = (await import("node:crypto")).createHash("sha256").update(wasm.registry!).digest()
  await block([await tx([{ typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: wasm.registry! } }], 20_000_000)])
  await block([await tx([{ typeUrl: M.TypeUrl.instantiate, value: { sender: alice, codeHash: hash, admin: alice, input: new Uint8Array(), reserve: 1_000_000n, label: "" } }])])
  const reg = programAddress("cyber", 0n)
  const set = (i: number) => ({ typeUrl: M.TypeUrl.execute, value: { sender: alice, program: reg, input: enc(`set:n${i}=v${i}`) } })
  const txs: Uint8Array[] = []
  for (let i = 0; i < 40; i++) txs.push(await tx([set(i)]))
  await block(txs)
  const ask = async (input: string) => dec(M.QueryDispatchResponse.decode(await q(M.QueryPath.dispatch, M.QueryDispatch.encode({ address: reg, input: enc(input) }))).data)
  assert.is(await ask("count"), "40")
  const hashBefore = Buffer.from(node.store.lastCommit().hash).toString("hex")
  await node.store.close()
  node = await boot() // restart
  assert.is(Buffer.from(node.store.lastCommit().hash).toString("hex"), hashBefore)
  assert.is(await ask("get:n17"), "v17")
  await block([await tx([set(40)])])
  assert.is(await ask("count"), "41")
  assert.is(await ask("get:n40"), "v40")
})

test.run()
