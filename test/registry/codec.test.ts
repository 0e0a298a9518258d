/**
 * Registry records: canonical protobuf codec, validation, genesis parse/export round trip,
 * node-code checks, and the canonical JSON value encoding of a scheduled machine's genesis.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { decodeJsonValue, encodeJsonValue } from "../../chain/internal/JsonValue.ts"
import {
  checkMachineCode, decodeRecord, encodeRecord, exportRegistryGenesis, genesisRecords, listRecords, machineCodeHash,
  parseRegistryGenesis, REGISTRY_NAMESPACE, scheduleActivation, writeRecord, type MachineRecord
} from "../../chain/Registry.ts"
import type { Machine } from "../../chain/Machine.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const machine = (name: string, version = "0.1.0", extra: Partial<Machine> = {}): Machine => ({
  name, version, msgTypeUrls: [], queryPrefixes: [], signers: () => [], handle: () => { throw new Error("no") },
  query: () => new Uint8Array(), initGenesis: () => {}, exportGenesis: () => ({}), ...extra
})

const rec: MachineRecord = {
  name: "graph",
  version: "1.2.3-rc.1",
  codeHash: machineCodeHash({ name: "graph", version: "1.2.3-rc.1", codeHash: undefined }),
  activationHeight: 42,
  status: "scheduled",
  grants: [
    { principal: "machine:graph", capability: { interface: "bank", method: "balance", constraints: [] } },
    { principal: "program:*", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "self", value: "" }] } }
  ],
  genesis: { params: { rank: { calculation_period: "4", damping: 0.85 } }, links: [], on: true, none: null }
}

test("record codec round trips and is canonical", () => {
  const bytes = encodeRecord(rec)
  const back = decodeRecord(bytes)
  assert.equal(back, rec)
  assert.is(hex(encodeRecord(back)), hex(bytes))
  // object key order does not change the bytes
  const reordered = { ...rec, genesis: { none: null, on: true, links: [], params: { rank: { damping: 0.85, calculation_period: "4" } } } }
  assert.is(hex(encodeRecord(reordered)), hex(bytes))
  // status and heights are checked
  assert.throws(() => encodeRecord({ ...rec, version: "1.2" }), /not semver/)
  assert.throws(() => encodeRecord({ ...rec, activationHeight: 0 }), /activation height/)
  assert.throws(() => decodeRecord(new Uint8Array([0xff, 0xff])), /malformed registry record/)
})

test("JSON values: numbers as text, no floats lost, sorted objects", () => {
  for (const v of [null, 0, -7, 1.5, 1e21, "x", true, [1, [2, { b: 1, a: 2 }]], { z: { y: [] } }]) {
    assert.equal(decodeJsonValue(encodeJsonValue(v)), v)
  }
  assert.is(hex(encodeJsonValue({ a: 1, b: 2 })), hex(encodeJsonValue({ b: 2, a: 1 })))
})

test("genesis section: parse, records against node code, store, export, parse again", async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: [REGISTRY_NAMESPACE] })
  const code = [machine("auth"), machine("bank"), machine("graph", "0.2.0")]
  const entries = parseRegistryGenesis({
    machines: [
      { name: "auth" },
      { name: "bank", version: "0.1.0", grants: [{ principal: "machine:bank", capability: { interface: "auth", method: "ensure-account" } }] },
      { name: "graph", activation_height: "10", genesis: { params: {} } }
    ]
  })
  assert.is(entries[2]!.status, "scheduled")
  const records = genesisRecords(entries, code)
  for (const r of records) writeRecord(ms.store(REGISTRY_NAMESPACE), r)
  const exported = exportRegistryGenesis(ms.store(REGISTRY_NAMESPACE))
  assert.equal(exported.machines.map((m) => (m as { name: string }).name), ["auth", "bank", "graph"])
  const again = genesisRecords(parseRegistryGenesis(JSON.parse(JSON.stringify(exported))), code)
  assert.equal(again, listRecords(ms.store(REGISTRY_NAMESPACE)))
  assert.equal(again, records)
  assert.is((exported.machines[2] as { version: string }).version, "0.2.0")
  // refusals name the machine
  assert.throws(() => genesisRecords(parseRegistryGenesis({ machines: [{ name: "graph", version: "0.1.0" }] }), code), /graph.*this node has version 0.2.0/)
  assert.throws(() => genesisRecords(parseRegistryGenesis({ machines: [{ name: "dex" }] }), code), /dex.*no code/)
  assert.throws(() => parseRegistryGenesis({ machines: [{ name: "a" }, { name: "a" }] }), /listed twice/)
  assert.throws(() => parseRegistryGenesis({ machines: [{ name: "a", activation_height: "1", status: "scheduled" }] }), /activation_height > 1/)
})

test("checkMachineCode: missing code, other version, other declared hash; scheduled entries wait", () => {
  const records = genesisRecords(parseRegistryGenesis({ machines: [{ name: "auth" }, { name: "graph" }] }), [machine("auth"), machine("graph")])
  assert.is(checkMachineCode(records, [machine("auth"), machine("graph")]), undefined)
  const missing = checkMachineCode(records, [machine("auth")])
  assert.ok(missing)
  assert.is(missing!.machine, "graph")
  assert.is(missing!.version, "0.1.0")
  assert.is(missing!.height, 1)
  assert.match(missing!.message, /machine "graph" version 0.1.0 \(activation height 1\).*does not have its code/)
  assert.match(checkMachineCode(records, [machine("auth"), machine("graph", "0.3.0")])!.reason, /version 0.3.0/)
  assert.match(checkMachineCode(records, [machine("auth"), machine("graph", "0.1.0", { codeHash: "ab".repeat(32) })])!.reason, /code hash/)
  const scheduled = records.map((r) => (r.name === "graph" ? { ...r, status: "scheduled" as const, activationHeight: 9 } : r))
  assert.is(checkMachineCode(scheduled, [machine("auth")]), undefined)
})

test("scheduleActivation writes a scheduled record; refuses an active machine", async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: [REGISTRY_NAMESPACE] })
  const branch = ms.branch()
  const r = scheduleActivation(branch, { name: "graph", version: "0.1.0", height: 7 })
  branch.write()
  assert.is(r.status, "scheduled")
  assert.equal(listRecords(ms.store(REGISTRY_NAMESPACE)), [r])
  assert.is(hex(r.codeHash), hex(machineCodeHash(machine("graph"))))
  writeRecord(ms.store(REGISTRY_NAMESPACE), { ...r, status: "active" })
  assert.throws(() => scheduleActivation(ms, { name: "graph", version: "0.1.0", height: 9 }), /already active/)
})

test.run()
