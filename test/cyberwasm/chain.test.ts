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
import { CHAIN_ID, DEFAULT_GRANTS, makeWallet, TestChain } from "../auth/support/Chain.ts"

const wasm = await buildExamples(["counter", "mailbox"])
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const u64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true)
const test = suite("cyberwasm on the chain")

const GRANTS = [...DEFAULT_GRANTS, "cyberwasm->bank.send", "cyberwasm->bank.balance", "cyberwasm->cyberwasm.deliver"]

const start = async (addresses: string[]) =>
  TestChain.start({
    extraMachines: [new CyberWasmMachine()],
    grants: GRANTS,
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
  await run([await tx([inst(counterHash), inst(mailboxHash), inst(mailboxHash)])])
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

test.run()
