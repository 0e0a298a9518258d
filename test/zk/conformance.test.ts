// The machine conformance suite (test/machines/conformance.ts) on the zk plugin machine
// (plugins/zk), built by its package's factory with the host API as the node's loader does, with
// keys and proofs of circom circuits compiled in the set-up (test/zk/fixtures/circuit.ts).
import { pluginHost } from "../../plugins/Host.ts"
import createZk, { MSG_STORE_KEY, MSG_VERIFY_PROOF, ZK_QUERY } from "../../plugins/zk/Zk.ts"
import { zkCodecs } from "../../plugins/zk/internal/Codecs.ts"
import { baseMachines, fundedGenesis, type MachineFixture } from "../machines/Fixture.ts"
import { machineConformance } from "../machines/conformance.ts"
import { buildCircuit, keyHashOf, releaseSnarkjs } from "./fixtures/circuit.ts"

const codecs = zkCodecs(pluginHost)
const enc = (s: string) => new TextEncoder().encode(s)
const one = await buildCircuit(1)
const four = await buildCircuit(4)
const eight = await buildCircuit(8)
await releaseSnarkjs()
const hash = keyHashOf(one.vkey)
const store = (sender: string, vkey: string) => ({ typeUrl: MSG_STORE_KEY, value: codecs.msgStoreKey.encode({ sender, key: enc(vkey) }) })
const verify = { keyHash: hash, proof: enc(one.proof), publicInputs: one.publicSignals }

const fixture: MachineFixture = {
  name: "zk",
  machines: () => [...baseMachines(), createZk({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost })],
  genesis: (keys) => fundedGenesis(keys, { zk: { params: { max_proof_bytes: 8192 } } }),
  messages: (keys) => [
    store(keys.signer, one.vkey),
    { typeUrl: MSG_VERIFY_PROOF, value: codecs.msgVerifyProof.encode({ sender: keys.signer, ...verify }) }
  ],
  queries: () => [
    { path: ZK_QUERY + "VerifyingKey", data: codecs.keyRequest.encode({ keyHash: hash }) },
    { path: ZK_QUERY + "Verified", data: codecs.verifiedRequest.encode({ keyHash: hash, publicInputs: one.publicSignals }) },
    { path: ZK_QUERY + "Params", data: new Uint8Array() }
  ],
  calls: () => [{ method: "verify", body: codecs.verifyRequest.encode(verify) }],
  sized: (keys) => [store(keys.signer, four.vkey), store(keys.signer, eight.vkey)]
}

machineConformance(fixture).run()
