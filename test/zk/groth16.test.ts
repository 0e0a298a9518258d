// plugins/zk/internal/Groth16.ts against snarkjs: the same verdicts on the fixture proof and on
// proofs with one input changed or points swapped; canonical key bytes round-trip; the plugin
// package loads with the node's loader (manifest, grants and the @noble/curves dependency).
import { test } from "uvu"
import * as assert from "uvu/assert"
import * as snarkjs from "snarkjs"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pluginHost } from "../../plugins/Host.ts"
import { installPlugin } from "../../node/PluginInstall.ts"
import { loadPlugin, readManifest } from "../../node/PluginPackage.ts"
import { DEFAULT_PARAMS, type ZkMachine } from "../../plugins/zk/Zk.ts"
import { canonicalKeyLength, decodeKey, encodeKey, keyJson, parseKeyJson, parseProofJson, prepareKey, verifyPrepared, type Refusals } from "../../plugins/zk/internal/Groth16.ts"
import { buildCircuit, releaseSnarkjs, type Circuit } from "./fixtures/circuit.ts"

const refusals: Refusals = { malformedKey: (f, w) => new Error(`key ${f}: ${w}`), malformedProof: (f, w) => new Error(`proof ${f}: ${w}`) }
const enc = (s: string) => new TextEncoder().encode(s)
let one: Circuit
let three: Circuit

test.before(async () => {
  one = await buildCircuit(1)
  three = await buildCircuit(3)
})
test.after(releaseSnarkjs)

test("noble verification agrees with snarkjs.groth16.verify on valid, changed-input and swapped-point proofs", async () => {
  for (const c of [one, three]) {
    const vk = JSON.parse(c.vkey)
    const proof = JSON.parse(c.proof)
    const pk = prepareKey(parseKeyJson(enc(c.vkey), 64, refusals))
    const cases: Array<[string, unknown, string[]]> = [
      ["valid", proof, [...c.publicSignals]],
      ["first signal + 1", proof, [String(BigInt(c.publicSignals[0]!) + 1n), ...c.publicSignals.slice(1)]],
      ["last signal zero", proof, [...c.publicSignals.slice(0, -1), "0"]],
      ["A and C swapped", { ...proof, pi_a: proof.pi_c, pi_c: proof.pi_a }, [...c.publicSignals]],
      ["A negated", { ...proof, pi_a: [proof.pi_a[0], String(21888242871839275222246405745257275088696311157297823662689037894645226208583n - BigInt(proof.pi_a[1])), "1"] }, [...c.publicSignals]]
    ]
    for (const [what, p, inputs] of cases) {
      const theirs = await snarkjs.groth16.verify(vk, inputs, p)
      const mine = verifyPrepared(pk, parseProofJson(enc(JSON.stringify(p)), refusals), inputs.map(BigInt))
      assert.is(mine, theirs, `${c.inputs} inputs, ${what}`)
      if (what === "valid") assert.ok(mine, "the fixture proof verifies")
      else assert.not.ok(mine, what)
    }
  }
})

test("canonical key bytes: fixed length, decode(encode(k)) gives the same bytes and JSON; whitespace and vk_alphabeta_12 do not matter", () => {
  const k = parseKeyJson(enc(one.vkey), 64, refusals)
  const bytes = encodeKey(k)
  assert.is(bytes.length, canonicalKeyLength(2))
  assert.is(bytes.length, 4 + 64 + 3 * 128 + 3 * 64)
  assert.equal(encodeKey(decodeKey(bytes)), bytes)
  const { vk_alphabeta_12: _, ...rest } = JSON.parse(one.vkey)
  assert.equal(encodeKey(parseKeyJson(enc(JSON.stringify(rest)), 64, refusals)), bytes)
  assert.equal(encodeKey(parseKeyJson(enc(keyJson(decodeKey(bytes))), 64, refusals)), bytes)
  assert.throws(() => decodeKey(bytes.subarray(1)), /canonical key/)
})

test("the plugin package loads with the node's loader: manifest equals the machine, grants, exact @noble/curves version", async () => {
  const dir = new URL("../../plugins/zk", import.meta.url).pathname
  const manifest = readManifest(dir)
  assert.is(manifest.machine, "zk")
  assert.equal(manifest.dependencies, { "@noble/curves": "2.4.0" })
  const loaded = await loadPlugin(dir, { bech32Prefix: "cyber", bondDenom: "boot" })
  assert.is(loaded.machine.name, "zk")
  assert.match(loaded.codeHash, /^[0-9a-f]{64}$/)
  assert.equal(loaded.machine.grants?.map((g) => `${g.principal} ${g.capability.interface}.${g.capability.method}`), ["program:* zk.verify", "contract:* zk.verify"])
  // installed as a copy under <home>/plugins/zk/: @noble/curves resolves through the node's linked
  // node_modules, and the installed machine verifies the fixture proof
  const home = mkdtempSync(join(tmpdir(), "ck-zk-home-"))
  try {
    const installed = await installPlugin(dir, home, { bech32Prefix: "cyber", bondDenom: "boot" })
    assert.is(installed.codeHash, loaded.codeHash)
    const copy = (await loadPlugin(installed.dir, { bech32Prefix: "cyber", bondDenom: "boot" })).machine as ZkMachine
    assert.ok(copy.constructor !== loaded.machine.constructor, "the copy's module, not the repository's")
    const keyHash = pluginHost.sha256(encodeKey(parseKeyJson(enc(one.vkey), 64, refusals)))
    const hex = Buffer.from(keyHash).toString("hex")
    const store = new Map<string, Uint8Array>([[Buffer.from([0x6b, 0x2f, ...keyHash]).toString("hex"), encodeKey(parseKeyJson(enc(one.vkey), 64, refusals))]])
    const kv = { get: (k: Uint8Array) => store.get(Buffer.from(k).toString("hex")), has: (k: Uint8Array) => store.has(Buffer.from(k).toString("hex")) }
    const gas = { used: 0, consume(n: number) { this.used += n } }
    const ctx = { store: kv, gas } as unknown as Parameters<ZkMachine["onCall"]>[0]
    const out = copy.onCall(ctx, "program:x", "verify", copy.codecs.verifyRequest.encode({ keyHash: hex, proof: enc(one.proof), publicInputs: one.publicSignals }))
    assert.equal(copy.codecs.verifyResponse.decode(out), { valid: true })
    assert.is(gas.used, Number(4n * DEFAULT_PARAMS.gasPerPairing + 2n * DEFAULT_PARAMS.gasPerPublicInput))
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})

test.run()
