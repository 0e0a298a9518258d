/**
 * ICS-20 wire vectors against ibc-go's own tests and real chains: escrow addresses (gaiad's
 * `query ibc-transfer escrow-address`, as ibc-rs records them), denom trace parsing and hashes
 * (ibc-go v8 types/trace_test.go), denom validation tables, packet data bytes (GetBytes:
 * sorted-key JSON, Go escaping), acknowledgement bytes (04-channel acknowledgement_test.go), and
 * Go's big.Int base-0 amount parsing.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { toBech32 } from "@cosmjs/encoding"
import {
  denomTraceHash, escrowAddressBytes, hexUpper, ibcDenom, parseDenomTrace, parseGoInt, validateDenomTrace, validateIbcDenom, validatePrefixedDenom
} from "../../modules/ibc/apps/transfer/Denom.ts"
import { ackBytes, decodeAck, decodePacketData, errorAck, packetDataBytes, validatePacketData } from "../../modules/ibc/apps/transfer/PacketData.ts"

const text = (b: Uint8Array) => new TextDecoder().decode(b)
const throws = (f: () => unknown): boolean => {
  try {
    f()
    return false
  } catch {
    return true
  }
}

test("escrow address: gaiad's addresses for transfer/channel-141, -207, -187; port/channel domain separation", () => {
  const addr = (port: string, channel: string) => toBech32("cosmos", escrowAddressBytes(port, channel))
  assert.is(addr("transfer", "channel-141"), "cosmos1x54ltnyg88k0ejmk8ytwrhd3ltm84xehrnlslf")
  assert.is(addr("transfer", "channel-207"), "cosmos1ju6tlfclulxumtt2kglvnxduj5d93a64r5czge")
  assert.is(addr("transfer", "channel-187"), "cosmos177x69sver58mcfs74x6dg0tv6ls4s3xmmcaw53")
  // ibc-go keys_test.go TestGetEscrowAddress
  assert.is.not(addr("transfer", "channel"), addr("transfercha", "nnel"))
})

test("ParseDenomTrace: ibc-go's table (trace_test.go TestParseDenomTrace)", () => {
  const table: Array<[string, string, string]> = [
    ["", "", ""], ["uatom", "", "uatom"], ["uatom/", "", "uatom/"], ["gamm/pool/1", "", "gamm/pool/1"], ["gamm//pool//1", "", "gamm//pool//1"],
    ["transfer/channel-1/uatom", "transfer/channel-1", "uatom"], ["customtransfer/channel-1/uatom", "customtransfer/channel-1", "uatom"],
    ["transfer/channel-1/uatom/", "transfer/channel-1", "uatom/"],
    ["transfer/channel-1/erc20/0x85bcBCd7e79Ec36f4fBBDc54F90C643d921151AA", "transfer/channel-1", "erc20/0x85bcBCd7e79Ec36f4fBBDc54F90C643d921151AA"],
    ["transfer/channel-1/gamm/pool/1", "transfer/channel-1", "gamm/pool/1"], ["transfer/channel-1/gamm//pool//1", "transfer/channel-1", "gamm//pool//1"],
    ["transfer/channel-1/transfer/channel-2/uatom", "transfer/channel-1/transfer/channel-2", "uatom"],
    ["customtransfer/channel-1/alternativetransfer/channel-2/uatom", "customtransfer/channel-1/alternativetransfer/channel-2", "uatom"],
    ["transfer/uatom", "", "transfer/uatom"], ["transfer//uatom", "", "transfer//uatom"], ["channel-1/transfer/uatom", "", "channel-1/transfer/uatom"],
    ["uatom/transfer", "", "uatom/transfer"], ["transfer/channel-1", "", "transfer/channel-1"], ["transfer/channel-1/", "transfer/channel-1", ""],
    ["transfer/channel-1/transfer", "transfer/channel-1", "transfer"], ["transfer/channel-1/transfer/channel-2", "transfer/channel-1/transfer/channel-2", ""],
    ["transfer/channelToA/uatom", "", "transfer/channelToA/uatom"]
  ]
  for (const [raw, path, baseDenom] of table) assert.equal(parseDenomTrace(raw), { path, baseDenom }, raw)
})

test("denom hash and IBCDenom: ibc-go's vector; uppercase hex of sha256(path/base)", () => {
  assert.is(ibcDenom({ path: "transfer/channel-1", baseDenom: "uatom" }), "ibc/C4CFF46FD6DE35CA4CF4CE031E643C8FDC9BA4B99AE598E9B0ED98FE3A2319F9")
  assert.is(ibcDenom({ path: "", baseDenom: "uatom" }), "uatom")
  // the well-known ATOM voucher on Osmosis: transfer/channel-0/uatom
  assert.is(hexUpper(denomTraceHash(parseDenomTrace("transfer/channel-0/uatom"))), "27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2")
})

test("DenomTrace.Validate, ValidatePrefixedDenom, ValidateIBCDenom: ibc-go's tables", () => {
  const trace: Array<[string, string, boolean]> = [
    ["", "uatom", false], ["", "erc20/0x85bcBCd7e79Ec36f4fBBDc54F90C643d921151AA", false], ["", "gamm/pool/1", false], ["", "", true],
    ["transfer/channel-1", "uatom", false], ["transfer/channel-1/transfer/channel-2", "uatom", false], ["transfer", "uatom", true],
    ["(transfer)/channel-1", "uatom", true], ["transfer/(channel-1)", "uatom", true], ["transfer/channel-1", "", true]
  ]
  for (const [path, baseDenom, fails] of trace) assert.is(throws(() => validateDenomTrace({ path, baseDenom })), fails, `${path}|${baseDenom}`)
  const prefixed: Array<[string, boolean]> = [
    ["transfer/channel-1/uatom", false], ["transfer/channel-1/gamm/pool/1", false], ["/uatom", false], ["//uatom", false], ["uatom", false],
    ["erc20/0x85bcBCd7e79Ec36f4fBBDc54F90C643d921151AA", false], ["gamm/pool/1", false], ["(transfer)/channel-1/uatom", true], ["", true], ["transfer/", true]
  ]
  for (const [d, fails] of prefixed) assert.is(throws(() => validatePrefixedDenom(d)), fails, d)
  const ibc: Array<[string, boolean]> = [
    ["ibc/7F1D3FCF4AE79E1554D670D1AD949A9BA4E4A3C76C63093E17E446A46061A7A2", false], ["uatom", false], ["uatom/", false], ["gamm/pool/1", false],
    ["gamm//pool//1", false], ["notibc/7F1D3FCF4AE79E1554D670D1AD949A9BA4E4A3C76C63093E17E446A46061A7A2", false], ["", true], ["ibc", true], ["ibc/", true],
    ["ibc/!@#$!@#", true]
  ]
  for (const [d, fails] of ibc) assert.is(throws(() => validateIbcDenom(d)), fails, d)
})

test("packet data bytes: sorted keys, empty memo omitted, Go's HTML-safe escaping; decode is strict", () => {
  const d = { denom: "transfer/channel-0/uatom", amount: "100", sender: "cyber1sender", receiver: "cosmos1receiver", memo: "" }
  assert.is(text(packetDataBytes(d)), `{"amount":"100","denom":"transfer/channel-0/uatom","receiver":"cosmos1receiver","sender":"cyber1sender"}`)
  const memo = `{"wasm":{"a":"<b>&\u2028\n\u0001é"}}`
  assert.is(
    text(packetDataBytes({ ...d, memo })),
    `{"amount":"100","denom":"transfer/channel-0/uatom","memo":"{\\"wasm\\":{\\"a\\":\\"\\u003cb\\u003e\\u0026\\u2028\\n\\u0001é\\"}}","receiver":"cosmos1receiver","sender":"cyber1sender"}`
  )
  // round trip, field order free, null = empty
  assert.equal(decodePacketData(packetDataBytes({ ...d, memo })), { ...d, memo })
  assert.equal(decodePacketData(new TextEncoder().encode(`{"sender":"s","receiver":"r","denom":"x","amount":"1","memo":null}`)), { denom: "x", amount: "1", sender: "s", receiver: "r", memo: "" })
  for (const bad of ["", "[]", "null", `{"amount":1}`, `{"amount":"1","extra":"x"}`, "{", "\"str\""]) {
    assert.ok(throws(() => decodePacketData(new TextEncoder().encode(bad))), bad)
  }
})

test("packet data ValidateBasic: amounts parse as Go's big.Int base 0, at most 256 bits, positive", () => {
  const ok = (amount: string) => validatePacketData({ denom: "uatom", amount, sender: "a", receiver: "b", memo: "" })
  assert.is(ok("100"), 100n)
  assert.is(ok("0x10"), 16n)
  assert.is(ok("0b101"), 5n)
  assert.is(ok("0o17"), 15n)
  assert.is(ok("017"), 15n)
  assert.is(ok("1_000"), 1000n)
  assert.is(ok("+7"), 7n)
  assert.is(ok(((1n << 256n) - 1n).toString()), (1n << 256n) - 1n)
  assert.is(parseGoInt("-5"), -5n)
  for (const bad of ["", "1.5", "1e3", "_1", "1__0", "08", "0x", (1n << 256n).toString(), " 1", "１"]) assert.is(parseGoInt(bad), undefined, bad)
  const err = (amount: string, sender = "a", receiver = "b", denom = "uatom") => {
    try {
      validatePacketData({ denom, amount, sender, receiver, memo: "" })
    } catch (e) {
      return e as { code: number; codespace: string; log: string }
    }
    throw new Error("expected an error")
  }
  assert.equal([err("0").codespace, err("0").code, err("0").log], ["transfer", 5, "amount must be strictly positive: got 0: invalid token amount"])
  assert.is(err("-3").log, "amount must be strictly positive: got -3: invalid token amount")
  assert.is(err("x").log, "unable to parse transfer amount (x) into math.Int: invalid token amount")
  assert.equal([err("1", " ").codespace, err("1", " ").code, err("1", " ").log], ["ibc", 5, "sender address cannot be blank: invalid address"])
  assert.is(err("1", "a", "").log, "receiver address cannot be blank: invalid address")
  assert.equal([err("1", "a", "b", "transfer/").code, err("1", "a", "b", "transfer/").codespace], [3, "transfer"])
})

test("acknowledgement bytes: ibc-go's vectors; decode refuses what ibc-go's codec refuses", () => {
  assert.is(text(ackBytes({ result: new TextEncoder().encode("success") })), `{"result":"c3VjY2Vzcw=="}`)
  assert.is(text(ackBytes(errorAck(1))), `{"error":"ABCI code: 1: error handling packet: see events for details"}`)
  assert.is(text(ackBytes({ result: Uint8Array.of(1) })), `{"result":"AQ=="}`)
  assert.equal(decodeAck(new TextEncoder().encode(`{"result":"AQ=="}`)), { result: Uint8Array.of(1) })
  assert.equal(decodeAck(new TextEncoder().encode(`{"error":"x"}`)), { error: "x" })
  for (const bad of [`{}`, `{"result":"AQ==","error":"x"}`, `{"result":"A*=="}`, `{"other":"x"}`, `[1]`, `{"error":5}`]) {
    assert.ok(throws(() => decodeAck(new TextEncoder().encode(bad))), bad)
  }
})

test.run()
