/**
 * Units of the governable params: graph's wire params (LegacyDec wire text both ways, go-cyber's
 * rank Params field numbers, all sections required in the full message), rank params of a context
 * in canonical binary, and cyberwasm's chain params (genesis JSON, ranges, protobuf round trip).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { BinaryWriter } from "cosmjs-types/binary"
import { isChainError } from "../../chain/ChainError.ts"
import {
  chainParamsFromJson, chainParamsToJson, decodeChainParams, encodeChainParams, updateParamsFromJSON as cwFromJSON, updateParamsToJSON as cwToJSON, validateChainParams
} from "../../modules/cyberwasm/ChainParams.ts"
import { paramsToGenesis } from "../../modules/graph/GraphParams.ts"
import { decodeRankParams, defaultGraphParams, encodeRankParams, rankParamsFromJson, rankParamsToJson, validateParams } from "../../modules/graph/GraphParams.ts"
import {
  decFromWire, decText, MSG_UPDATE_PARAMS_URL, MSG_UPDATE_RANK_PARAMS_URL, MsgUpdateParams, MsgUpdateRankParams, paramsFromProto, paramsToProto, rankFromProto,
  RankParamsProto, updateParamsFromJSON, updateParamsToJSON
} from "../../modules/graph/ParamsMessages.ts"

const refused = (f: () => unknown, tag: string, log: RegExp): void => {
  try {
    f()
  } catch (e) {
    assert.ok(isChainError(e), String(e))
    assert.is((e as { _tag: string })._tag, tag)
    assert.match((e as { log: string }).log, log)
    return
  }
  assert.unreachable("accepted")
}

test("graph params go to the wire as LegacyDec text and come back equal", () => {
  const wire = paramsToProto(defaultGraphParams)
  assert.is(wire.rank!.dampingFactor, "850000000000000000")
  assert.is(wire.rank!.tolerance, "1000000000000000")
  assert.is(wire.bandwidth!.basePrice, "250000000000000000")
  assert.equal(validateParams(paramsFromProto(wire)), defaultGraphParams)
  assert.is(decText(10n ** 18n), "1")
  assert.is(decText(1n), "0.000000000000000001")
})

test("go-cyber's rank Params bytes (fields 1-3) decode; mode and max_iterations keep the current values", () => {
  const w = BinaryWriter.create()
  w.uint32(10).string("cyber1authority")
  const inner = BinaryWriter.create()
  inner.uint32(8).int64(7n).uint32(18).string("900000000000000000").uint32(26).string("10000000000000000")
  w.uint32(18).bytes(inner.finish())
  const m = MsgUpdateRankParams.decode(w.finish())
  assert.is(m.authority, "cyber1authority")
  const current = { ...defaultGraphParams.rank, mode: "pagerank" as const, maxIterations: 77 }
  assert.equal(rankFromProto(m.params!, current), { calculationPeriod: 7n, damping: "0.9", tolerance: "0.01", mode: "pagerank", maxIterations: 77 })
  assert.equal(RankParamsProto.decode(RankParamsProto.encode(m.params!).finish()), m.params)
})

test("bad wire params are InvalidRequest naming the field", () => {
  refused(() => decFromWire("0.85", "damping_factor"), "InvalidRequest", /damping_factor must be LegacyDec wire text/)
  refused(() => paramsFromProto({ stakeDenom: "boot", rank: paramsToProto(defaultGraphParams).rank }), "InvalidRequest", /params.bandwidth is missing/)
  const wire = paramsToProto(defaultGraphParams)
  refused(() => validateParams(paramsFromProto({ ...wire, rank: { ...wire.rank!, calculationPeriod: -1n } })), "InvalidRequest", /calculation_period must be at least 1/)
  refused(() => validateParams(paramsFromProto({ ...wire, bandwidth: { ...wire.bandwidth!, baseLoad: "0" } })), "InvalidRequest", /base_load/)
})

test("a context's rank params round-trip through binary and genesis JSON", () => {
  const r = { calculationPeriod: 9n, mode: "pagerank" as const, damping: "0.5", tolerance: "0.0001", maxIterations: 12 }
  assert.equal(decodeRankParams(encodeRankParams(r)), r)
  assert.equal(rankParamsFromJson(rankParamsToJson(r), defaultGraphParams), r)
  refused(() => rankParamsFromJson({ damping: "2" }, defaultGraphParams), "InvalidRequest", /damping/)
})

test("cyberwasm chain params: genesis JSON, ranges against the build ceiling, protobuf round trip", () => {
  const defaults = { maxCodeBytes: 1000, maxCallGas: 50n }
  assert.equal(chainParamsFromJson(undefined, defaults, 2000), defaults)
  const p = chainParamsFromJson({ max_code_bytes: "1500" }, defaults, 2000)
  assert.equal(p, { maxCodeBytes: 1500, maxCallGas: 50n })
  assert.equal(chainParamsToJson(p), { max_code_bytes: "1500", max_call_gas: "50" })
  assert.equal(decodeChainParams(encodeChainParams(p)), p)
  refused(() => chainParamsFromJson({ max_code_bytes: "2001" }, defaults, 2000), "InvalidRequest", /max_code_bytes must be in \[1, 2000\]/)
  refused(() => chainParamsFromJson({ max_call_gas: "-1" }, defaults, 2000), "InvalidRequest", /max_call_gas must be a non-negative integer/)
  refused(() => chainParamsFromJson({ max_code_size: "1" }, defaults, 2000), "InvalidRequest", /unknown field "max_code_size"/)
  refused(() => validateChainParams(decodeChainParams(encodeChainParams({ maxCodeBytes: 5, maxCallGas: 0n })), 2000), "InvalidRequest", /max_call_gas/)
})

test("proposal JSON of the MsgUpdateParams messages converts both ways; a missing field is named", () => {
  const full = { "@type": MSG_UPDATE_PARAMS_URL, authority: "cyber1gov", params: (paramsToGenesis(defaultGraphParams) as { params: Record<string, unknown> }).params }
  const bytes = updateParamsFromJSON(MSG_UPDATE_PARAMS_URL, full)
  assert.equal(paramsFromProto(MsgUpdateParams.decode(bytes).params!), defaultGraphParams)
  assert.equal(updateParamsFromJSON(MSG_UPDATE_PARAMS_URL, updateParamsToJSON(MSG_UPDATE_PARAMS_URL, bytes)), bytes)
  refused(() => updateParamsFromJSON(MSG_UPDATE_PARAMS_URL, { ...full, params: { ...full.params, rank: { mode: "cyber" } } }), "InvalidRequest", /params.rank.calculation_period is missing/)

  const rank = { "@type": MSG_UPDATE_RANK_PARAMS_URL, authority: "cyber1gov", params: { calculation_period: "7", damping_factor: "0.9", tolerance: "0.01" } }
  const rb = updateParamsFromJSON(MSG_UPDATE_RANK_PARAMS_URL, rank)
  assert.equal(MsgUpdateRankParams.decode(rb).params, { calculationPeriod: 7n, dampingFactor: "900000000000000000", tolerance: "10000000000000000", mode: "", maxIterations: 0 })
  assert.equal(updateParamsToJSON(MSG_UPDATE_RANK_PARAMS_URL, rb), rank)

  const cw = { "@type": "/cyber.cyberwasm.v1.MsgUpdateParams", authority: "cyber1gov", params: { max_code_bytes: "5000", max_call_gas: "77" } }
  assert.equal(cwToJSON(cwFromJSON(cw)), cw)
  refused(() => cwFromJSON({ authority: "cyber1gov", params: { max_code_bytes: "5000" } }), "InvalidRequest", /params.max_call_gas is missing/)
})

test.run()
