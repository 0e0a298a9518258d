import { test } from "uvu"
import * as assert from "uvu/assert"
import {
  AddressError,
  addressEquals,
  formatAddress,
  formatProcessId,
  machineProcessId,
  parseAddress,
  parseProcessId
} from "../../kernel/Address.ts"

const partOf = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    assert.instance(e, AddressError)
    return (e as AddressError).part
  }
  throw new Error("expected an AddressError")
}

test("parse and format round-trip an address", () => {
  const a = parseAddress("alice.os@bank:chain:sys")
  assert.equal(a, { node: "alice.os", process: { processName: "bank", packageName: "chain", publisherNode: "sys" } })
  assert.is(formatAddress(a), "alice.os@bank:chain:sys")
  assert.is(formatProcessId(parseProcessId("rpc:node:cyber.os")), "rpc:node:cyber.os")
  assert.ok(addressEquals(a, parseAddress("alice.os@bank:chain:sys")))
})

test("`our` stands for this node when given", () => {
  assert.is(parseAddress("our@bank:chain:sys", "alice.os").node, "alice.os")
  assert.is(parseAddress("our@bank:chain:sys").node, "our")
})

test("errors name the bad part", () => {
  assert.is(partOf(() => parseAddress("bank:chain:sys")), "format")
  assert.is(partOf(() => parseAddress("a@b@bank:chain:sys")), "format")
  assert.is(partOf(() => parseAddress("Alice@bank:chain:sys")), "node")
  assert.is(partOf(() => parseAddress("@bank:chain:sys")), "node")
  assert.is(partOf(() => parseAddress("alice@Bank:chain:sys")), "process")
  assert.is(partOf(() => parseAddress("alice@bank:ch.ain:sys")), "package")
  assert.is(partOf(() => parseAddress("alice@bank:chain:")), "publisher")
  assert.is(partOf(() => parseProcessId("bank:chain")), "format")
  assert.is(partOf(() => machineProcessId("Bank")), "process")
  try {
    parseAddress("alice@bank:ch.ain:sys")
  } catch (e) {
    assert.match((e as Error).message, /invalid package in "alice@bank:ch\.ain:sys"/)
  }
})

test.run()
