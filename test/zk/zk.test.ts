// The zk plugin machine (plugins/zk) through the real multiplexer (test/machines/support/Chain.ts):
// a circom circuit compiled in the set-up (test/zk/fixtures/circuit.ts) gives a key and a proof;
// MsgStoreVerifyingKey, MsgVerifyProof, the refusals with their typed errors (state unchanged),
// the queries, the `verify` interface method and genesis import/export.
import { Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { pluginHost } from "../../plugins/Host.ts"
import createZk, { DEFAULT_PARAMS, MSG_STORE_KEY, MSG_STORE_KEY_RESPONSE, MSG_VERIFY_PROOF, ZK_QUERY, type ZkMachine } from "../../plugins/zk/Zk.ts"
import { zkCodecs } from "../../plugins/zk/internal/Codecs.ts"
import { Chain, CHAIN_ID, makeKey, type Key } from "../machines/support/Chain.ts"
import { baseMachines, fundedGenesis } from "../machines/Fixture.ts"
import { callAs, describe, exportAppState, grantProbe, probe } from "../machines/support/Probe.ts"
import { buildCircuit, keyHashOf, prove, releaseSnarkjs, type Circuit } from "./fixtures/circuit.ts"
import { zkRegistryTypes } from "./fixtures/client.ts"

const codecs = zkCodecs(pluginHost)
const enc = (s: string) => new TextEncoder().encode(s)
const zk = () => createZk({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost }) as ZkMachine
const machines = () => [...baseMachines(), zk()]
const storeKey = (sender: string, key: string | Uint8Array) => ({ typeUrl: MSG_STORE_KEY, value: codecs.msgStoreKey.encode({ sender, key: typeof key === "string" ? enc(key) : key }) })
const verifyProof = (sender: string, keyHash: string, proof: string, publicInputs: ReadonlyArray<string>) =>
  ({ typeUrl: MSG_VERIFY_PROOF, value: codecs.msgVerifyProof.encode({ sender, keyHash, proof: enc(proof), publicInputs }) })

let signer: Key
let other: Key
let circuit: Circuit
const opened: Chain[] = []
const open = async (genesis: Record<string, unknown> = {}): Promise<Chain> => {
  const c = await Chain.open(machines())
  opened.push(c)
  await c.init(fundedGenesis({ signer: signer.address, other: other.address }, genesis))
  return c
}
const ok = async (c: Chain, msg: { typeUrl: string; value: Uint8Array }) => {
  const r = await c.tx(await c.sign(signer, [msg]))
  assert.is(r.code, 0, r.log)
  return r
}
/** Store the circuit's key; returns its hash from the tx response. */
const stored = async (c: Chain, vkey = circuit.vkey): Promise<string> => {
  const r = await ok(c, storeKey(signer.address, vkey))
  const any = TxMsgData.decode(r.data).msgResponses[0]!
  assert.is(any.typeUrl, MSG_STORE_KEY_RESPONSE)
  return codecs.storeKeyResponse.decode(any.value).hash
}
const verified = async (c: Chain, keyHash: string, publicInputs: ReadonlyArray<string>) => {
  const r = await c.query(ZK_QUERY + "Verified", codecs.verifiedRequest.encode({ keyHash, publicInputs }))
  assert.is(r.code, 0, r.log)
  return codecs.verifiedResponse.decode(r.value)
}
/** A refused tx: code, codespace "zk" (unless given) and a log containing `needle`. */
const refused = async (c: Chain, msg: { typeUrl: string; value: Uint8Array }, code: number, needle: string | RegExp, codespace = "zk") => {
  const r = await c.tx(await c.sign(signer, [msg]))
  assert.is(r.code, code, `want code ${code}: ${r.code} ${r.codespace} ${r.log}`)
  assert.is(r.codespace, codespace, r.log)
  if (typeof needle === "string") assert.ok(r.log.includes(needle), r.log)
  else assert.match(r.log, needle)
  return r
}

test.before(async () => {
  signer = await makeKey("zk signer")
  other = await makeKey("zk other")
  circuit = await buildCircuit(1)
})
test.after(async () => {
  for (const c of opened) await c.close()
  await releaseSnarkjs()
})

test("the circuit fixture: circom2 compiled it, snarkjs set it up and proved c = a*b + x with 2 public signals", () => {
  assert.equal(circuit.publicSignals, ["38", "5"]) // 3 * 11 + 5
  assert.is((JSON.parse(circuit.vkey) as { nPublic: number }).nPublic, 2)
  assert.ok(circuit.source.includes("template MulSum"))
})

test("MsgStoreVerifyingKey stores the key once under its hash; VerifyingKey answers it; storing again is a no-op with the same hash", async () => {
  const c = await open()
  const hash = await stored(c)
  assert.match(hash, /^[0-9a-f]{64}$/)
  const q = codecs.keyResponse.decode((await c.query(ZK_QUERY + "VerifyingKey", codecs.keyRequest.encode({ keyHash: hash }))).value)
  assert.is(q.found, true)
  assert.is(q.nPublic, 2)
  const mine = JSON.parse(new TextDecoder().decode(q.key)) as Record<string, unknown>
  const theirs = JSON.parse(circuit.vkey) as Record<string, unknown>
  for (const f of ["protocol", "nPublic", "vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"]) assert.equal(mine[f], theirs[f], f)
  // the same key reformatted (whitespace, field order, vk_alphabeta_12 dropped) has the same hash
  const before = c.appHash()
  const { vk_alphabeta_12: _, ...rest } = theirs
  const again = await ok(c, storeKey(signer.address, JSON.stringify(Object.fromEntries(Object.entries(rest).reverse()))))
  assert.is(codecs.storeKeyResponse.decode(TxMsgData.decode(again.data).msgResponses[0]!.value).hash, hash)
  assert.not.ok(again.events.some((e) => e.type === "zk_key_stored"), "no event for a key already stored")
  assert.is.not(c.appHash(), before) // fees and sequence moved; the zk namespace did not
  const unknown = codecs.keyResponse.decode((await c.query(ZK_QUERY + "VerifyingKey", codecs.keyRequest.encode({ keyHash: "00".repeat(32) }))).value)
  assert.equal(unknown, { found: false, key: new Uint8Array(0), nPublic: 0 })
})

test("a valid proof verifies through MsgVerifyProof: the inputs are recorded under the key with an event", async () => {
  const c = await open()
  const hash = await stored(c)
  assert.is((await verified(c, hash, circuit.publicSignals)).verified, false)
  const r = await ok(c, verifyProof(signer.address, hash, circuit.proof, circuit.publicSignals))
  const ev = r.events.find((e) => e.type === "zk_proof_verified")
  assert.ok(ev, "zk_proof_verified event")
  assert.ok(ev.attributes.some((a) => a.key === "key_hash" && a.value === hash))
  assert.ok(ev.attributes.some((a) => a.key === "first" && a.value === "true"))
  const v = await verified(c, hash, circuit.publicSignals)
  assert.equal(v, { verified: true, height: BigInt(c.height()), sender: signer.address })
  // leading zeros are the same field element, so the same record
  assert.is((await verified(c, hash, circuit.publicSignals.map((s) => "00" + s))).verified, true)
  assert.is((await verified(c, hash, ["39", "5"])).verified, false)
  // a second proof of other inputs (fresh from snarkjs) verifies too; verifying again keeps the first record
  const p2 = await prove(circuit, { a: "7", b: "6", x: ["100"] })
  assert.equal(p2.publicSignals, ["142", "100"])
  await ok(c, verifyProof(signer.address, hash, p2.proof, p2.publicSignals))
  const firstHeight = (await verified(c, hash, circuit.publicSignals)).height
  const again = await ok(c, verifyProof(signer.address, hash, circuit.proof, circuit.publicSignals))
  assert.ok(again.events.some((e) => e.type === "zk_proof_verified" && e.attributes.some((a) => a.key === "first" && a.value === "false")))
  assert.is((await verified(c, hash, circuit.publicSignals)).height, firstHeight)
})

test("refusals carry typed zk errors naming the problem, and change no zk state", async () => {
  const c = await open()
  const hash = await stored(c)
  const zkState = () => c.dump("zk")
  const before = zkState()
  const proof = JSON.parse(circuit.proof) as { pi_a: string[]; pi_b: string[][]; pi_c: string[] }
  const [out, x] = circuit.publicSignals as [string, string]
  // one public input changed: the pairing check fails
  await refused(c, verifyProof(signer.address, hash, circuit.proof, [out, String(BigInt(x) + 1n)]), 3, "invalid proof: the Groth16 pairing check fails")
  await refused(c, verifyProof(signer.address, hash, circuit.proof, [String(BigInt(out) + 1n), x]), 3, "invalid proof")
  // a proof of other values for the same key does not verify these inputs
  const p2 = await prove(circuit, { a: "2", b: "2", x: ["1"] })
  await refused(c, verifyProof(signer.address, hash, p2.proof, circuit.publicSignals), 3, "invalid proof")
  // malformed proofs name the field
  await refused(c, verifyProof(signer.address, hash, "{not json", circuit.publicSignals), 4, "malformed proof: proof: not UTF-8 JSON")
  await refused(c, verifyProof(signer.address, hash, JSON.stringify({ ...proof, pi_a: ["1", "3"] }), circuit.publicSignals), 4, "malformed proof: proof.pi_a: not a point of the BN254 G1 curve")
  await refused(c, verifyProof(signer.address, hash, JSON.stringify({ ...proof, pi_b: [proof.pi_b[0], ["1", "2"], ["1", "0"]] }), circuit.publicSignals), 4, "proof.pi_b: not a point of the BN254 G2 subgroup")
  await refused(c, verifyProof(signer.address, hash, JSON.stringify({ ...proof, pi_c: ["x", "1", "1"] }), circuit.publicSignals), 4, "proof.pi_c[0]: expected a decimal string")
  await refused(c, verifyProof(signer.address, hash, JSON.stringify({ pi_a: proof.pi_a, pi_b: proof.pi_b }), circuit.publicSignals), 4, "proof.pi_c")
  await refused(c, verifyProof(signer.address, hash, JSON.stringify({ ...proof, protocol: "plonk" }), circuit.publicSignals), 4, "proof.protocol")
  await refused(c, verifyProof(signer.address, hash, " ".repeat(DEFAULT_PARAMS.maxProofBytes + 1), circuit.publicSignals), 4, `more than the limit of ${DEFAULT_PARAMS.maxProofBytes} bytes`)
  // wrong count, inputs outside the field, unknown and malformed key hashes
  await refused(c, verifyProof(signer.address, hash, circuit.proof, [out]), 7, "the key has 2, got 1")
  const r = "21888242871839275222246405745257275088548364400416034343698204186575808495617"
  await refused(c, verifyProof(signer.address, hash, circuit.proof, [out, r]), 8, "public input 1")
  await refused(c, verifyProof(signer.address, hash, circuit.proof, ["-1", x]), 8, "public input 0")
  await refused(c, verifyProof(signer.address, hash, circuit.proof, ["0x05", x]), 8, "not a decimal string below the BN254 scalar field modulus r")
  await refused(c, verifyProof(signer.address, "ab".repeat(32), circuit.proof, circuit.publicSignals), 2, `unknown verifying key ${"ab".repeat(32)}`)
  await refused(c, verifyProof(signer.address, "nope", circuit.proof, circuit.publicSignals), 5, "key_hash: expected 64 hex characters")
  // oversized and malformed keys
  const big = circuit.vkey + " ".repeat(DEFAULT_PARAMS.maxKeyBytes + 1 - circuit.vkey.length)
  await refused(c, storeKey(signer.address, big), 6, `verifying key is ${DEFAULT_PARAMS.maxKeyBytes + 1} bytes, more than the limit of ${DEFAULT_PARAMS.maxKeyBytes} bytes`)
  const vk = JSON.parse(circuit.vkey) as Record<string, unknown> & { IC: string[][]; vk_delta_2: string[][] }
  await refused(c, storeKey(signer.address, JSON.stringify({ ...vk, IC: vk.IC.slice(1) })), 5, "key.IC: expected nPublic + 1 = 3 points, got 2")
  await refused(c, storeKey(signer.address, JSON.stringify({ ...vk, vk_delta_2: [vk.vk_delta_2[1], vk.vk_delta_2[0], ["1", "0"]] })), 5, "key.vk_delta_2: not a point of the BN254 G2 subgroup")
  await refused(c, storeKey(signer.address, JSON.stringify({ ...vk, nPublic: 65, IC: [] })), 5, "key.nPublic: 65 public inputs, more than the limit 64")
  await refused(c, storeKey(signer.address, JSON.stringify({ ...vk, protocol: "plonk" })), 5, "key.protocol")
  await refused(c, storeKey(signer.address, new Uint8Array([0xff, 0xfe])), 5, "key: not UTF-8 JSON")
  // a sender that did not sign: refused by the ante step
  const impostor = await c.tx(await c.sign(signer, [verifyProof(other.address, hash, circuit.proof, circuit.publicSignals)]))
  assert.is.not(impostor.code, 0)
  assert.equal(zkState(), before, "no zk state written by any refusal")
  assert.is((await verified(c, hash, circuit.publicSignals)).verified, false)
  // and the chain keeps going: the valid proof still verifies
  await ok(c, verifyProof(signer.address, hash, circuit.proof, circuit.publicSignals))
})

test("gas: a verification costs 4 pairings and one unit per public input over the store gas; too little gas is code 11", async () => {
  const c = await open()
  const hash = await stored(c)
  const good = await c.sign(signer, [verifyProof(signer.address, hash, circuit.proof, circuit.publicSignals)])
  const sim = await c.simulate(good)
  assert.is(sim.code, 0, sim.log)
  const charged = Number(4n * DEFAULT_PARAMS.gasPerPairing + 2n * DEFAULT_PARAMS.gasPerPublicInput)
  assert.ok(sim.gasUsed > charged, `gas used ${sim.gasUsed} includes the ${charged} of the verification`)
  const r = await c.tx(await c.sign(signer, [verifyProof(signer.address, hash, circuit.proof, circuit.publicSignals)], sim.gasUsed - charged))
  assert.is(r.code, 11, r.log)
  assert.match(r.log, /zk groth16 verify/)
  assert.is((await verified(c, hash, circuit.publicSignals)).verified, false)
})

test("interface `verify`: valid true for the proof, false for a changed input; typed errors for an unknown key or malformed proof; nothing written", async () => {
  const c = await open()
  const hash = await stored(c)
  const m = c.machines.find((x) => x.name === "zk")!
  const before = c.dump("zk")
  const call = (keyHash: string, proof: string, publicInputs: ReadonlyArray<string>) => {
    const ctx = probe(c, [signer.address])
    grantProbe(ctx, "zk", "verify")
    return callAs(ctx, "zk", "verify", codecs.verifyRequest.encode({ keyHash, proof: enc(proof), publicInputs }))
  }
  const yes = call(hash, circuit.proof, circuit.publicSignals)
  assert.ok(yes.ok, describe(yes))
  assert.equal(codecs.verifyResponse.decode(yes.value as Uint8Array), { valid: true })
  const no = call(hash, circuit.proof, [circuit.publicSignals[0]!, "6"])
  assert.ok(no.ok, describe(no))
  assert.equal(codecs.verifyResponse.decode(no.value as Uint8Array), { valid: false })
  const unknown = call("cd".repeat(32), circuit.proof, circuit.publicSignals)
  assert.ok(!unknown.ok && unknown.code === 2 && unknown.log.includes("unknown verifying key"), describe(unknown))
  const bad = call(hash, "[]", circuit.publicSignals)
  assert.ok(!bad.ok && bad.code === 4 && bad.log.includes("proof: expected a JSON object"), describe(bad))
  assert.equal(c.dump("zk"), before)
  assert.is(m.interface!.methods.verify!.readOnly, true)
})

test("Params answers the defaults; genesis params, keys and verified records import and export in store order", async () => {
  const c = await open()
  const p = codecs.params.decode((await c.query(ZK_QUERY + "Params", new Uint8Array())).value)
  assert.equal(p, DEFAULT_PARAMS)
  const hash = await stored(c)
  await ok(c, verifyProof(signer.address, hash, circuit.proof, circuit.publicSignals))
  const exported = (await exportAppState(c)).zk as { params: Record<string, unknown>; keys: Array<{ hash: string }>; verified: Array<{ key_hash: string; public_inputs: string[]; sender: string }> }
  assert.equal(exported.keys.map((k) => k.hash), [hash])
  assert.equal(exported.verified.map((v) => [v.key_hash, v.public_inputs, v.sender]), [[hash, circuit.publicSignals, signer.address]])
  // a smaller key limit in genesis still imports the exported key (limits apply to messages)
  const d = await open({ zk: { ...exported, params: { ...exported.params, max_key_bytes: 1000 } } })
  assert.is((await verified(d, hash, circuit.publicSignals)).verified, true)
  assert.is(codecs.params.decode((await d.query(ZK_QUERY + "Params", new Uint8Array())).value).maxKeyBytes, 1000)
  await refused(d, storeKey(signer.address, circuit.vkey), 6, "more than the limit of 1000 bytes")
  const bad: Array<[unknown, string]> = [
    [{ keys: [{ key: circuit.vkey }, { key: circuit.vkey }] }, "keys[1]: key listed twice"],
    [{ keys: [{ key: circuit.vkey, hash: "00".repeat(32) }] }, "keys[0]: hash"],
    [{ keys: [{ key: "{}" }] }, "keys[0]: malformed verifying key: key.protocol"],
    [{ verified: [{ key_hash: hash, public_inputs: circuit.publicSignals, height: "1", sender: signer.address }] }, "verified[0]: unknown verifying key"],
    [{ keys: [{ key: circuit.vkey }], verified: [{ key_hash: hash, public_inputs: ["1"], height: "1", sender: signer.address }] }, "verified[0]: wrong number of public inputs"],
    [{ params: { max_key_bytes: 0 } }, "params: max_key_bytes"],
    [{ params: { gas_per_pairing: -1 } }, "params: gas_per_pairing"]
  ]
  for (const [genesis, needle] of bad) {
    const chain = await Chain.open(machines())
    opened.push(chain)
    try {
      await chain.init(fundedGenesis({ signer: signer.address, other: other.address }, { zk: genesis }))
      assert.unreachable(`accepted ${JSON.stringify(genesis).slice(0, 100)}`)
    } catch (e) {
      const log = String((e as { log?: string }).log ?? e)
      assert.ok(log.includes(needle), `${needle}: ${log}`)
    }
  }
})

test("CosmJS signs both messages (SIGN_MODE_DIRECT) with zkRegistryTypes; the chain runs them", async () => {
  const c = await open()
  const client = await SigningStargateClient.offline(signer.wallet, { registry: new Registry([...defaultRegistryTypes, ...zkRegistryTypes]) })
  const { accountNumber, sequence } = await c.account(signer.address)
  const keyHash = keyHashOf(circuit.vkey)
  const raw = await client.sign(signer.address, [
    { typeUrl: MSG_STORE_KEY, value: { sender: signer.address, key: enc(circuit.vkey) } },
    { typeUrl: MSG_VERIFY_PROOF, value: { sender: signer.address, keyHash, proof: enc(circuit.proof), publicInputs: circuit.publicSignals } }
  ], { amount: [{ denom: "boot", amount: "10000" }], gas: "2000000" }, "", { accountNumber, sequence: Number(sequence), chainId: CHAIN_ID })
  const r = await c.tx(TxRaw.encode(raw).finish())
  assert.is(r.code, 0, r.log)
  assert.is((await verified(c, keyHash, circuit.publicSignals)).verified, true)
})

test.run()
