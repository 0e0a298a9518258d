// plugins/hello's hand-written interface follows its WIT file: wit/chain.ts generates the codecs of
// plugins/hello/wit/hello.wit (through jco, as for the built-in machines), and both sides must give
// the same methods, read-only marks and bytes, and decode each other's encodings.
import { test } from "uvu"
import { pluginHost } from "../../plugins/Host.ts"
import createHello from "../../plugins/hello/Hello.ts"
import { assertMatchesWit, type WireSamples } from "../support/PluginWit.ts"

const samples: WireSamples = {
  greeting: {
    request: [{ address: "" }, { address: "cyber1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a" }],
    response: [{ found: false, text: "" }, { found: true, text: "gm ✨" }, { found: true, text: "" }]
  }
}

test("hello's interface equals the one generated from wit/hello.wit (methods, read-only, wire bytes both ways)", async () => {
  await assertMatchesWit("hello", "hello-machine", createHello({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost }).interface!, samples)
})

test.run()
