// The hello plugin machine's own rules (plugins/hello): greetings stored per signer and replaced,
// text bounds, typed errors, genesis validation and export order. The conformance suite covers
// the generic properties (test/machines/hello.test.ts).
import { test } from "uvu"
import * as assert from "uvu/assert"
import { pluginHost } from "../../plugins/Host.ts"
import createHello, { HELLO_QUERY, MAX_GREETING_BYTES, MSG_HELLO } from "../../plugins/hello/Hello.ts"
import { helloCodecs } from "../../plugins/hello/Codecs.ts"
import { Chain, makeKey, type Key } from "../machines/support/Chain.ts"
import { baseMachines, fundedGenesis } from "../machines/Fixture.ts"
import { exportAppState } from "../machines/support/Probe.ts"

const codecs = helloCodecs(pluginHost)
const machines = () => [...baseMachines(), createHello({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost })]
const hello = (sender: string, text: string) => ({ typeUrl: MSG_HELLO, value: codecs.msgHello.encode({ sender, text }) })

let signer: Key
let other: Key
const opened: Chain[] = []
const open = async (genesis: Record<string, unknown> = {}): Promise<Chain> => {
  const c = await Chain.open(machines())
  opened.push(c)
  await c.init(fundedGenesis({ signer: signer.address, other: other.address }, genesis))
  return c
}
const greetingOf = async (c: Chain, address: string) => {
  const r = await c.query(HELLO_QUERY + "Greeting", codecs.greetingRequest.encode({ address }))
  assert.is(r.code, 0, r.log)
  return codecs.greetingResponse.decode(r.value)
}

test.before(async () => {
  signer = await makeKey("hello signer")
  other = await makeKey("hello other")
})
test.after(async () => { for (const c of opened) await c.close() })

test("MsgHello stores the signer's greeting and replaces it; an address without one reads found=false", async () => {
  const c = await open()
  assert.equal(await greetingOf(c, signer.address), { found: false, text: "" })
  assert.is((await c.tx(await c.sign(signer, [hello(signer.address, "gm")]))).code, 0)
  assert.equal(await greetingOf(c, signer.address), { found: true, text: "gm" })
  const r = await c.tx(await c.sign(signer, [hello(signer.address, "gn ✨")]))
  assert.is(r.code, 0, r.log)
  assert.ok(r.events.some((e) => e.type === "hello" && e.attributes.some((a) => a.key === "sender" && a.value === signer.address)))
  assert.equal(await greetingOf(c, signer.address), { found: true, text: "gn ✨" })
  assert.equal(await greetingOf(c, other.address), { found: false, text: "" })
})

test("text bounds, a sender that did not sign, bad addresses: typed errors, state unchanged", async () => {
  const c = await open()
  const before = c.appHash()
  const cases: Array<[string, ReturnType<typeof hello>, number, string]> = [
    ["empty text", hello(signer.address, ""), 18, "1..280 bytes, got 0"],
    ["text too long", hello(signer.address, "x".repeat(MAX_GREETING_BYTES + 1)), 18, `got ${MAX_GREETING_BYTES + 1}`],
    ["bad sender", hello("cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a", "gm"), 7, "invalid sender"]
  ]
  for (const [what, msg, code, needle] of cases) {
    const r = await c.tx(await c.sign(signer, [msg]))
    assert.is(r.code, code, `${what}: ${r.log}`)
    assert.ok(r.log.includes(needle), `${what}: ${r.log}`)
  }
  // signed by `signer` but naming `other` as sender: the ante step refuses it (not its signer)
  const r = await c.tx(await c.sign(signer, [hello(other.address, "impostor")]))
  assert.is.not(r.code, 0)
  assert.equal(await greetingOf(c, other.address), { found: false, text: "" })
  const exactly = await c.tx(await c.sign(signer, [hello(signer.address, "é".repeat(MAX_GREETING_BYTES / 2))]))
  assert.is(exactly.code, 0, `280 bytes of 2-byte characters fit: ${exactly.log}`)
  assert.is.not(c.appHash(), before)
  const q = await c.query(HELLO_QUERY + "Greeting", codecs.greetingRequest.encode({ address: "nope" }))
  assert.is(q.code, 7, q.log)
  const unknown = await c.query(HELLO_QUERY + "Other", new Uint8Array())
  assert.is(unknown.code, 6, unknown.log)
})

test("genesis: greetings imported and exported in address-byte order; duplicates and bad entries refused naming the entry", async () => {
  const c = await open({ hello: { greetings: [{ address: signer.address, text: "one" }, { address: other.address, text: "two" }] } })
  assert.equal(await greetingOf(c, other.address), { found: true, text: "two" })
  const exported = (await exportAppState(c)).hello as { greetings: Array<{ address: string; text: string }> }
  const bytes = (a: string) => Buffer.from(pluginHost.address.parse(a, "cyber"))
  const sorted = [signer.address, other.address].sort((x, y) => Buffer.compare(bytes(x), bytes(y)))
  assert.equal(exported.greetings, sorted.map((address) => ({ address, text: address === signer.address ? "one" : "two" })))
  const bad: Array<[unknown, string]> = [
    [{ greetings: [{ address: signer.address, text: "a" }, { address: signer.address, text: "b" }] }, "greetings[1]: address"],
    [{ greetings: [{ address: signer.address }] }, "greetings[0]: needs address and text"],
    [{ greetings: [{ address: signer.address, text: "" }] }, "greetings[0]: greeting text must be 1..280"],
    [{ greetings: [{ address: "cyber1bad", text: "x" }] }, "greetings[0]"],
    [{ greetings: "all" }, "expected {\"greetings\""]
  ]
  for (const [genesis, needle] of bad) {
    const chain = await Chain.open(machines())
    opened.push(chain)
    try {
      await chain.init(fundedGenesis({ signer: signer.address, other: other.address }, { hello: genesis }))
      assert.unreachable(`accepted ${JSON.stringify(genesis)}`)
    } catch (e) {
      assert.ok(String((e as { log?: string }).log ?? e).includes(needle), `${JSON.stringify(genesis)}: ${String((e as { log?: string }).log ?? e)}`)
    }
  }
})

test.run()
