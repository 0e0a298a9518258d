/**
 * Fuzzer of the machines' message decoders: bank (MsgSend, MsgMultiSend), graph (MsgCyberlink,
 * modules/graph/Messages.ts) and cyberwasm (modules/cyberwasm/Messages.ts). Random `Any` values,
 * structured (fields from valid, boundary and hostile values) or raw random bytes, go
 * 1. to the routed machine's `signers` directly (many cases), and
 * 2. signed by a funded key (so they pass the ante chain) through the application's CheckTx, which
 *    runs the machine's `handle` against the check state.
 * Every outcome is success or a typed chain error with code != 1; a refusal leaves the check state
 * unchanged. See docs/fuzzing.md.
 */
import { test } from "uvu"
import fc from "fast-check"
import { MsgMultiSend, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { isChainError } from "../../chain/ChainError.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink } from "../../modules/graph/Messages.ts"
import * as W from "../../modules/cyberwasm/Messages.ts"
import { createHash } from "node:crypto"
import { program } from "../cyberwasm/fixtures/wat.ts"
import { bytesUpTo, fuzz, mutated, printTotals } from "./support/Fuzz.ts"
import { FuzzChain } from "./support/Chain.ts"

const FILE = "test/fuzz/messages.test.ts"
const chain = await FuzzChain.start()
const [alice, bob] = chain.keys as [NonNullable<(typeof chain.keys)[0]>, NonNullable<(typeof chain.keys)[0]>]

const address = fc.oneof(
  { weight: 12, arbitrary: fc.constant(alice.address) },
  { weight: 2, arbitrary: fc.constant(bob.address) },
  { weight: 1, arbitrary: fc.constantFrom("", "cyber1", "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", alice.address.toUpperCase(), alice.address.slice(0, -1) + "q", alice.address + "q") },
  { weight: 1, arbitrary: fc.string({ maxLength: 50 }) }
)
const denom = fc.oneof({ weight: 4, arbitrary: fc.constantFrom("boot", "hydrogen", "millivolt") }, fc.constantFrom("", "B", "a", "ibc/" + "F".repeat(64), "x".repeat(200)), fc.string({ maxLength: 12 }))
const amount = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 1000n }).map(String) },
  fc.constantFrom("0", "-1", "01", "", " 1", "1.5", "1e3", "18446744073709551616", "1" + "0".repeat(80), "999999999999999999999999"),
  fc.string({ maxLength: 8 })
)
const coins = fc.array(fc.record({ denom, amount }), { maxLength: 4 })
const cid = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn", "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n") },
  fc.constantFrom("", "Qm", "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd0"),
  fc.string({ maxLength: 60 })
)
/** A valid program (the cyberwasm tests' skeleton) and its code hash, so uploads and instantiations can succeed. */
const PROGRAM = program("(i32.const 0)")
const PROGRAM_HASH = createHash("sha256").update(PROGRAM).digest()
const hash32 = fc.oneof(fc.constant(new Uint8Array(PROGRAM_HASH)), fc.uint8Array({ minLength: 32, maxLength: 32 }), bytesUpTo(40))
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 1_000_000n }), fc.constantFrom((1n << 64n) - 1n, 1n << 63n))

/** Structured messages of every type the machines route, plus raw and mutated bytes under their URLs. */
const structured: fc.Arbitrary<Any> = fc.oneof(
  // mostly-valid messages first, so `handle` often runs to the end
  fc.record({ to: address, amount: fc.bigInt({ min: 1n, max: 1000n }) })
    .map((m) => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: alice.address, toAddress: m.to, amount: [{ denom: "boot", amount: String(m.amount) }] }).finish() })),
  fc.tuple(cid, cid).map(([from, to]) => ({ typeUrl: MSG_CYBERLINK_URL, value: MsgCyberlink.encode({ neuron: alice.address, links: [{ from, to }] }).finish() })),
  fc.record({ fromAddress: address, toAddress: address, amount: coins }).map((m) => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode(m).finish() })),
  fc.record({
    inputs: fc.array(fc.record({ address, coins }), { maxLength: 3 }),
    outputs: fc.array(fc.record({ address, coins }), { maxLength: 4 })
  }).map((m) => ({ typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend", value: MsgMultiSend.encode(m).finish() })),
  fc.record({ neuron: address, links: fc.array(fc.record({ from: cid, to: cid }), { maxLength: 5 }) })
    .map((m) => ({ typeUrl: MSG_CYBERLINK_URL, value: MsgCyberlink.encode(m).finish() })),
  fc.record({ sender: address, wasmByteCode: fc.oneof(fc.constant(PROGRAM), bytesUpTo(64), fc.constant(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))) })
    .map((m) => ({ typeUrl: W.TypeUrl.storeCode, value: W.MsgStoreCode.encode(m) })),
  fc.record({ sender: address, codeHash: hash32, admin: address, input: bytesUpTo(32), reserve: u64, label: fc.string({ maxLength: 20 }), address: fc.oneof(fc.constant(""), address) })
    .map((m) => ({ typeUrl: W.TypeUrl.instantiate, value: W.MsgInstantiate.encode(m) })),
  fc.record({ sender: address, program: address, input: bytesUpTo(32) }).map((m) => ({ typeUrl: W.TypeUrl.execute, value: W.MsgExecute.encode(m) })),
  fc.record({ sender: address, program: address, amount: u64 }).map((m) => ({ typeUrl: W.TypeUrl.deposit, value: W.MsgDeposit.encode(m) })),
  fc.record({ sender: address, program: address, codeHash: hash32, input: bytesUpTo(16) }).map((m) => ({ typeUrl: W.TypeUrl.upgrade, value: W.MsgUpgrade.encode(m) }))
)
const URLS = ["/cosmos.bank.v1beta1.MsgSend", "/cosmos.bank.v1beta1.MsgMultiSend", MSG_CYBERLINK_URL, ...Object.values(W.TypeUrl)]
const anyMsg: fc.Arbitrary<Any> = fc.oneof(
  { weight: 6, arbitrary: structured },
  { weight: 2, arbitrary: structured.chain((m) => mutated(m.value).map((value) => ({ typeUrl: m.typeUrl, value }))) },
  { weight: 2, arbitrary: fc.record({ typeUrl: fc.constantFrom(...URLS), value: bytesUpTo(80) }) },
  { weight: 1, arbitrary: fc.record({ typeUrl: fc.oneof(fc.constantFrom("/cosmos.bank.v1beta1.MsgBurn", "/", "x"), fc.string({ maxLength: 30 })), value: bytesUpTo(16) }) }
)

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const describe = (m: Any) => `${m.typeUrl} ${hex(m.value)}`
const codes = new Map<string, number>()

test("signers: every routed machine gives addresses or a typed chain error (code != 1)", async () => {
  await fuzz(FILE, "signers", fc.property(anyMsg, (msg) => {
    const machine = chain.app.router.msg(msg.typeUrl)
    if (!machine) return
    try {
      const signers = machine.signers(msg)
      for (const s of signers) if (typeof s !== "string" || s === "") throw new Error(`signer ${String(s)} of ${describe(msg)}`)
    } catch (e) {
      if (!isChainError(e)) throw new Error(`${machine.name}.signers threw an untyped ${String(e)} on ${describe(msg)}`)
      if (e.code === 1) throw new Error(`${machine.name}.signers code 1 on ${describe(msg)}: ${e.log}`)
    }
  }), 20000)
})

test("CheckTx of signed random messages: success or a typed refusal (code != 1), check state unchanged on refusal", async () => {
  await chain.checkTx(new Uint8Array([0])) // materialize the check state
  await fuzz(FILE, "handle via checkTx", fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: anyMsg.map((m) => [m]) }, { weight: 1, arbitrary: fc.array(anyMsg, { minLength: 2, maxLength: 3 }) }), async (msgs) => {
    const tx = await chain.sign(alice, msgs, { gas: 5_000_000n })
    const before = chain.checkStateDigest()
    let res
    try {
      res = await chain.checkTx(tx)
    } catch (e) {
      throw new Error(`checkTx threw on [${msgs.map(describe).join(", ")}]: ${e instanceof Error ? e.stack : String(e)}`)
    }
    const key = `${res.codespace || "ok"}:${res.code}`
    codes.set(key, (codes.get(key) ?? 0) + 1)
    if (res.code === 1) throw new Error(`internal error (code 1) on [${msgs.map(describe).join(", ")}]: ${res.log}`)
    if (res.code === 0) chain.admitted(alice.address)
    else if (chain.checkStateDigest() !== before) throw new Error(`refused tx (${res.codespace}:${res.code} ${res.log}) changed the check state: [${msgs.map(describe).join(", ")}]`)
  }), 800)
})

test.after(() => {
  chain.close()
  process.stdout.write(`  CheckTx outcomes (codespace:code count): ${[...codes].sort().map(([k, n]) => `${k} ${n}`).join(", ")}\n`)
  printTotals(FILE)
})
test.run()
