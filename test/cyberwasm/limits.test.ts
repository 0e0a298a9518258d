// Host-independent execution limits (issue 9): programs nesting synchronous calls to depth N give
// the same results, gas and app hashes when V8 is cold (a fresh child process) and warm (after
// warm-up runs in this process), at every depth up to and past the call-depth and stack-weight
// limits; a second node replaying the same blocks on a different host state agrees on every app
// hash. When the host itself runs out (a child with a tiny native stack), FinalizeBlock fails with
// a NodeFault naming the height and the program, nothing is committed, and CheckTx refuses the tx.
import { Registry } from "@cosmjs/proto-signing"
import { accountFromAny, defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { fileURLToPath } from "node:url"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { defaultLimits } from "../../modules/cyberwasm/instrument/Limits.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { CHAIN_ID, DEFAULT_GRANTS, makeWallet, TestChain } from "../auth/support/Chain.ts"
import { nester } from "./fixtures/nester.ts"

const PROGRAMS = 13
const MAX_DEPTH = 12 // past maxCallDepth (10)
/**
 * Recursion per level: 60 (one level fills the budget; first, so it runs on cold code), 4 (the
 * stack-weight limit before depth 10), 1 (reaches the call-depth limit).
 */
const KS = [60, 4, 1]
const SLOTS = 500
const GRANTS = [...DEFAULT_GRANTS, "cyberwasm->bank.send", "cyberwasm->bank.balance", "cyberwasm->cyberwasm.deliver"]
const enc = (s: string) => new TextEncoder().encode(s)
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

interface BlockRecord {
  readonly height: number
  readonly appHash: string
  readonly results: ReadonlyArray<{ code: number; gasUsed: string; log: string; data: string }>
}

/** The signed blocks: store, instantiate, then one block per depth with one tx per k. */
const makeBlocks = async (): Promise<Uint8Array[][]> => {
  const { wallet, addresses } = await makeWallet(1)
  const alice = addresses[0]!
  const client = await SigningStargateClient.offline(wallet, { registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes]) })
  const probe = await TestChain.start({ extraMachines: [new CyberWasmMachine()], grants: GRANTS, balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000000000" }] }] })
  const acc = accountFromAny((await probe.queryClient().auth.account(alice))!)
  let sequence = 0
  const tx = async (msgs: Array<{ typeUrl: string; value: unknown }>, gas: number) =>
    TxRaw.encode(await client.sign(alice, msgs, { amount: [{ denom: "boot", amount: String(gas / 100) }], gas: String(gas) }, "", { accountNumber: BigInt(acc.accountNumber), sequence: sequence++, chainId: CHAIN_ID })).finish()
  const code = nester(SLOTS)
  const hash = createHash("sha256").update(code).digest()
  const blocks: Uint8Array[][] = []
  blocks.push([await tx([{ typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: code } }], 20_000_000)])
  const inst = { typeUrl: M.TypeUrl.instantiate, value: { sender: alice, codeHash: hash, admin: alice, input: new Uint8Array(), reserve: 1_000_000n, label: "" } }
  blocks.push([await tx(Array(PROGRAMS).fill(inst), 200_000_000)])
  const progs = Array.from({ length: PROGRAMS }, (_, i) => programAddress("cyber", BigInt(i)))
  // deepest first: the first deep calls of a fresh process run on V8's cold (Liftoff) code
  for (let depth = MAX_DEPTH; depth >= 1; depth--) {
    const txs: Uint8Array[] = []
    for (const k of KS) {
      const input = new Uint8Array([k, ...enc(progs.slice(1, depth).join(","))])
      txs.push(await tx([{ typeUrl: M.TypeUrl.execute, value: { sender: alice, program: progs[0]!, input } }], 50_000_000))
    }
    blocks.push(txs)
  }
  return blocks
}

const balances = async () => [{ address: (await makeWallet(1)).addresses[0]!, coins: [{ denom: "boot", amount: "1000000000000" }] }]

/** Run `blocks` on a fresh chain; stops at the first FinalizeBlock failure and reports it. */
const runBlocks = async (blocks: Uint8Array[][]): Promise<{ records: BlockRecord[]; fault?: string; committed: number; checkTx?: Array<{ code: number; log: string }> }> => {
  const chain = await TestChain.start({ extraMachines: [new CyberWasmMachine()], grants: GRANTS, balances: await balances() })
  const records: BlockRecord[] = []
  for (const txs of blocks) {
    let results
    try {
      results = await chain.block(txs)
    } catch (e) {
      const committed = chain.store.lastCommit().version
      // the node still answers CheckTx for the same txs, in order (it refuses the faulting one, no crash)
      const checkTx: Array<{ code: number; log: string }> = []
      for (const tx of txs) {
        const check = await chain.app.checkTx({ tx, type: 0 })
        checkTx.push({ code: check.code, log: check.log })
      }
      return { records, fault: String((e as Error).message), committed, checkTx }
    }
    records.push({
      height: chain.height,
      appHash: chain.appHash(),
      results: results.map((r) => ({ code: r.code, gasUsed: r.gasUsed.toString(), log: r.log, data: hex(r.data) }))
    })
  }
  return { records, committed: chain.store.lastCommit().version }
}

/** Run this file as a fresh child process (truly cold V8) with extra Node flags. */
const child = (blocks: Uint8Array[][], flags: string[] = []) => {
  const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url)], {
    env: { ...process.env, CW_LIMITS_CHILD: "1" },
    input: JSON.stringify(blocks.map((b) => b.map(hex))),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000
  })
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "))
  if (!line) throw new Error(`child failed (status ${r.status}): ${r.stderr.slice(-2000)}`)
  return JSON.parse(line.slice(7)) as Awaited<ReturnType<typeof runBlocks>>
}

if (process.env.CW_LIMITS_CHILD) {
  const input = await new Promise<string>((resolve) => {
    let s = ""
    process.stdin.on("data", (d) => (s += d))
    process.stdin.on("end", () => resolve(s))
  })
  const blocks = (JSON.parse(input) as string[][]).map((b) => b.map((h) => new Uint8Array(Buffer.from(h, "hex"))))
  console.log("RESULT " + JSON.stringify(await runBlocks(blocks)))
  process.exit(0)
}

const test = suite("cyberwasm host-independent limits")
const blocks = await makeBlocks()

test("cold (fresh process) and warm (after warm-up) runs agree on every result, gas and app hash, at every depth up to and past the limits", async () => {
  const cold = child(blocks)
  assert.is(cold.fault, undefined, cold.fault)
  // warm V8 up: the same blocks several times in this process (same code: V8 reuses and tiers up)
  for (let i = 0; i < 4; i++) await runBlocks(blocks)
  const warm = await runBlocks(blocks)
  assert.is(warm.fault, undefined, warm.fault)
  assert.is(warm.records.length, blocks.length)
  for (let i = 0; i < blocks.length; i++) {
    assert.equal(warm.records[i], cold.records[i], `block ${i + 2}: cold and warm differ`)
  }
  // the limits are the deterministic ones, never the host's
  const logs = warm.records.flatMap((r) => r.results.map((x) => x.log)).join("\n")
  assert.not.match(logs, /host stack|RangeError|node fault/)
  // results by depth (1..MAX_DEPTH) for one k
  const byK = (k: number) => warm.records.slice(2).reverse().map((r) => r.results[KS.indexOf(k)]!)
  // k = 1: every depth up to maxCallDepth succeeds (one "<" per level), deeper is refused
  byK(1).forEach((r, i) => {
    const depth = i + 1
    if (depth <= 10) assert.is(r.code, 0, `k=1 depth ${depth}: ${r.log}`)
    else assert.match(r.log, /call depth limit 10 reached/)
  })
  // k = 4: the stack-weight budget, shared by the whole tree, ends the nesting before depth 10
  const k4 = byK(4)
  const firstFail = k4.findIndex((r) => r.code !== 0)
  assert.ok(firstFail > 1 && firstFail < 10, `k=4 first failure at depth ${firstFail + 1}`)
  for (const r of k4.slice(firstFail)) assert.match(r.log, /stack limit exceeded/)
  // k = 60: one level nearly fills the budget; the first nested call is refused
  for (const r of byK(60).slice(1)) assert.match(r.log, /stack limit exceeded/)
  // same input, same gas: gas depends on depth only through the program's own work
  for (const r of warm.records) for (const x of r.results) assert.ok(BigInt(x.gasUsed) > 0n)
})

test("a second node replaying the blocks from genesis in another process agrees on every app hash", async () => {
  const first = await runBlocks(blocks)
  const replay = child(blocks)
  assert.equal(replay.records.map((r) => r.appHash), first.records.map((r) => r.appHash))
})

test("when the host's own stack runs out first, FinalizeBlock fails with a NodeFault naming height and program; nothing is committed; CheckTx refuses without crashing", async () => {
  // a 160 KiB native stack (instead of 984 KiB) is below what the deterministic limit allows
  const small = child(blocks, ["--stack-size=160"])
  assert.ok(small.fault, "expected a node fault")
  assert.match(small.fault!, /^node fault at height (\d+): program cyber1[0-9a-z]+ \(cyberwasm_dispatch\): .*Maximum call stack size exceeded/)
  const height = Number(/height (\d+)/.exec(small.fault!)![1])
  assert.is(small.committed, height - 1, "the faulting block is not committed")
  assert.is(small.records.length, height - 2, "blocks before it ran normally")
  // the first refused tx is the faulting one (the txs after it then fail on their sequence)
  const refused = small.checkTx!.find((c) => c.code !== 0)
  assert.ok(refused, JSON.stringify(small.checkTx))
  assert.is(refused!.code, 1, refused!.log)
  assert.match(refused!.log, /node fault/)
})

test("the default limits leave the host a wide margin (documented in docs/cyberwasm.md)", () => {
  // worst case measured on Liftoff: 8.05 bytes of native stack per weight unit (1,024 locals)
  const worstBytes = defaultLimits.maxStackWeight * 8.1
  assert.ok(worstBytes < (984 * 1024) / 3, `${worstBytes} bytes is over a third of the default stack`)
})

test.run()
