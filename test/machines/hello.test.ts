// The machine conformance suite (test/machines/conformance.ts) on the hello plugin machine
// (plugins/hello), built by its package's factory with the host API, as the node's loader does.
import { pluginHost } from "../../plugins/Host.ts"
import createHello, { HELLO_QUERY, MSG_HELLO } from "../../plugins/hello/Hello.ts"
import { helloCodecs } from "../../plugins/hello/Codecs.ts"
import { baseMachines, fundedGenesis, type MachineFixture } from "./Fixture.ts"
import { machineConformance } from "./conformance.ts"

const codecs = helloCodecs(pluginHost)
const hello = (sender: string, text: string) => ({ typeUrl: MSG_HELLO, value: codecs.msgHello.encode({ sender, text }) })
const greeting = (address: string) => codecs.greetingRequest.encode({ address })

const fixture: MachineFixture = {
  name: "hello",
  machines: () => [...baseMachines(), createHello({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost })],
  genesis: (keys) => fundedGenesis(keys, { hello: { greetings: [{ address: keys.other, text: "genesis greeting" }] } }),
  messages: (keys) => [hello(keys.signer, "hello, chain")],
  queries: (keys) => [
    { path: HELLO_QUERY + "Greeting", data: greeting(keys.signer) },
    { path: HELLO_QUERY + "Greeting", data: greeting(keys.other) }
  ],
  calls: (keys) => [{ method: "greeting", body: greeting(keys.signer) }],
  sized: (keys) => [hello(keys.signer, "a"), hello(keys.signer, "a much longer greeting ".repeat(12))]
}

machineConformance(fixture).run()
