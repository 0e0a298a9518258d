// plugins/zk's hand-written interface follows its WIT file: wit/chain.ts generates the codecs of
// plugins/zk/wit/zk.wit (through jco, as for the built-in machines), and both sides must give the
// same methods, read-only marks and bytes, and decode each other's encodings (as hello-wit.test.ts).
import { test } from "uvu"
import { pluginHost } from "../../plugins/Host.ts"
import createZk from "../../plugins/zk/Zk.ts"
import { assertMatchesWit, type WireSamples } from "../support/PluginWit.ts"

const samples: WireSamples = {
  verify: {
    request: [
      { keyHash: "", proof: new Uint8Array(0), publicInputs: [] },
      { keyHash: "ab".repeat(32), proof: new TextEncoder().encode("{\"pi_a\":[]}"), publicInputs: ["38", "5"] },
      { keyHash: "ab".repeat(32), proof: Uint8Array.of(1), publicInputs: ["", "0"] }
    ],
    response: [{ valid: false }, { valid: true }]
  }
}

test("zk's interface equals the one generated from wit/zk.wit (methods, read-only, wire bytes both ways)", async () => {
  await assertMatchesWit("zk", "zk-machine", createZk({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost }).interface!, samples)
})

test.run()
