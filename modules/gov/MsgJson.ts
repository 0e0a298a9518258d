/**
 * The one table that turns SDK JSON messages ({"@type": "<type URL>", snake_case fields}, as in
 * proposal files and genesis) into protobuf `Any`s and back: cosmjs-types `fromJSON`/`encode` for
 * Cosmos messages, chain/Authority.ts for the system authority messages (/cyberkernel.*), gov's
 * own params JSON for gov MsgUpdateParams, and the graph, rank and cyberwasm modules' JSON forms
 * of their MsgUpdateParams. Durations are protojson text ("172800s"); LegacyDec
 * fields (gogoproto customtype) are human decimals in JSON ("0.05") and scaled integers on the wire.
 * A type outside the table is carried as {"@type", "@value": base64 of the bytes} (a cyberkernel
 * form, so genesis export/import keeps any proposal's messages).
 *
 * Source: cosmos-sdk codec/types/any JSON ("@type"), client/v2 proposal JSON (x/gov/client/cli
 * parseSubmitProposal), cosmossdk.io/math LegacyDec Marshal (scaled integer text).
 */
import * as Bank from "cosmjs-types/cosmos/bank/v1beta1/tx"
import * as Distr from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import * as GovTx from "cosmjs-types/cosmos/gov/v1/tx"
import * as Staking from "cosmjs-types/cosmos/staking/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import * as CyberWasmParams from "../cyberwasm/ChainParams.ts"
import { TypeUrl as CyberWasmTypeUrl } from "../cyberwasm/Messages.ts"
import * as GraphParams from "../graph/ParamsMessages.ts"
import { authorityMsgFromJSON, authorityMsgToJSON, isAuthorityMsg } from "../../chain/Authority.ts"
import { InvalidRequest } from "../../chain/ChainError.ts"
import { fromBase64, toBase64 } from "@cosmjs/encoding"
import type { Params } from "cosmjs-types/cosmos/gov/v1/gov"
import { govParamsFromJSON, govParamsToJSON } from "./GovParams.ts"
import { formatDec, parseDec, parseDecWire } from "../../chain/LegacyDec.ts"

type Json = Record<string, unknown>

/** A cosmjs-types message codec. */
interface ProtoCodec<T> {
  readonly typeUrl: string
  encode(m: T): { finish(): Uint8Array }
  decode(b: Uint8Array): T
  fromJSON(o: unknown): T
  toJSON(m: T): unknown
}

/** How one type URL converts. */
interface Entry {
  fromJSON(json: Json): Uint8Array
  toJSON(value: Uint8Array): Json
}

const camel = (k: string): string => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const DURATION_KEY = /(period|time|duration)$/

/** SDK JSON -> cosmjs JSON: camelCase keys, durations as {seconds, nanos}. */
const toCosmjs = (v: unknown, key = ""): unknown => {
  if (Array.isArray(v)) return v.map((x) => toCosmjs(x, key))
  if (typeof v === "string" && DURATION_KEY.test(key)) {
    const m = /^([0-9]{1,12})(?:\.([0-9]{1,9}))?s$/.exec(v)
    if (m) return { seconds: m[1], nanos: Number((m[2] ?? "").padEnd(9, "0")) }
  }
  if (typeof v !== "object" || v === null) return v
  return Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [camel(k), toCosmjs(x, k)])) // determinism-ok: fromJSON reads fields by name
}

/** cosmjs JSON -> SDK JSON: snake_case keys, {seconds, nanos} as "Ns". */
const fromCosmjs = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(fromCosmjs)
  if (typeof v !== "object" || v === null) return v
  const o = v as Json
  const keys = Object.keys(o) // determinism-ok: cosmjs toJSON builds fields in proto order
  if (keys.length === 2 && "seconds" in o && "nanos" in o) {
    const nanos = Number(o.nanos)
    return nanos === 0 ? `${String(o.seconds)}s` : `${String(o.seconds)}.${String(nanos).padStart(9, "0").replace(/0+$/, "")}s`
  }
  return Object.fromEntries(keys.map((k) => [snake(k), fromCosmjs(o[k])]))
}

/** Rewrite the string at `path` (dotted, camelCase) of `o` with `f`, when present. */
const mapPath = (o: Json, path: string, f: (s: string) => string): void => {
  const parts = path.split(".")
  let cur: unknown = o
  for (const p of parts.slice(0, -1)) cur = (cur as Json | undefined)?.[p]
  const last = parts[parts.length - 1]!
  const holder = cur as Json | undefined
  if (holder && typeof holder[last] === "string" && holder[last] !== "") holder[last] = f(holder[last] as string)
}

const proto = <T>(codec: ProtoCodec<T>, decFields: ReadonlyArray<string> = []): [string, Entry] => [
  codec.typeUrl,
  {
    fromJSON: (json) => {
      const o = toCosmjs(json) as Json
      for (const f of decFields) mapPath(o, f, (s) => parseDec(s, `${codec.typeUrl} ${f}`).toString())
      return codec.encode(codec.fromJSON(o)).finish()
    },
    toJSON: (value) => {
      const o = codec.toJSON(codec.decode(value)) as Json
      for (const f of decFields) mapPath(o, f, (s) => formatDec(parseDecWire(s, f)))
      return { "@type": codec.typeUrl, ...(fromCosmjs(o) as Json) }
    }
  }
]

const EMPTY_PARAMS: Params = {
  minDeposit: [], quorum: "", threshold: "", vetoThreshold: "", minInitialDepositRatio: "", proposalCancelRatio: "", proposalCancelDest: "",
  expeditedThreshold: "", expeditedMinDeposit: [], burnVoteQuorum: false, burnProposalDepositPrevote: false, burnVoteVeto: false, minDepositRatio: ""
}

const govUpdateParams: [string, Entry] = [
  GovTx.MsgUpdateParams.typeUrl,
  {
    fromJSON: (json) => {
      if (typeof json.authority !== "string") throw new InvalidRequest({ log: `${GovTx.MsgUpdateParams.typeUrl}: field "authority" must be a string` })
      // an update replaces every field, as in the SDK: a missing one stays empty and fails validation
      const params = govParamsFromJSON(json.params ?? {}, EMPTY_PARAMS)
      return GovTx.MsgUpdateParams.encode({ authority: json.authority, params }).finish()
    },
    toJSON: (value) => {
      const m = GovTx.MsgUpdateParams.decode(value)
      return { "@type": GovTx.MsgUpdateParams.typeUrl, authority: m.authority, params: m.params ? govParamsToJSON(m.params) : null }
    }
  }
]

// params updates of graph, rank and cyberwasm carry their own JSON forms
const own = (typeUrl: string, from: (json: Json) => Uint8Array, to: (value: Uint8Array) => Json): [string, Entry] => [
  typeUrl, { fromJSON: (json) => from({ "@type": typeUrl, ...json }), toJSON: to }
]

const TABLE = new Map<string, Entry>([
  own(GraphParams.MSG_UPDATE_PARAMS_URL, (j) => GraphParams.updateParamsFromJSON(GraphParams.MSG_UPDATE_PARAMS_URL, j), (v) => GraphParams.updateParamsToJSON(GraphParams.MSG_UPDATE_PARAMS_URL, v)),
  own(GraphParams.MSG_UPDATE_RANK_PARAMS_URL, (j) => GraphParams.updateParamsFromJSON(GraphParams.MSG_UPDATE_RANK_PARAMS_URL, j), (v) => GraphParams.updateParamsToJSON(GraphParams.MSG_UPDATE_RANK_PARAMS_URL, v)),
  own(CyberWasmTypeUrl.updateParams, CyberWasmParams.updateParamsFromJSON, CyberWasmParams.updateParamsToJSON),
  proto(Bank.MsgSend as ProtoCodec<Bank.MsgSend>),
  proto(Bank.MsgMultiSend as ProtoCodec<Bank.MsgMultiSend>),
  proto(GovTx.MsgDeposit as ProtoCodec<GovTx.MsgDeposit>),
  proto(GovTx.MsgVote as ProtoCodec<GovTx.MsgVote>),
  proto(GovTx.MsgVoteWeighted as ProtoCodec<GovTx.MsgVoteWeighted>),
  govUpdateParams,
  proto(Staking.MsgDelegate as ProtoCodec<Staking.MsgDelegate>),
  proto(Staking.MsgUndelegate as ProtoCodec<Staking.MsgUndelegate>),
  proto(Staking.MsgBeginRedelegate as ProtoCodec<Staking.MsgBeginRedelegate>),
  proto(Staking.MsgEditValidator as ProtoCodec<Staking.MsgEditValidator>, ["commissionRate"]),
  proto(Staking.MsgUpdateParams as ProtoCodec<Staking.MsgUpdateParams>, ["params.minCommissionRate"]),
  proto(Distr.MsgSetWithdrawAddress as ProtoCodec<Distr.MsgSetWithdrawAddress>),
  proto(Distr.MsgWithdrawDelegatorReward as ProtoCodec<Distr.MsgWithdrawDelegatorReward>),
  proto(Distr.MsgWithdrawValidatorCommission as ProtoCodec<Distr.MsgWithdrawValidatorCommission>),
  proto(Distr.MsgFundCommunityPool as ProtoCodec<Distr.MsgFundCommunityPool>),
  proto(Distr.MsgCommunityPoolSpend as ProtoCodec<Distr.MsgCommunityPoolSpend>),
  proto(Distr.MsgUpdateParams as ProtoCodec<Distr.MsgUpdateParams>, ["params.communityTax", "params.baseProposerReward", "params.bonusProposerReward"])
])

/** Type URLs the table converts (besides the authority messages). */
export const jsonMessageTypes = (): string[] => [...TABLE.keys()].sort()

/**
 * An SDK JSON message to an Any. Throws InvalidRequest naming the type (unknown types without
 * "@value", malformed fields).
 */
export const msgFromJSON = (json: unknown): Any => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new InvalidRequest({ log: "a message must be a JSON object with \"@type\"" })
  const j = json as Json
  const typeUrl = j["@type"]
  if (typeof typeUrl !== "string" || typeUrl === "") throw new InvalidRequest({ log: "a message needs a string \"@type\"" })
  if (isAuthorityMsg(typeUrl)) return authorityMsgFromJSON(j)
  if (typeof j["@value"] === "string") {
    try {
      return { typeUrl, value: fromBase64(j["@value"]) }
    } catch {
      throw new InvalidRequest({ log: `${typeUrl}: "@value" must be base64` })
    }
  }
  const entry = TABLE.get(typeUrl)
  if (!entry) throw new InvalidRequest({ log: `unknown message type ${typeUrl} in JSON: known are ${jsonMessageTypes().join(", ")} and the /cyberkernel.* authority messages` })
  const { "@type": _t, ...fields } = j
  try {
    return { typeUrl, value: entry.fromJSON(fields) }
  } catch (e) {
    if (e instanceof InvalidRequest) throw e
    throw new InvalidRequest({ log: `${typeUrl}: malformed JSON message: ${(e as Error).message}` })
  }
}

/** An Any to SDK JSON (the inverse of {@link msgFromJSON}); unknown or undecodable types keep their bytes as "@value". */
export const msgToJSON = (msg: Any): Json => {
  try {
    if (isAuthorityMsg(msg.typeUrl)) return authorityMsgToJSON(msg)
    const entry = TABLE.get(msg.typeUrl)
    if (entry) return entry.toJSON(msg.value)
  } catch {
    // undecodable bytes: fall through to the opaque form
  }
  return { "@type": msg.typeUrl, "@value": toBase64(msg.value) }
}
