/**
 * Fuzzer of the tx decoder (modules/auth/TxDecoder.ts), the ante chain (modules/auth/Ante.ts) and
 * the multiplexer's CheckTx and Simulate (chain/Application.ts) on the node's real machine set:
 * random bytes and mutations (bit flips, truncation, insertion, deletion, field splicing) of real
 * CosmJS-signed TxRaw bytes. Every outcome must be success or a typed chain error with a code other
 * than 1 (internal), never an exception out of the app, and a refused CheckTx must leave the check
 * state byte-for-byte unchanged. See docs/fuzzing.md.
 */
import { test } from "uvu"
import fc from "fast-check"
import { MsgMultiSend, MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { SimulateRequest } from "cosmjs-types/cosmos/tx/v1beta1/service"
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { isChainError } from "../../chain/ChainError.ts"
import { decodeTx } from "../../modules/auth/TxDecoder.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink } from "../../modules/graph/Messages.ts"
import * as W from "../../modules/cyberwasm/Messages.ts"
import { bytesUpTo, fuzz, mutated, printTotals } from "./support/Fuzz.ts"
import { FuzzChain } from "./support/Chain.ts"

const FILE = "test/fuzz/tx.test.ts"
const chain = await FuzzChain.start()
const [alice, bob] = chain.keys as [NonNullable<(typeof chain.keys)[0]>, NonNullable<(typeof chain.keys)[0]>]

const send: Any = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "boot", amount: "5" }] }).finish() }
const multi: Any = {
  typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
  value: MsgMultiSend.encode({ inputs: [{ address: alice.address, coins: [{ denom: "boot", amount: "7" }] }], outputs: [{ address: bob.address, coins: [{ denom: "boot", amount: "7" }] }] }).finish()
}
const link: Any = { typeUrl: MSG_CYBERLINK_URL, value: MsgCyberlink.encode({ neuron: alice.address, links: [{ from: "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", to: "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn" }] }).finish() }
const exec: Any = { typeUrl: W.TypeUrl.execute, value: W.MsgExecute.encode({ sender: alice.address, program: bob.address, input: new Uint8Array([1, 2, 3]) }) }

/** Real signed txs (sequence 0), the seeds of the mutations, and their parts as splice donors. */
const seeds: Uint8Array[] = [
  await chain.sign(alice, [send]),
  await chain.sign(alice, [multi, send], { memo: "fuzz memo" }),
  await chain.sign(alice, [link]),
  await chain.sign(alice, [exec], { gas: 300_000n }),
  await chain.sign(bob, [{ typeUrl: send.typeUrl, value: MsgSend.encode({ fromAddress: bob.address, toAddress: alice.address, amount: [{ denom: "hydrogen", amount: "1" }] }).finish() }])
]
const donors: Uint8Array[] = seeds.flatMap((s) => {
  const raw = TxRaw.decode(s)
  return [s, raw.bodyBytes, raw.authInfoBytes, ...raw.signatures]
})

/** A tx input: random bytes, a mutated real tx, or a real tx with one part mutated and re-wrapped. */
const txBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 2, arbitrary: bytesUpTo(300) },
  { weight: 5, arbitrary: fc.constantFrom(...seeds).chain((s) => mutated(s, donors)) },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.constantFrom("body", "authInfo", "sig" as const)).chain(([s, part]) => {
      const raw = TxRaw.decode(s)
      const target = part === "body" ? raw.bodyBytes : part === "authInfo" ? raw.authInfoBytes : raw.signatures[0]!
      return mutated(target, donors).map((m) => TxRaw.encode({
        bodyBytes: part === "body" ? m : raw.bodyBytes,
        authInfoBytes: part === "authInfo" ? m : raw.authInfoBytes,
        signatures: part === "sig" ? [m] : raw.signatures
      }).finish())
    })
  },
  { weight: 1, arbitrary: fc.constantFrom(...seeds) }
)

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
/** CheckTx result codes seen ("codespace:code" -> count), printed at the end to show what the cases reach. */
const codes = new Map<string, number>()
const seen = (codespace: string, code: number) => codes.set(`${codespace || "ok"}:${code}`, (codes.get(`${codespace || "ok"}:${code}`) ?? 0) + 1)

test("decodeTx: random and mutated bytes give a decoded tx or a typed chain error (code != 1)", async () => {
  await fuzz(FILE, "decodeTx", fc.property(txBytes, (bytes) => {
    try {
      const tx = decodeTx(bytes)
      // A decoded tx must be internally consistent with what the ante chain reads.
      if (tx.msgs.length === 0) throw new Error("decoded a tx without messages")
      if (!Number.isSafeInteger(tx.gasLimit) || tx.gasLimit < 0) throw new Error(`gas limit ${tx.gasLimit}`)
    } catch (e) {
      if (!isChainError(e)) throw new Error(`untyped exception from decodeTx(${hex(bytes)}): ${String(e)}`)
      if (e.code === 1) throw new Error(`code 1 from decodeTx(${hex(bytes)}): ${e.log}`)
    }
  }), 8000)
})

test("CheckTx: success or a typed refusal (code != 1) that leaves the check state unchanged", async () => {
  await chain.checkTx(new Uint8Array([0])) // materialize the check state
  await fuzz(FILE, "checkTx", fc.asyncProperty(txBytes, async (bytes) => {
    const before = chain.checkStateDigest()
    let res
    try {
      res = await chain.checkTx(bytes)
    } catch (e) {
      throw new Error(`checkTx threw on ${hex(bytes)}: ${e instanceof Error ? e.stack : String(e)}`)
    }
    seen(res.codespace, res.code)
    if (res.code === 1) throw new Error(`internal error (code 1) on ${hex(bytes)}: ${res.log}`)
    if (res.code !== 0) {
      if (res.codespace === "" || res.log === "") throw new Error(`refusal without codespace/log: code ${res.code}`)
      const after = chain.checkStateDigest()
      if (after !== before) throw new Error(`refused tx (code ${res.code} ${res.codespace}: ${res.log}) changed the check state: ${hex(bytes)}`)
    } else {
      // Admitted (a mutation that kept the signed content): start the next case from the committed state.
      await chain.block([])
      await chain.checkTx(new Uint8Array([0]))
    }
  }), 2000)
})

test("Simulate query: random and mutated txs give a response code != 1, never a throw", async () => {
  await fuzz(FILE, "simulate", fc.asyncProperty(txBytes, async (bytes) => {
    const data = SimulateRequest.encode({ txBytes: bytes }).finish()
    let res
    try {
      res = await chain.app.query({ path: "/cosmos.tx.v1beta1.Service/Simulate", data, height: 0n, prove: false })
    } catch (e) {
      throw new Error(`simulate threw on ${hex(bytes)}: ${String(e)}`)
    }
    if (res.code === 1) throw new Error(`internal error (code 1) simulating ${hex(bytes)}: ${res.log}`)
  }), 1000)
})

test("decodeTx: structured TxBody/AuthInfo with random fields", async () => {
  const coin = fc.record({ denom: fc.oneof(fc.constantFrom("boot", "hydrogen", "", "B", "a/b"), fc.string({ maxLength: 12 })), amount: fc.oneof(fc.constantFrom("0", "1", "-1", "01", "1e3", "", "340282366920938463463374607431768211456"), fc.string({ maxLength: 6 })) })
  const body = fc.record({
    messages: fc.array(fc.record({ typeUrl: fc.oneof(fc.constantFrom("", send.typeUrl, multi.typeUrl, MSG_CYBERLINK_URL), fc.string({ maxLength: 20 })), value: bytesUpTo(40) }), { maxLength: 3 }),
    memo: fc.string({ maxLength: 300 }),
    timeoutHeight: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    extensionOptions: fc.array(fc.record({ typeUrl: fc.string({ maxLength: 8 }), value: bytesUpTo(4) }), { maxLength: 1 })
  })
  const authInfo = fc.record({
    signerInfos: fc.array(fc.record({
      publicKey: fc.option(fc.record({ typeUrl: fc.constantFrom("/cosmos.crypto.secp256k1.PubKey", "/cosmos.crypto.ed25519.PubKey", ""), value: fc.oneof(bytesUpTo(40), fc.constant(alice.pubkey.value)) }), { nil: undefined }),
      modeInfo: fc.option(fc.oneof(fc.record({ single: fc.record({ mode: fc.integer({ min: -1, max: 200 }) }) }), fc.constant({ multi: { bitarray: undefined, modeInfos: [] } })), { nil: undefined }),
      sequence: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
    }), { maxLength: 3 }),
    fee: fc.option(fc.record({ amount: fc.array(coin, { maxLength: 3 }), gasLimit: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), payer: fc.oneof(fc.constant(""), fc.constant(bob.address), fc.string({ maxLength: 10 })), granter: fc.oneof(fc.constant(""), fc.string({ maxLength: 4 })) }), { nil: undefined })
  })
  await fuzz(FILE, "decodeTx structured", fc.asyncProperty(body, authInfo, fc.array(bytesUpTo(70), { maxLength: 3 }), async (b, a, sigs) => {
    let bytes: Uint8Array
    try {
      bytes = TxRaw.encode({ bodyBytes: TxBody.encode(TxBody.fromPartial(b)).finish(), authInfoBytes: AuthInfo.encode(AuthInfo.fromPartial(a as never)).finish(), signatures: sigs }).finish()
    } catch {
      return // cosmjs-types cannot encode this value (e.g. a negative enum): not an input the node can receive
    }
    try {
      decodeTx(bytes)
    } catch (e) {
      if (!isChainError(e)) throw new Error(`untyped exception from decodeTx(${hex(bytes)}): ${String(e)}`)
      if (e.code === 1) throw new Error(`code 1 from decodeTx: ${e.log}`)
    }
    const before = chain.checkStateDigest()
    const res = await chain.checkTx(bytes)
    seen(res.codespace, res.code)
    if (res.code === 1) throw new Error(`internal error (code 1) on ${hex(bytes)}: ${res.log}`)
    if (res.code !== 0 && chain.checkStateDigest() !== before) throw new Error(`refused tx changed the check state: ${hex(bytes)}`)
  }), 2000)
})

test("CheckTx of correctly signed hostile envelopes: fee, gas, memo, timeout, sequence, payer, keys", async () => {
  const { makeAuthInfoBytes, makeSignDoc } = await import("@cosmjs/proto-signing")
  const sendOf = (from: string, to: string, amt: string, denom = "boot"): Any =>
    ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom, amount: amt }] }).finish() })
  const u64 = fc.oneof(fc.constantFrom(0n, 1n, 2n, 3n, 200_000n, 2_000_000n, BigInt(Number.MAX_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER) + 1n, (1n << 63n) - 1n, (1n << 64n) - 1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }))
  const amount = fc.oneof(fc.constantFrom("0", "1", "100", "40000", "1000000000000", "1000000000001", "18446744073709551616", "-1", "01", ""), fc.bigInt({ min: 0n, max: 10n ** 13n }).map(String))
  const envelope = fc.record({
    msgs: fc.array(fc.oneof(
      { weight: 5, arbitrary: fc.tuple(amount, fc.constantFrom("boot", "hydrogen", "nope")).map(([a, d]) => sendOf(alice.address, bob.address, a, d)) },
      { weight: 1, arbitrary: amount.map((a) => sendOf(bob.address, alice.address, a)) },
      { weight: 1, arbitrary: amount.map((a) => sendOf(alice.address, alice.address, a)) }
    ), { minLength: 1, maxLength: 3 }),
    memo: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("x".repeat(256), "x".repeat(257), "\u00e9".repeat(200), "\ud83d\ude00".repeat(70))),
    timeoutHeight: fc.oneof(fc.constant(0n), u64),
    gas: u64,
    fee: fc.array(fc.record({ denom: fc.constantFrom("boot", "hydrogen", "x", ""), amount }), { maxLength: 3 }),
    payer: fc.constantFrom("", alice.address, bob.address, "cyber1xyz"),
    seqDelta: fc.constantFrom(0n, 0n, 0n, 1n, -1n, 1n << 40n),
    accountDelta: fc.constantFrom(0, 0, 0, 1),
    chainId: fc.constantFrom("fuzz-1", "fuzz-1", "fuzz-2", ""),
    key: fc.constantFrom("alice", "alice", "alice", "bob", "none"),
    signer: fc.constantFrom("alice", "alice", "alice", "alice", "bob")
  })
  await fuzz(FILE, "checkTx signed envelope", fc.asyncProperty(envelope, async (e) => {
    const signer = e.signer === "alice" ? alice : bob
    const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: e.msgs, memo: e.memo, timeoutHeight: e.timeoutHeight })).finish()
    const sequence = 0n + e.seqDelta
    const pubkey = e.key === "alice" ? alice.pubkey : e.key === "bob" ? bob.pubkey : undefined
    let authInfoBytes: Uint8Array
    try {
      const ai = AuthInfo.decode(makeAuthInfoBytes([{ pubkey: pubkey ?? alice.pubkey, sequence: sequence < 0n ? 0n : sequence }], e.fee, 0, undefined, undefined))
      authInfoBytes = AuthInfo.encode({
        ...ai,
        signerInfos: ai.signerInfos.map((si) => ({ ...si, publicKey: pubkey, sequence: sequence < 0n ? (1n << 64n) - 1n : sequence })),
        fee: { ...ai.fee!, gasLimit: e.gas, payer: e.payer }
      }).finish()
    } catch {
      return // not encodable
    }
    const doc = makeSignDoc(bodyBytes, authInfoBytes, e.chainId, Number(signer.accountNumber) + e.accountDelta)
    const { signature } = await signer.wallet.signDirect(signer.address, doc)
    const bytes = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [Buffer.from(signature.signature, "base64")] }).finish()
    const before = chain.checkStateDigest()
    const res = await chain.checkTx(bytes)
    seen(res.codespace, res.code)
    if (res.code === 1) throw new Error(`internal error (code 1) on ${hex(bytes)}: ${res.log}`)
    if (res.code !== 0) {
      if (chain.checkStateDigest() !== before) throw new Error(`refused tx (${res.codespace}:${res.code} ${res.log}) changed the check state: ${hex(bytes)}`)
    } else {
      await chain.block([])
      await chain.checkTx(new Uint8Array([0]))
    }
  }), 500)
})

test.after(() => {
  chain.close()
  process.stdout.write(`  CheckTx outcomes (codespace:code count): ${[...codes].sort().map(([k, n]) => `${k} ${n}`).join(", ")}\n`)
  printTotals(FILE)
})
test.run()
