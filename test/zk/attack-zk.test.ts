// Attack review of the zk plugin machine (plugins/zk): invalid points, points at infinity, host
// faults (non-chain errors out of noble or JSON handling), gas charged before expensive work,
// malleability, inputs outside the field, oversized / deep JSON. Tests whose title starts with
// "BUG" prove a defect and fail until it is fixed; the others pin a property that holds.
// Run: npx node node_modules/uvu/bin.js test/zk attack-zk
import { bn254 } from "@noble/curves/bn254.js"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { pluginHost } from "../../plugins/Host.ts"
import createZk, { DEFAULT_PARAMS, MSG_STORE_KEY, MSG_STORE_KEY_RESPONSE, MSG_VERIFY_PROOF, ZK_QUERY, type ZkMachine } from "../../plugins/zk/Zk.ts"
import { zkCodecs } from "../../plugins/zk/internal/Codecs.ts"
import { encodeKey, parseKeyJson } from "../../plugins/zk/internal/Groth16.ts"
import { Chain, makeKey, type Key } from "../machines/support/Chain.ts"
import { baseMachines, fundedGenesis } from "../machines/Fixture.ts"
import { callAs, describe, grantProbe, probe } from "../machines/support/Probe.ts"
import { buildCircuit, releaseSnarkjs, type Circuit } from "./fixtures/circuit.ts"

const codecs = zkCodecs(pluginHost)
const enc = (s: string) => new TextEncoder().encode(s)
const zk = () => createZk({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost }) as ZkMachine
const storeKey = (sender: string, key: string) => ({ typeUrl: MSG_STORE_KEY, value: codecs.msgStoreKey.encode({ sender, key: enc(key) }) })
const verifyProof = (sender: string, keyHash: string, proof: string, publicInputs: ReadonlyArray<string>) =>
  ({ typeUrl: MSG_VERIFY_PROOF, value: codecs.msgVerifyProof.encode({ sender, keyHash, proof: enc(proof), publicInputs }) })

let signer: Key
let other: Key
let circuit: Circuit
const opened: Chain[] = []
const open = async (): Promise<Chain> => {
  const c = await Chain.open([...baseMachines(), zk()])
  opened.push(c)
  await c.init(fundedGenesis({ signer: signer.address, other: other.address }, {}))
  return c
}
const send = async (c: Chain, msg: { typeUrl: string; value: Uint8Array }, gas?: number) => c.tx(await c.sign(signer, [msg], gas))
const stored = async (c: Chain, vkey: string): Promise<string> => {
  const r = await send(c, storeKey(signer.address, vkey))
  assert.is(r.code, 0, r.log)
  const any = TxMsgData.decode(r.data).msgResponses[0]!
  assert.is(any.typeUrl, MSG_STORE_KEY_RESPONSE)
  return codecs.storeKeyResponse.decode(any.value).hash
}

// ---- synthetic keys and points (noble): valid curve / subgroup points with chosen scalars
const G1 = bn254.G1.Point
const G2 = bn254.G2.Point
const g1j = (p: InstanceType<typeof G1>): string[] => {
  const a = p.toAffine()
  return [a.x.toString(), a.y.toString(), "1"]
}
const g2j = (p: InstanceType<typeof G2>): string[][] => {
  const a = p.toAffine()
  return [[a.x.c0.toString(), a.x.c1.toString()], [a.y.c0.toString(), a.y.c1.toString()], ["1", "0"]]
}
const G2_ZERO_AFFINE = [["0", "0"], ["0", "0"], ["1", "0"]]
const G1_ZERO_AFFINE = ["0", "0", "1"]
/** A valid-looking key with `n` inputs, scalars from `seed` (distinct seeds give distinct keys). */
const synthKey = (seed: number, n = 1): Record<string, unknown> => ({
  protocol: "groth16",
  curve: "bn128",
  nPublic: n,
  vk_alpha_1: g1j(G1.BASE.multiply(BigInt(seed) * 7n + 3n)),
  vk_beta_2: g2j(G2.BASE.multiply(BigInt(seed) * 11n + 5n)),
  vk_gamma_2: g2j(G2.BASE.multiply(BigInt(seed) * 13n + 7n)),
  vk_delta_2: g2j(G2.BASE.multiply(BigInt(seed) * 17n + 9n)),
  IC: Array.from({ length: n + 1 }, (_, i) => g1j(G1.BASE.multiply(BigInt(seed) * 19n + BigInt(i) + 2n)))
})

test.before(async () => {
  signer = await makeKey("zk attacker")
  other = await makeKey("zk bystander")
  circuit = await buildCircuit(1)
})
test.after(async () => {
  for (const c of opened) await c.close()
  await releaseSnarkjs()
})

// ------------------------------------------------------------------ points at infinity in the key

test("fixed, was a bug: zk/Groth16.ts g1/g2: a key with vk_beta_2 = [[0,0],[0,0],[1,0]] (infinity written affinely) is stored (docs: beta not at infinity); every verification then fails with internal code 1 'pairing is not available for ZERO point'", async () => {
  const c = await open()
  const key = { ...synthKey(1), vk_beta_2: G2_ZERO_AFFINE }
  const r = await send(c, storeKey(signer.address, JSON.stringify(key)))
  // wanted: ZkMalformedKey (5) naming key.vk_beta_2
  assert.is(r.code, 5, `stored a key with beta at infinity: code ${r.code} ${r.codespace} ${r.log}`)
})

test("fixed, was a bug: zk/Groth16.ts g1: a key with vk_alpha_1 = [\"0\",\"0\",\"1\"] (affine (0,0) = infinity in noble) passes the 'not at infinity' check", async () => {
  const c = await open()
  const key = { ...synthKey(2), vk_alpha_1: G1_ZERO_AFFINE }
  const r = await send(c, storeKey(signer.address, JSON.stringify(key)))
  assert.is(r.code, 5, `stored a key with alpha at infinity: code ${r.code} ${r.codespace} ${r.log}`)
})

test("fixed, was a bug: zk/Zk.ts loadKey->prepareKey: MsgVerifyProof under a stored key with beta at infinity answers internal error code 1 (a non-chain error out of noble), not a zk error", async () => {
  const c = await open()
  const key = { ...synthKey(3), vk_beta_2: G2_ZERO_AFFINE }
  const s = await send(c, storeKey(signer.address, JSON.stringify(key)))
  if (s.code !== 0) return // once the key is refused at store time this attack is closed
  const hash = codecs.storeKeyResponse.decode(TxMsgData.decode(s.data).msgResponses[0]!.value).hash
  const r = await send(c, verifyProof(signer.address, hash, circuit.proof, ["1"]))
  assert.is(r.codespace, "zk", `code ${r.code} ${r.codespace} ${r.log}`)
})

// ------------------------------------------------------------------ proof points at infinity / host faults

test("fixed, was a bug: zk/Groth16.ts g2 + verifyPrepared: a proof with pi_b = [[0,0],[0,0],[1,0]] (G2 infinity) is parsed, then noble throws 'invert: expected non-zero number' -> internal code 1 (zk.verify: an error, not valid:false)", async () => {
  const c = await open()
  const hash = await stored(c, circuit.vkey)
  const proof = JSON.parse(circuit.proof) as Record<string, unknown>
  const r = await send(c, verifyProof(signer.address, hash, JSON.stringify({ ...proof, pi_b: G2_ZERO_AFFINE }), circuit.publicSignals))
  assert.is.not(r.code, 0)
  // wanted: ZkMalformedProof (4) or ZkInvalidProof (3), codespace zk
  assert.is(r.codespace, "zk", `code ${r.code} ${r.codespace} ${r.log}`)
})

test("fixed, was a bug: zk/Groth16.ts readKeyJson/header: a key whose protocol is {\"toString\":1} throws a TypeError (String(o.protocol)) -> internal code 1 instead of ZkMalformedKey", async () => {
  const c = await open()
  const r = await send(c, storeKey(signer.address, JSON.stringify({ ...synthKey(4), protocol: { toString: 1, valueOf: 1 } })))
  assert.is(r.code, 5, `code ${r.code} ${r.codespace} ${r.log}`)
  const r2 = await send(c, storeKey(signer.address, JSON.stringify({ ...synthKey(4), curve: { toString: 1 } })))
  assert.is(r2.code, 5, `curve: code ${r2.code} ${r2.codespace} ${r2.log}`)
})

test("fixed, was a bug: zk/Groth16.ts header: a proof whose protocol is {\"toString\":1} throws a TypeError -> internal code 1 instead of ZkMalformedProof (also through zk.verify)", async () => {
  const c = await open()
  const hash = await stored(c, circuit.vkey)
  const bad = JSON.stringify({ ...(JSON.parse(circuit.proof) as object), protocol: { toString: 1, valueOf: 1 } })
  const r = await send(c, verifyProof(signer.address, hash, bad, circuit.publicSignals))
  assert.is(r.code, 4, `code ${r.code} ${r.codespace} ${r.log}`)
  const ctx = probe(c, [signer.address])
  grantProbe(ctx, "zk", "verify")
  const v = callAs(ctx, "zk", "verify", codecs.verifyRequest.encode({ keyHash: hash, proof: enc(bad), publicInputs: circuit.publicSignals }))
  assert.ok(!v.ok && v.code === 4, describe(v))
})

// ------------------------------------------------------------------ gas before expensive work

test("fixed, was a bug: zk/Zk.ts check(): loadKey prepares the key (a full pairing e(alpha,beta) + 2 G2 line tables) BEFORE any verification gas; a MsgVerifyProof with the wrong input count on an uncached key does that work and is refused paying only store-read gas", async () => {
  const c = await open()
  // the prepared cache is a 64-entry FIFO: an attacker cycling 65 stored keys misses it every time;
  // here the cache is cleared instead
  const hashes: string[] = []
  for (let i = 0; i < 3; i++) hashes.push(await stored(c, JSON.stringify(synthKey(100 + i))))
  const m = c.machines.find((x) => x.name === "zk") as unknown as { prepared: Map<string, unknown> }
  m.prepared.clear()
  const t0 = performance.now()
  const refusals = []
  for (const h of hashes) refusals.push(await send(c, verifyProof(signer.address, h, "{}", [])))
  const ms = (performance.now() - t0) / hashes.length
  for (const r of refusals) assert.is(r.code, 7, r.log)
  assert.is(m.prepared.size, hashes.length, "prepareKey ran for each refused tx")
  const t1 = performance.now()
  for (const h of hashes) assert.is((await send(c, verifyProof(signer.address, h, "{}", []))).code, 7)
  const warm = (performance.now() - t1) / hashes.length
  const unknown = await send(c, verifyProof(signer.address, "ab".repeat(32), "{}", []))
  assert.is(unknown.code, 2, unknown.log)
  const extra = Number(refusals[0]!.gasUsed) - Number(unknown.gasUsed)
  assert.ok(
    extra >= Number(DEFAULT_PARAMS.gasPerPairing),
    `a wrong-count refusal cost only ${extra} gas more than an unknown-key refusal (total ${refusals[0]!.gasUsed}), took about ${ms.toFixed(1)} ms each cold vs ${warm.toFixed(1)} ms with the key cached (tx included), for uncharged pairing work priced at ${DEFAULT_PARAMS.gasPerPairing} gas per pairing`
  )
})

test("fixed, was a bug: zk/Zk.ts check(): out of gas at the verification charge still costs the node the key preparation (pairing done, then OutOfGas)", async () => {
  const c = await open()
  const hash = await stored(c, JSON.stringify(synthKey(200)))
  const m = c.machines.find((x) => x.name === "zk") as unknown as { prepared: Map<string, unknown> }
  // a full run to the pairing check (code 3) minus the verification's charge: the limit runs out exactly at the charge
  const full = await send(c, verifyProof(signer.address, hash, circuit.proof, ["1"]))
  assert.is(full.code, 3, full.log)
  const charge = Number(4n * DEFAULT_PARAMS.gasPerPairing + DEFAULT_PARAMS.gasPerPublicInput)
  m.prepared.clear()
  const r = await send(c, verifyProof(signer.address, hash, circuit.proof, ["1"]), Number(full.gasUsed) - charge + 1_000)
  assert.is(r.code, 11, r.log)
  assert.match(r.log, /zk groth16 verify/)
  assert.is(m.prepared.size, 0, `an out-of-gas tx (gas used ${r.gasUsed}) left a prepared key: the pairing ran before the charge`)
})

// ------------------------------------------------------------------ regressions of the fixes above

test("fixed: A at infinity ([0,1,0] or affine (0,0)) is a malformed proof naming proof.pi_a (code 4), by message and through zk.verify; C at infinity is a well-formed proof that fails the check (code 3)", async () => {
  const c = await open()
  const hash = await stored(c, circuit.vkey)
  const proof = JSON.parse(circuit.proof) as Record<string, unknown>
  for (const inf of [["0", "1", "0"], G1_ZERO_AFFINE]) {
    const bad = JSON.stringify({ ...proof, pi_a: inf })
    const r = await send(c, verifyProof(signer.address, hash, bad, circuit.publicSignals))
    assert.is(r.code, 4, r.log)
    assert.match(r.log, /proof\.pi_a: the point at infinity is not allowed here/)
    const ctx = probe(c, [signer.address])
    grantProbe(ctx, "zk", "verify")
    const v = callAs(ctx, "zk", "verify", codecs.verifyRequest.encode({ keyHash: hash, proof: enc(bad), publicInputs: circuit.publicSignals }))
    assert.ok(!v.ok && v.code === 4, describe(v))
  }
  const r = await send(c, verifyProof(signer.address, hash, JSON.stringify({ ...proof, pi_c: ["0", "1", "0"] }), circuit.publicSignals))
  assert.is(r.code, 3, r.log)
})

test("fixed: gamma, delta (affine (0,0)) and alpha (z = 0) at infinity are refused naming the field (code 5); IC at infinity stays allowed", async () => {
  const c = await open()
  for (const [field, inf] of [["vk_gamma_2", G2_ZERO_AFFINE], ["vk_delta_2", G2_ZERO_AFFINE], ["vk_alpha_1", ["0", "1", "0"]]] as const) {
    const r = await send(c, storeKey(signer.address, JSON.stringify({ ...synthKey(300), [field]: inf })))
    assert.is(r.code, 5, `${field}: ${r.log}`)
    assert.match(r.log, new RegExp(`key\\.${field}: the point at infinity is not allowed here`))
  }
  const k = synthKey(301, 2)
  const ic = k.IC as string[][]
  await stored(c, JSON.stringify({ ...k, IC: [ic[0], ["0", "1", "0"], ic[2]] }))
})

test("fixed: a key already in state with beta at infinity (stored before the checks) answers a typed zk error (code 5), by message and through zk.verify", async () => {
  const c = await open()
  const canonical = encodeKey(parseKeyJson(enc(JSON.stringify(synthKey(400))), 64, {
    malformedKey: (f, w) => new Error(`${f}: ${w}`),
    malformedProof: (f, w) => new Error(`${f}: ${w}`)
  }))
  canonical.fill(0, 4 + 64, 4 + 64 + 128) // beta := 128 zero bytes (noble's G2 infinity)
  const hash = pluginHost.sha256(canonical)
  c.store.store("zk").set(Uint8Array.of(0x6b, 0x2f, ...hash), canonical)
  const hex = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")
  const r = await send(c, verifyProof(signer.address, hex, circuit.proof, ["1"]))
  assert.is(r.code, 5, `code ${r.code} ${r.codespace} ${r.log}`)
  assert.is(r.codespace, "zk")
  assert.match(r.log, /stored key [0-9a-f]{64} cannot be used/)
  const ctx = probe(c, [signer.address])
  grantProbe(ctx, "zk", "verify")
  const v = callAs(ctx, "zk", "verify", codecs.verifyRequest.encode({ keyHash: hex, proof: enc(circuit.proof), publicInputs: ["1"] }))
  assert.ok(!v.ok && v.code === 5, describe(v))
})

test("fixed: the verification charge is the same with the prepared key cached or not", async () => {
  const c = await open()
  const hash = await stored(c, JSON.stringify(synthKey(500)))
  const m = c.machines.find((x) => x.name === "zk") as unknown as { prepared: Map<string, unknown> }
  const used: bigint[] = []
  for (const clear of [true, false, true]) {
    if (clear) m.prepared.clear()
    used.push(BigInt((await send(c, verifyProof(signer.address, hash, circuit.proof, ["1"]))).gasUsed))
  }
  assert.ok(used[0] === used[1] && used[1] === used[2], `gas used ${used.join(", ")}`)
})

// ------------------------------------------------------------------ properties that hold

test("holds: a G2 point on the twist but outside the r-torsion subgroup is refused in keys (code 5) and proofs (code 4)", async () => {
  const c = await open()
  const Fp2 = bn254.fields.Fp2
  const b2 = Fp2.div(Fp2.create({ c0: 3n, c1: 0n }), Fp2.create({ c0: 9n, c1: 1n }))
  let pt: { x: ReturnType<typeof Fp2.create>; y: ReturnType<typeof Fp2.create> } | undefined
  for (let i = 1n; i < 100n && !pt; i++) {
    const x = Fp2.create({ c0: i, c1: 0n })
    try {
      pt = { x, y: Fp2.sqrt(Fp2.add(Fp2.mul(Fp2.sqr(x), x), b2)) }
    } catch { /* not a square */ }
  }
  assert.ok(pt)
  const twist = [[pt.x.c0.toString(), pt.x.c1.toString()], [pt.y.c0.toString(), pt.y.c1.toString()], ["1", "0"]]
  const k = await send(c, storeKey(signer.address, JSON.stringify({ ...synthKey(5), vk_delta_2: twist })))
  assert.is(k.code, 5, k.log)
  assert.match(k.log, /vk_delta_2: not a point of the BN254 G2 subgroup/)
  const hash = await stored(c, circuit.vkey)
  const p = await send(c, verifyProof(signer.address, hash, JSON.stringify({ ...(JSON.parse(circuit.proof) as object), pi_b: twist }), circuit.publicSignals))
  assert.is(p.code, 4, p.log)
})

test("holds: coordinates >= p, public inputs >= r / negative / hex / 81 digits / empty / unicode digits are refused; IC length must be nPublic + 1", async () => {
  const c = await open()
  const p = bn254.fields.Fp.ORDER
  const r = bn254.fields.Fr.ORDER
  const hash = await stored(c, circuit.vkey)
  const proof = JSON.parse(circuit.proof) as { pi_a: string[] }
  // x + p is the same field element: must not be accepted (it would give a second encoding)
  const a = proof.pi_a
  const shifted = await send(c, verifyProof(signer.address, hash, JSON.stringify({ ...proof, pi_a: [String(BigInt(a[0]!) + p), a[1], "1"] }), circuit.publicSignals))
  assert.is(shifted.code, 4, shifted.log)
  const [out, x] = circuit.publicSignals as [string, string]
  for (const bad of [String(r), String(BigInt(x) + r), "-5", "0x5", "5".padStart(81, "0"), "", "５", "5 ", "+5", "5e0"]) {
    const t = await send(c, verifyProof(signer.address, hash, circuit.proof, [out, bad]))
    assert.is(t.code, 8, `${JSON.stringify(bad)}: ${t.code} ${t.log}`)
  }
  // 80 digits with leading zeros is the same element: accepted
  const ok = await send(c, verifyProof(signer.address, hash, circuit.proof, [out, x.padStart(80, "0")]))
  assert.is(ok.code, 0, ok.log)
  const k = JSON.parse(circuit.vkey) as { IC: unknown[] }
  for (const ic of [k.IC.slice(0, 2), [...k.IC, k.IC[0]]]) {
    const s = await send(c, storeKey(signer.address, JSON.stringify({ ...k, IC: ic })))
    assert.is(s.code, 5, s.log)
  }
  const n = await send(c, storeKey(signer.address, JSON.stringify({ ...k, nPublic: 2.5 })))
  assert.is(n.code, 5, n.log)
})

test("holds: malleability does not create a second record: (-A, -B, C) verifies but the record is the first one (first=false)", async () => {
  const c = await open()
  const hash = await stored(c, circuit.vkey)
  const proof = JSON.parse(circuit.proof) as { pi_a: string[]; pi_b: string[][]; pi_c: string[] }
  const A = G1.fromAffine({ x: BigInt(proof.pi_a[0]!), y: BigInt(proof.pi_a[1]!) })
  const Fp2 = bn254.fields.Fp2
  const B = G2.fromAffine({ x: Fp2.create({ c0: BigInt(proof.pi_b[0]![0]!), c1: BigInt(proof.pi_b[0]![1]!) }), y: Fp2.create({ c0: BigInt(proof.pi_b[1]![0]!), c1: BigInt(proof.pi_b[1]![1]!) }) })
  const mauled = JSON.stringify({ ...proof, pi_a: g1j(A.negate()), pi_b: g2j(B.negate()) })
  assert.is.not(mauled, circuit.proof)
  const first = await send(c, verifyProof(signer.address, hash, circuit.proof, circuit.publicSignals))
  assert.is(first.code, 0, first.log)
  const h1 = c.height()
  const second = await send(c, verifyProof(signer.address, hash, mauled, circuit.publicSignals))
  assert.is(second.code, 0, second.log)
  const ev = second.events.find((e) => e.type === "zk_proof_verified")!
  assert.ok(ev.attributes.some((a) => a.key === "first" && a.value === "false"))
  const q = codecs.verifiedResponse.decode((await c.query(ZK_QUERY + "Verified", codecs.verifiedRequest.encode({ keyHash: hash, publicInputs: circuit.publicSignals }))).value)
  assert.is(q.height, BigInt(h1))
})

test("holds: a valid proof for one key is refused (code 3) under another key with the same input count", async () => {
  const c = await open()
  await stored(c, circuit.vkey)
  const other = await stored(c, JSON.stringify(synthKey(7, 2)))
  const r = await send(c, verifyProof(signer.address, other, circuit.proof, circuit.publicSignals))
  assert.is(r.code, 3, r.log)
})

test("holds: deep or huge JSON within the byte limits is a typed refusal (no stack overflow = no node fault)", async () => {
  const c = await open()
  const hash = await stored(c, circuit.vkey)
  const half = Math.floor(DEFAULT_PARAMS.maxProofBytes / 2)
  const deep = await send(c, verifyProof(signer.address, hash, "[".repeat(half) + "]".repeat(half), circuit.publicSignals))
  assert.is(deep.code, 4, deep.log)
  const deepObj = await send(c, verifyProof(signer.address, hash, `{"pi_a":${"[".repeat(half - 10)}${"]".repeat(half - 10)}}`, circuit.publicSignals))
  assert.is(deepObj.code, 4, deepObj.log)
  const kh = Math.floor(DEFAULT_PARAMS.maxKeyBytes / 2)
  const deepKey = await send(c, storeKey(signer.address, "[".repeat(kh) + "]".repeat(kh)))
  assert.is(deepKey.code, 5, deepKey.log)
  const wide = await send(c, storeKey(signer.address, JSON.stringify({ protocol: "groth16", nPublic: 64, IC: Array.from({ length: 3000 }, () => 0) })))
  assert.is(wide.code, 5, wide.log)
  // many public inputs in the message: refused by count before any parsing
  const many = await send(c, verifyProof(signer.address, hash, circuit.proof, Array.from({ length: 20000 }, () => "1")))
  assert.is(many.code, 7, many.log)
})

test.run()
