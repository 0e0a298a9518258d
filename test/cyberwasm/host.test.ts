// Host functions through the canonical-ABI bridge: hashes, signatures, stable memory, context,
// bank, events; results compared with @noble implementations.
import { ed25519 } from "@noble/curves/ed25519.js"
import { secp256k1 } from "@noble/curves/secp256k1.js"
import { blake2b } from "@noble/hashes/blake2.js"
import { blake3 } from "@noble/hashes/blake3.js"
import { sha256, sha512 } from "@noble/hashes/sha2.js"
import { keccak_256 } from "@noble/hashes/sha3.js"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { TestEnv } from "../../modules/cyberwasm/TestEnv.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"

const wasm = await buildExamples(["hostcalls"])
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const test = suite("cyberwasm host functions")

const env = new TestEnv()
const p = env.deploy(wasm.hostcalls!)
const run = (s: string) => dec(env.call(p, enc(s)))

test("hashes match @noble/hashes", () => {
  const d = enc("cyber")
  assert.is(run("hashes cyber"), [hex(sha256(d)), hex(sha512(d)), hex(keccak_256(d)), hex(blake2b(d, { dkLen: 32 })), hex(blake3(d))].join(" "))
})

test("ed25519 and secp256k1 verify and recover", () => {
  const sk = new Uint8Array(32).fill(7)
  const msg = enc("message")
  const sig = ed25519.sign(msg, sk)
  const pub = ed25519.getPublicKey(sk)
  assert.is(run(`ed25519 ${hex(msg)} ${hex(sig)} ${hex(pub)}`), "valid")
  sig[0]! ^= 1
  assert.is(run(`ed25519 ${hex(msg)} ${hex(sig)} ${hex(pub)}`), "invalid")
  const ksk = new Uint8Array(32).fill(9)
  const h = sha256(msg)
  const rec = secp256k1.sign(h, ksk, { prehash: false, format: "recovered" })
  const compact = rec.subarray(1)
  const kpub = secp256k1.getPublicKey(ksk, true)
  assert.is(run(`secp ${hex(h)} ${hex(compact)} ${hex(kpub)}`), "valid")
  assert.is(run(`recover ${hex(h)} ${hex(compact)} ${rec[0]}`), hex(kpub))
  assert.is(run(`recover ${hex(h)} ${"00".repeat(64)} 0`), "none")
})

test("stable memory grows, writes across a page boundary and refuses out-of-range reads", () => {
  assert.is(run("stable"), "0 2 across-the-page")
  const r = env.tryCall(p, enc("stable-oob"))
  assert.not.ok(r.ok)
  assert.match(r.error, /stable memory access/)
})

test("context, events and logs", () => {
  const parts = run("context").split(" ")
  assert.is(parts[0], p)
  assert.is(parts[1], env.alice)
  assert.is(parts[2], env.alice)
  assert.is(parts[3], String(env.height))
  assert.is(parts[5], env.chainId)
  assert.equal(parts.slice(6, 9), ["32", "32", "gas"])
  assert.ok(BigInt(parts[9]!) > 0n)
  const ev = env.eventsOf("cyberwasm.ping")
  assert.is(ev.length, 1)
  assert.is(ev[0]!.attributes.find((a) => a.key === "data")!.value, hex(enc("pong")))
  assert.is(env.logs.at(-1)!.message, `hello from ${p}`)
})

test("bank: balance, send, supply; mint refused without the capability; no graph machine in TestEnv", () => {
  const bob = env.account("bob")
  env.fund(p, 1000n)
  assert.is(run(`bank ${bob} 300`), `1000 sent supply capability missing: program:${p} holds no capability bank.mint: unauthorized`)
  assert.is(env.balance(bob), 300n)
  assert.is(env.balance(p), 700n)
  assert.match(run(`bank ${bob} 5000`), /insufficient funds/)
  const before = env.reserve(p)
  assert.ok(BigInt(run("deposit 100")) >= before + 100n - 1000n)
  assert.is(env.balance(p), 600n)
  assert.match(run("link"), /TestEnv has no machine "graph"/)
})

test.run()
