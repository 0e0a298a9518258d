import { test } from "uvu"
import * as assert from "uvu/assert"
import { ed25519 } from "@noble/curves/ed25519.js"
import { CapabilityAuthority } from "../../capabilities/Authority.ts"
import { canonicalJson, canonicalizeJsonText, InvalidParams } from "../../capabilities/CanonicalJson.ts"
import { capabilitySigningBytes, type SignedCapability } from "../../capabilities/Capability.ts"
import { CapabilityForeign, CapabilityForged } from "../../capabilities/CapabilityError.ts"
import { NodeKey, verifyEd25519 } from "../../capabilities/NodeKey.ts"
import { address, machineProcessId } from "../../kernel/Address.ts"

const bank = address("alice.os", machineProcessId("bank"))

test("canonical JSON sorts keys and drops whitespace", () => {
  assert.is(canonicalJson({ b: 1, a: [true, null, "x"] }), '{"a":[true,null,"x"],"b":1}')
  assert.is(canonicalizeJsonText(' { "mint" : true } '), '{"mint":true}')
  assert.is(canonicalizeJsonText('"messaging"'), '"messaging"')
  assert.throws(() => canonicalizeJsonText("{mint}"), (e: unknown) => e instanceof InvalidParams)
  assert.throws(() => canonicalJson({ x: Number.NaN }), (e: unknown) => e instanceof InvalidParams)
})

test("node key signatures verify with node:crypto and with noble", () => {
  const key = NodeKey.generate()
  const msg = new TextEncoder().encode("hello")
  const sig = key.sign(msg)
  assert.ok(verifyEd25519(key.publicKey, sig, msg))
  assert.ok(ed25519.verify(sig, msg, key.publicKey))
  const bad = sig.slice()
  bad[0]! ^= 1
  assert.not.ok(verifyEd25519(key.publicKey, bad, msg))
  assert.not.ok(verifyEd25519(key.publicKey, sig.slice(0, 10), msg))
})

test("issued capabilities are canonical, signed, and authenticated by lookup", () => {
  const auth = new CapabilityAuthority("alice.os", NodeKey.generate())
  const cap = auth.issue(bank, '{ "mint": true }')
  assert.is(cap.params, '{"mint":true}')
  assert.ok(ed25519.verify(cap.signature, capabilitySigningBytes(bank, cap.params), auth.key.publicKey))
  const copy: SignedCapability = { ...cap, signature: cap.signature.slice(), signer: cap.signer.slice() }
  assert.is(auth.authenticate(copy), cap)
  assert.is(auth.stats().verifications, 0, "a tabled capability is not re-verified")
})

test("a capability this kernel did not sign is refused as forged; verified once when genuine", () => {
  const key = NodeKey.generate()
  const issuer = new CapabilityAuthority("alice.os", key)
  const cap = issuer.issue(bank, '{"mint":true}')
  // A second authority with the same key (e.g. after a restart) has an empty table.
  const fresh = new CapabilityAuthority("alice.os", key)
  assert.is(fresh.authenticate(cap).params, '{"mint":true}')
  assert.is(fresh.stats().verifications, 1)
  fresh.authenticate(cap)
  assert.is(fresh.stats().verifications, 1)
  const tampered = { ...cap, params: '{"mint":true,"unlimited":true}' }
  assert.throws(() => fresh.authenticate(tampered), (e: unknown) => e instanceof CapabilityForged && /does not verify/.test(e.message))
  const unsigned = { issuer: bank, params: '"messaging"' }
  assert.throws(() => fresh.authenticate(unsigned), (e: unknown) => e instanceof CapabilityForged && /no kernel signature/.test(e.message))
})

test("a capability signed by another node's key is refused as foreign", () => {
  const ours = new CapabilityAuthority("alice.os", NodeKey.generate())
  const mallory = new CapabilityAuthority("alice.os", NodeKey.generate())
  const cap = mallory.issue(bank, '{"mint":true}')
  assert.throws(() => ours.authenticate(cap), (e: unknown) => e instanceof CapabilityForeign && /not by node alice\.os's key/.test(e.message))
  const bob = new CapabilityAuthority("bob.os", NodeKey.generate())
  const bobCap = bob.issue(address("bob.os", machineProcessId("bank")), '"messaging"')
  assert.throws(() => ours.authenticate(bobCap), (e: unknown) => e instanceof CapabilityForeign && /does not know/.test(e.message))
  // With bob's key known, bob's capabilities authenticate.
  const trusting = new CapabilityAuthority("alice.os", NodeKey.generate(), new Map([["bob.os", bob.key.publicKey]]))
  assert.is(trusting.authenticate(bobCap).params, '"messaging"')
})

test.run()
