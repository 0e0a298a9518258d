/**
 * The machine conformance suite: properties every chain-plane machine (chain/Machine.ts) has,
 * checked through the real multiplexer over the real IAVL multistore. Run it on a machine with
 * `machineConformance(fixture).run()` in a test file (see test/machines/example.test.ts and
 * docs/machines/writing-a-machine.md). Every property lists all its failures at once.
 *
 * A machine with its own tx encoding (Machine.txFormat: raw Ethereum txs) gives raw txs as samples
 * (MachineFixture.rawTxs): they run after the messages, their carried messages count as samples,
 * and their malformed variants are also sent as block txs.
 *
 * Properties: declared samples; valid samples answer; genesis export/import round trip; malformed
 * message bodies, query data and interface bodies give typed chain errors (never code 1); gas
 * metering and out-of-gas atomicity; cross-machine calls refused without the capability; the
 * same results after a reopen from disk.
 *
 * Source: js-libp2p interface-compliance-tests (one suite, every implementation);
 * cosmos-sdk baseapp runTx (ante effects stick, message effects are all-or-nothing).
 */
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { CAPABILITIES_NAMESPACE, revokeCapability } from "../../chain/Capabilities.ts"
import { REGISTRY_NAMESPACE } from "../../chain/Registry.ts"
import { AuthGasConfig } from "../../chain/Gas.ts"
import type { Machine } from "../../chain/Machine.ts"
import { bytesChanged, Chain, makeKey, type Key } from "./support/Chain.ts"
import type { Keys, MachineFixture } from "./Fixture.ts"
import { malformedVariants } from "./support/Malformed.ts"
import { attempt, callAs, describe, exportAppState, grantProbe, handleIn, isInternal, probe, PROBE_PRINCIPAL } from "./support/Probe.ts"

/** A bank MsgSend that fails validation before writing anything (empty amount): a tx with only the ante's effects. */
const referenceMsg = (keys: Keys): Any => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgSend",
  value: MsgSend.encode({ fromAddress: keys.signer, toAddress: keys.signer, amount: [] }).finish()
})

const mapsEqual = (a: Map<string, string>, b: Map<string, string>): boolean => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v)

const fail = (failures: string[], what: string): void => assert.ok(failures.length === 0, `${what}:\n  ${failures.join("\n  ")}`)

/** Build the uvu suite of every conformance property for `fixture`; call `.run()` on it. */
export const machineConformance = (fixture: MachineFixture) => {
  const test = suite(`machine conformance: ${fixture.name}`)
  let signer: Key
  let keys: Keys
  let shared: Promise<{ chain: Chain; txs: Uint8Array[] }> | undefined
  const opened: Chain[] = []

  const open = async (path?: string): Promise<Chain> => {
    const chain = await Chain.open(fixture.machines(), path)
    opened.push(chain)
    return chain
  }
  const mut = (chain: Chain): Machine => chain.app.router.machine(fixture.name)!
  /** A chain at genesis with every sample message run (each asserted code 0); returns the tx bytes. */
  const populate = async (chain: Chain, failures: string[] = []): Promise<Uint8Array[]> => {
    await chain.init(fixture.genesis(keys))
    const txs: Uint8Array[] = []
    for (const msg of fixture.messages(keys)) {
      const tx = await chain.sign(signer, [msg])
      const r = await chain.tx(tx)
      if (r.code !== 0) failures.push(`valid ${msg.typeUrl} sample #${txs.length}: code ${r.code} ${r.codespace}: ${r.log}`)
      txs.push(tx)
    }
    for (const [i, tx] of (fixture.rawTxs?.(keys) ?? []).entries()) {
      const r = await chain.tx(tx)
      if (r.code !== 0) failures.push(`valid raw tx sample #${i}: code ${r.code} ${r.codespace}: ${r.log}`)
      txs.push(tx)
    }
    return txs
  }
  const populated = () => (shared ??= (async () => {
    const chain = await open()
    const failures: string[] = []
    const txs = await populate(chain, failures)
    fail(failures, "valid message samples")
    return { chain, txs }
  })())
  /** The messages the fixture's raw txs carry, as the machine's tx format decodes them. */
  const rawMessages = (m: Machine | undefined): Any[] => (fixture.rawTxs?.(keys) ?? []).flatMap((tx) => m?.txFormat ? [...m.txFormat.decode(tx).msgs] : [])
  /** Every valid message sample: sent in Cosmos txs, governance-only, carried by raw txs. */
  const allMessages = (m: Machine | undefined): Any[] => [...fixture.messages(keys), ...(fixture.authorityMessages?.(keys) ?? []), ...rawMessages(m)]
  const replay = async (chain: Chain, txs: ReadonlyArray<Uint8Array>) => {
    await chain.init(fixture.genesis(keys))
    for (const tx of txs) await chain.tx(tx)
  }

  test.before(async () => {
    signer = await makeKey(`conformance signer of ${fixture.name}`)
    keys = { signer: signer.address, other: (await makeKey(`conformance other of ${fixture.name}`)).address }
  })
  test.after(async () => {
    for (const c of opened) await c.close().catch(() => undefined)
  })

  test("declares a valid name and version, a sample of every message type and query prefix, and an interface for its call API", async () => {
    const m = fixture.machines().find((x) => x.name === fixture.name)
    assert.ok(m, `machines() includes "${fixture.name}"`)
    const failures: string[] = []
    if (!/^[a-z0-9-]+$/.test(m.name)) failures.push(`name "${m.name}" is not [a-z0-9-]+`)
    if (!/^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$/.test(String(m.version))) failures.push(`version "${m.version}" is not semver`)
    if (fixture.rawTxs && !m.txFormat) failures.push("the fixture gives rawTxs but the machine has no txFormat")
    const msgs = allMessages(m)
    for (const url of m.msgTypeUrls) if (!msgs.some((x) => x.typeUrl === url)) failures.push(`no valid sample of message ${url}`)
    const queries = fixture.queries(keys)
    for (const p of m.queryPrefixes) if (!queries.some((q) => q.path.startsWith(p))) failures.push(`no valid sample of a query under ${p}`)
    if (m.onCall && !m.interface) failures.push("has onCall but no `interface`: every call to it is refused (UnknownRequest)")
    if (m.interface && m.interface.name !== m.name) failures.push(`interface name "${m.interface.name}" differs from machine name`)
    for (const c of fixture.calls?.(keys) ?? []) if (!m.interface?.methods[c.method]) failures.push(`call sample of unknown method "${c.method}"`)
    if ((m.grants ?? []).some((g) => g.principal === `machine:${m.name}`) && !fixture.crossCall) {
      failures.push("asks for grants but the fixture gives no crossCall sample")
    }
    fail(failures, "declarations")
  })

  test("valid samples: every message gives code 0 and every query answers over ABCI query", async () => {
    const { chain } = await populated()
    const failures: string[] = []
    for (const q of fixture.queries(keys)) {
      const r = await chain.query(q.path, q.data)
      if (r.code !== 0) failures.push(`query ${q.path}: code ${r.code}: ${r.log}`)
    }
    fail(failures, "valid query samples")
  })

  const genesisGap = fixture.knownGaps?.["genesis export"]
  if (genesisGap) console.log(`[conformance] ${fixture.name}: genesis export then import SKIPPED: ${genesisGap}`)
  ;(genesisGap ? test.skip : test)("genesis export then import gives the same state, namespace roots and app hash", async () => {
    const { chain: a } = await populated()
    const exported = await exportAppState(a)
    const imported = async (state: Record<string, unknown>): Promise<Chain> => {
      const c = await open()
      await c.app.initChain({
        time: { seconds: 1_700_000_000n, nanos: 0 }, chainId: "conformance-1", consensusParams: undefined, validators: [],
        appStateBytes: new TextEncoder().encode(JSON.stringify(state)), initialHeight: 1n
      })
      await c.store.commit()
      return c
    }
    const c = await imported(exported)
    const failures: string[] = []
    for (const ns of [...a.app.router.machines.map((m) => m.name), CAPABILITIES_NAMESPACE, REGISTRY_NAMESPACE]) {
      if (!mapsEqual(a.dump(ns), c.dump(ns))) failures.push(`namespace "${ns}": imported entries differ from the exported chain's`)
    }
    assert.equal(await exportAppState(c), exported, "export of the imported chain equals the export it was built from")
    // IAVL hashes include node versions, so roots are compared at the same version: a second import.
    const d = await imported(await exportAppState(c))
    if (d.appHash() !== c.appHash()) failures.push(`app hash ${c.appHash()} then ${d.appHash()} after export/import`)
    assert.equal(d.roots(), c.roots(), "namespace roots after a second export/import")
    fail(failures, "genesis round trip")
  })

  test("malformed message bodies give typed chain errors (code not 1) in a tx and in handle", async () => {
    const { chain } = await populated()
    const m = mut(chain)
    const failures: string[] = []
    for (const url of m.msgTypeUrls) {
      const sample = allMessages(m).find((x) => x.typeUrl === url)
      if (!sample) continue
      const raw = m.txFormat?.msgTypeUrls.includes(url) ? (fixture.rawTxs?.(keys) ?? []).find((tx) => m.txFormat!.decode(tx).msgs.some((x) => x.typeUrl === url)) : undefined
      // a raw tx's variants go in as block txs as they are (first byte decides the encoding)
      for (const v of raw ? malformedVariants(raw) : []) {
        const r = await chain.tx(v.bytes)
        const where = `raw ${url} tx ${v.label}`
        if (isInternal(r.code, r.codespace)) failures.push(`${where}: tx code 1: ${r.log.slice(0, 160)}`)
        if (r.code === 0 && v.mustFail) failures.push(`${where}: tx accepted it`)
        if (r.code !== 0 && r.codespace === "") failures.push(`${where}: tx code ${r.code} without codespace`)
      }
      for (const v of malformedVariants(sample.value)) {
        const msg = { typeUrl: url, value: v.bytes }
        const where = `${url} ${v.label}`
        const signers = attempt(() => m.signers(msg))
        if (!signers.ok && isInternal(signers.code, signers.codespace)) failures.push(`${where}: signers(): ${describe(signers)}`)
        const handled = handleIn(probe(chain, [keys.signer]), m, msg, [keys.signer])
        if (!handled.ok && isInternal(handled.code, handled.codespace)) failures.push(`${where}: handle(): ${describe(handled)}`)
        if (handled.ok && v.mustFail) failures.push(`${where}: handle() accepted it`)
        const r = await chain.tx(await chain.sign(signer, [msg]))
        if (isInternal(r.code, r.codespace)) failures.push(`${where}: tx code 1: ${r.log.slice(0, 160)}`)
        if (r.code === 0 && v.mustFail) failures.push(`${where}: tx accepted it`)
        if (r.code !== 0 && r.codespace === "") failures.push(`${where}: tx code ${r.code} without codespace`)
      }
    }
    fail(failures, "malformed messages")
  })

  test("malformed query data and unknown query paths give typed chain errors over ABCI query (code not 1)", async () => {
    const { chain } = await populated()
    const failures: string[] = []
    for (const q of fixture.queries(keys)) {
      for (const v of malformedVariants(q.data)) {
        const r = await chain.query(q.path, v.bytes)
        if (isInternal(r.code, r.codespace)) failures.push(`${q.path} ${v.label}: code 1: ${r.log.slice(0, 160)}`)
        if (r.code === 0 && v.mustFail && !(q.emptyValid && v.bytes.length === 0)) failures.push(`${q.path} ${v.label}: answered`)
      }
    }
    for (const prefix of mut(chain).queryPrefixes) {
      const r = await chain.query(`${prefix}NoSuchConformanceMethod`, new Uint8Array())
      if (r.code === 0 || r.code === 1) failures.push(`${prefix}NoSuchConformanceMethod: code ${r.code} (want a typed error, e.g. 6 unknown request)`)
    }
    fail(failures, "malformed queries")
  })

  test("interface methods: valid calls answer, malformed bodies give typed errors, callers without the capability get code 4", async () => {
    const { chain } = await populated()
    const m = mut(chain)
    if (!m.interface) {
      assert.not.ok(m.onCall, "a machine with onCall declares its interface")
      return
    }
    const failures: string[] = []
    const samples = fixture.calls?.(keys) ?? []
    for (const [method, spec] of Object.entries(m.interface.methods)) {
      const sample = samples.find((s) => s.method === method)?.body ?? new Uint8Array()
      const bare = probe(chain, [keys.signer])
      const entries = () => new Map([...bare.branch.store(m.name).iterate()].map(([k, v]) => [Buffer.from(k).toString("hex"), Buffer.from(v).toString("hex")]))
      const before = entries()
      const refused = callAs(bare, m.name, method, sample, spec.readOnly)
      if (refused.ok || refused.code !== 4 || !refused.log.includes(PROBE_PRINCIPAL) || !refused.log.includes(`${m.name}.${method}`)) {
        failures.push(`${method} without capability: ${describe(refused)} (want code 4 naming ${PROBE_PRINCIPAL} and ${m.name}.${method})`)
      }
      if (!mapsEqual(entries(), before)) failures.push(`${method}: a refused call changed the namespace`)
      const variants = [...(samples.some((s) => s.method === method) ? [{ label: "valid sample", bytes: sample, mustFail: false, valid: true }] : []), ...malformedVariants(sample)]
      for (const v of variants) {
        const p = probe(chain, [keys.signer])
        grantProbe(p, m.name, method)
        const o = callAs(p, m.name, method, v.bytes, spec.readOnly)
        if ("valid" in v && !o.ok) failures.push(`${method} valid sample: ${describe(o)}`)
        if (!o.ok && isInternal(o.code, o.codespace)) failures.push(`${method} ${v.label}: ${describe(o)}`)
        if (o.ok && v.mustFail) failures.push(`${method} ${v.label}: accepted`)
      }
    }
    fail(failures, "interface methods")
  })

  const meteringGap = fixture.knownGaps?.["every store access is metered"]
  if (meteringGap) console.log(`[conformance] ${fixture.name}: metering SKIPPED: ${meteringGap}`)
  ;(meteringGap ? test.skip : test)("every store access is metered: gas grows with data written; too little gas gives code 11 and changes nothing", async () => {
    const [a, b] = [await open(), await open()]
    await a.init(fixture.genesis(keys))
    await b.init(fixture.genesis(keys))
    const failures: string[] = []
    for (const msg of fixture.messages(keys)) {
      let tx = await a.sign(signer, [msg])
      const sim = await a.simulate(tx)
      // 1 gas below what the tx uses; re-measured because the limit's varint length changes the tx size
      let limit = sim.gasUsed - 1
      for (let i = 0; i < 4 && sim.code === 0; i++) {
        tx = await a.sign(signer, [msg], limit)
        const again = await a.simulate(tx)
        if (again.gasUsed > limit) break
        limit = again.gasUsed - 1
      }
      if (sim.code !== 0) failures.push(`${msg.typeUrl}: simulate of a valid sample: code ${sim.code}: ${sim.log}`)
      else {
        const r = await a.tx(tx)
        const ref = await b.tx(await b.sign(signer, [referenceMsg(keys)]))
        if (r.code !== 11) failures.push(`${msg.typeUrl} with gas ${limit} (1 below what it uses): code ${r.code}: ${r.log}`)
        if (ref.code === 0 || a.appHash() !== b.appHash()) {
          const hint = r.events.length === 0 ? "; it ran out inside the ante step, so the message itself used no metered gas" : ""
          failures.push(`${msg.typeUrl} out of gas changed state beyond the ante's fee and sequence (app hash ${a.appHash()} vs ${b.appHash()})${hint}`)
          break
        }
      }
      const real = await a.sign(signer, [msg])
      const [ra, rb] = [await a.tx(real), await b.tx(real)]
      if (ra.code !== 0 || rb.code !== 0 || a.appHash() !== b.appHash()) {
        failures.push(`${msg.typeUrl} rerun with enough gas: codes ${ra.code}/${rb.code}, hashes ${a.appHash() === b.appHash() ? "equal" : "differ"}`)
        break
      }
    }
    if (fixture.sizedRawTxs) {
      const [small, large] = fixture.sizedRawTxs(keys)
      const c = await open()
      await populate(c)
      const run = async (tx: Uint8Array) => {
        const before = c.dump(fixture.name)
        const r = await c.tx(tx)
        return { r, bytes: bytesChanged(before, c.dump(fixture.name)), gas: Number(r.gasUsed) }
      }
      const s = await run(small)
      const l = await run(large)
      if (s.r.code !== 0 || l.r.code !== 0) failures.push(`sized raw txs: codes ${s.r.code} (${s.r.log}) / ${l.r.code} (${l.r.log})`)
      else if (l.bytes <= s.bytes) failures.push(`sized raw txs: the large one wrote ${l.bytes} bytes, the small one ${s.bytes}`)
      else if (l.gas <= s.gas) failures.push(`raw tx gas does not grow with data written: ${s.bytes} B -> ${s.gas} gas, ${l.bytes} B -> ${l.gas} gas`)
    }
    if (fixture.sized) {
      const [small, large] = fixture.sized(keys)
      const c = await open()
      await populate(c)
      const run = async (msg: Any) => {
        const before = c.dump(fixture.name)
        const tx = await c.sign(signer, [msg])
        const r = await c.tx(tx)
        // gas beyond the ante's per-byte charge of the tx itself (a larger message is a larger tx)
        return { r, bytes: bytesChanged(before, c.dump(fixture.name)), gas: Number(r.gasUsed) - AuthGasConfig.txSizeCostPerByte * tx.length }
      }
      const s = await run(small)
      const l = await run(large)
      if (s.r.code !== 0 || l.r.code !== 0) failures.push(`sized samples: codes ${s.r.code} (${s.r.log}) / ${l.r.code} (${l.r.log})`)
      else if (l.bytes <= s.bytes) failures.push(`sized samples: the large one wrote ${l.bytes} bytes, the small one ${s.bytes}`)
      else if (l.gas <= s.gas) failures.push(`gas (less the tx-size charge) does not grow with data written: ${s.bytes} B -> ${s.gas} gas, ${l.bytes} B -> ${l.gas} gas`)
    }
    fail(failures, "metering")
  })

  test("a cross-machine call without the capability is refused (code 4 naming principal and capability) and changes nothing", async () => {
    if (!fixture.crossCall) return
    const sample = fixture.crossCall(keys)
    const { grant } = sample
    const crossTx = (c: Chain): Promise<Uint8Array> => ("rawTx" in sample ? Promise.resolve(sample.rawTx) : c.sign(signer, [sample.message]))
    const cap = `${grant.capability.interface}.${grant.capability.method}`
    const [a, b] = [await open(), await open()]
    const txs = await populate(a)
    await replay(b, txs)
    const allowed = await a.simulate(await crossTx(a))
    assert.is(allowed.code, 0, `the crossCall message succeeds while ${grant.principal} holds ${cap}: ${allowed.log}`)
    for (const c of [a, b]) {
      assert.ok(revokeCapability(c.store.store(CAPABILITIES_NAMESPACE), grant), `${grant.principal} held ${cap} at genesis`)
      const halted = await c.block([]).then(() => undefined, (e: unknown) => e)
      assert.is(halted, undefined, `a block without txs after revoking ${cap} from ${grant.principal} must not throw out of FinalizeBlock (the node would halt): ${String(halted)}`)
    }
    const r = await a.tx(await crossTx(a))
    // Refused in the ante step: nothing sticks. Refused in a message: only the ante's fee and sequence.
    const ref = r.events.length === 0 ? await b.tx(Uint8Array.of(0xff)) : await b.tx(await b.sign(signer, [referenceMsg(keys)]))
    assert.is(r.code, 4, `code 4 without ${cap}: ${r.log}`)
    assert.ok(r.log.includes(grant.principal) && r.log.includes(cap), `log names ${grant.principal} and ${cap}: ${r.log}`)
    assert.is.not(ref.code, 0)
    assert.is(a.appHash(), b.appHash(), "the refused call changed nothing beyond the ante")
  })

  test("results are identical after a reopen from disk (app hash, queries, next block)", async () => {
    const dir = mkdtempSync(join(tmpdir(), `conformance-${fixture.name}-`))
    try {
      const disk = await open(dir)
      const mem = await open()
      const txs = await populate(disk)
      await replay(mem, txs)
      await disk.close()
      const again = await open(dir)
      const info = await again.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" })
      assert.is(Buffer.from(info.lastBlockAppHash).toString("hex"), mem.appHash(), "app hash after reopen")
      const answers = async (c: Chain) => Promise.all(fixture.queries(keys).map(async (q) => {
        const r = await c.query(q.path, q.data)
        return `${q.path} ${r.code} ${Buffer.from(r.value).toString("hex")}`
      }))
      assert.equal(await answers(again), await answers(mem), "query answers after reopen")
      const nextRaw = fixture.nextRawTx?.(keys)
      const next = nextRaw ?? await again.sign(signer, [fixture.messages(keys)[0] ?? referenceMsg(keys)])
      const [ra, rb] = [await again.tx(next), await mem.tx(next)]
      assert.is(ra.code, rb.code, "the next block's tx result after reopen")
      assert.is(again.appHash(), mem.appHash(), "the next block's app hash after reopen")
      assert.equal(await answers(again), await answers(mem), "query answers after the next block")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  return test
}
