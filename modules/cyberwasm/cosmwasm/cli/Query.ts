/**
 * `cyberkernel query wasm ...`: wasmd's query commands for CosmWasm contracts, through abci_query
 * on the `/cosmwasm.wasm.v1.Query/*` paths of `--node`.
 *
 *   query wasm code <code-id> [file]                 code info; with `file`, the Wasm bytes written there
 *   query wasm codes                                 (alias list-code) all code infos
 *   query wasm list-contract-by-code <code-id>       contract addresses of a code, oldest first
 *   query wasm contract <address>                    contract info
 *   query wasm contract-history <address>            code history entries
 *   query wasm contract-state smart <address> <json> the contract's answer (JSON); --hex/--b64 for the argument
 *   query wasm contract-state raw <address> <key>    the stored value under key (hex; --ascii/--b64)
 *   query wasm contract-state all <address>          every key/value of the contract's store
 *
 * List commands take `--limit` (default 100, as wasmd's CLI) and `--page-key` (base64 next key of
 * the previous page) and print the response's `pagination`. JSON output follows wasmd's proto
 * JSON: snake_case names, uint64 as strings, bytes as base64, the checksum and state keys as
 * upper-case hex, contract messages and smart-query answers inlined as JSON.
 *
 * Source: wasmd x/wasm/client/cli/query.go (commands, argument decoders), proto
 * cosmwasm/wasm/v1/query.proto; codecs from cosmjs-types cosmwasm/wasm/v1/query.
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { writeFileSync } from "node:fs"
import { PageRequest, type PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import {
  QueryAllContractStateRequest,
  QueryAllContractStateResponse,
  QueryCodeRequest,
  QueryCodeResponse,
  type CodeInfoResponse,
  QueryCodesRequest,
  QueryCodesResponse,
  QueryContractHistoryRequest,
  QueryContractHistoryResponse,
  QueryContractInfoRequest,
  QueryContractInfoResponse,
  QueryContractsByCodeRequest,
  QueryContractsByCodeResponse,
  QueryRawContractStateRequest,
  QueryRawContractStateResponse,
  QuerySmartContractStateRequest,
  QuerySmartContractStateResponse
} from "cosmjs-types/cosmwasm/wasm/v1/query"
import {
  accessTypeToJSON,
  contractCodeHistoryOperationTypeToJSON,
  type AbsoluteTxPosition,
  type AccessConfig
} from "cosmjs-types/cosmwasm/wasm/v1/types"
import { abciQuery, CliFailure, emit, keyring, toJson } from "../../../../cli/Globals.ts"
import { toHex } from "../../../../lib/Bytes.ts"
import { bech32Address, bytesArg, codeId } from "./internal/args.ts"

const path = (method: string) => `/cosmwasm.wasm.v1.Query/${method}`
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64")
const hexUpper = (b: Uint8Array) => toHex(b).toUpperCase()
const text = (b: Uint8Array) => new TextDecoder().decode(b)

/** Bytes that are JSON (contract messages, smart answers) inlined as JSON; otherwise base64. */
const inlineJson = (b: Uint8Array): unknown => {
  try {
    return JSON.parse(text(b))
  } catch {
    return b64(b)
  }
}

const permissionJson = (p: AccessConfig | undefined) => ({ permission: accessTypeToJSON(p?.permission ?? 0), addresses: p?.addresses ?? [] })
const codeInfoJson = (c: CodeInfoResponse) => ({ code_id: c.codeId.toString(), creator: c.creator, data_hash: hexUpper(c.dataHash), instantiate_permission: permissionJson(c.instantiatePermission) })
const positionJson = (p: AbsoluteTxPosition | undefined) => (p ? { block_height: p.blockHeight.toString(), tx_index: p.txIndex.toString() } : null)
const pageJson = (p: PageResponse | undefined) => ({ next_key: p && p.nextKey.length > 0 ? b64(p.nextKey) : null, total: (p?.total ?? 0n).toString() })

/** Print JSON in both modes (text mode: the same document), as a wasmd query prints its response. */
const show = (json: unknown) => emit(json, () => toJson(json))

const prefix = Effect.map(keyring, (k) => k.config.chain.bech32Prefix)
const address = Argument.String("address").pipe(Argument.withDescription("contract address (bech32)"))
const pageFlags = {
  limit: Flag.Int("limit").pipe(Flag.withDescription("page size (default 100)"), Flag.withDefault(100)),
  pageKey: Flag.String("page-key").pipe(Flag.withDescription("base64 next_key of the previous page"), Flag.optional)
}
const pageOf = (o: { readonly limit: number; readonly pageKey: Option.Option<string> }) =>
  Effect.gen(function* () {
    if (!Number.isSafeInteger(o.limit) || o.limit < 1) return yield* Effect.fail(new CliFailure({ message: `invalid --limit ${o.limit}: a positive integer` }))
    const key = Option.isSome(o.pageKey) ? yield* bytesArg(o.pageKey.value, "--page-key", "b64") : new Uint8Array()
    return PageRequest.fromPartial({ key, limit: BigInt(o.limit) })
  })

const code = Command.make("code", {
  codeId: Argument.String("code-id").pipe(Argument.withDescription("code id")),
  file: Argument.String("file").pipe(Argument.withDescription("write the Wasm bytes to this file"), Argument.optional)
}, (o) =>
  Effect.gen(function* () {
    const id = yield* codeId(o.codeId)
    const r = QueryCodeResponse.decode(yield* abciQuery(path("Code"), QueryCodeRequest.encode({ codeId: id }).finish()))
    if (!r.codeInfo || r.data.length === 0) return yield* Effect.fail(new CliFailure({ message: `code ${id} not found` }))
    if (Option.isSome(o.file)) {
      const file = o.file.value
      yield* Effect.try({ try: () => writeFileSync(file, r.data, { mode: 0o600 }), catch: (e) => new CliFailure({ message: `cannot write ${file}: ${e instanceof Error ? e.message : String(e)}` }) })
    }
    yield* show({ ...codeInfoJson(r.codeInfo), size: r.data.length, ...(Option.isSome(o.file) ? { written_to: o.file.value } : {}) })
  })).pipe(Command.withDescription("Code info of a code id (creator, checksum, instantiate permission); with a file argument, downloads the Wasm"))

const codes = Command.make("codes", { ...pageFlags }, (o) =>
  Effect.gen(function* () {
    const pagination = yield* pageOf(o)
    const r = QueryCodesResponse.decode(yield* abciQuery(path("Codes"), QueryCodesRequest.encode({ pagination }).finish()))
    yield* show({ code_infos: r.codeInfos.map(codeInfoJson), pagination: pageJson(r.pagination) })
  })).pipe(Command.withAlias("list-code"), Command.withDescription("List uploaded codes"))

const byCode = Command.make("list-contract-by-code", { codeId: Argument.String("code-id").pipe(Argument.withDescription("code id")), ...pageFlags }, (o) =>
  Effect.gen(function* () {
    const id = yield* codeId(o.codeId)
    const pagination = yield* pageOf(o)
    const r = QueryContractsByCodeResponse.decode(yield* abciQuery(path("ContractsByCode"), QueryContractsByCodeRequest.encode({ codeId: id, pagination }).finish()))
    yield* show({ contracts: r.contracts, pagination: pageJson(r.pagination) })
  })).pipe(Command.withAlias("list-contracts"), Command.withDescription("Contracts instantiated from a code id"))

const contract = Command.make("contract", { address }, (o) =>
  Effect.gen(function* () {
    const addr = yield* bech32Address(o.address, "contract address", yield* prefix)
    const r = QueryContractInfoResponse.decode(yield* abciQuery(path("ContractInfo"), QueryContractInfoRequest.encode({ address: addr }).finish()))
    const c = r.contractInfo
    yield* show({
      address: r.address,
      contract_info: { code_id: c.codeId.toString(), creator: c.creator, admin: c.admin, label: c.label, created: positionJson(c.created), ibc_port_id: c.ibcPortId, extension: null }
    })
  })).pipe(Command.withDescription("Contract info: code id, creator, admin, label, creation position"))

const history = Command.make("contract-history", { address, ...pageFlags }, (o) =>
  Effect.gen(function* () {
    const addr = yield* bech32Address(o.address, "contract address", yield* prefix)
    const pagination = yield* pageOf(o)
    const r = QueryContractHistoryResponse.decode(yield* abciQuery(path("ContractHistory"), QueryContractHistoryRequest.encode({ address: addr, pagination }).finish()))
    yield* show({
      entries: r.entries.map((e) => ({ operation: contractCodeHistoryOperationTypeToJSON(e.operation), code_id: e.codeId.toString(), updated: positionJson(e.updated), msg: inlineJson(e.msg) })),
      pagination: pageJson(r.pagination)
    })
  })).pipe(Command.withAlias("history"), Command.withDescription("Code history of a contract (init, migrations, genesis)"))

const encodingFlags = {
  ascii: Flag.Boolean("ascii").pipe(Flag.withDescription("the argument is ASCII text"), Flag.withDefault(false)),
  hex: Flag.Boolean("hex").pipe(Flag.withDescription("the argument is hex"), Flag.withDefault(false)),
  b64: Flag.Boolean("b64").pipe(Flag.withDescription("the argument is base64"), Flag.withDefault(false))
}
const encodingOf = (o: { readonly ascii: boolean; readonly hex: boolean; readonly b64: boolean }, def: "ascii" | "hex") => ({
  encoding: o.ascii ? "ascii" as const : o.hex ? "hex" as const : o.b64 ? "b64" as const : def,
  conflict: [o.ascii, o.hex, o.b64].filter(Boolean).length > 1
})

const smart = Command.make("smart", { address, query: Argument.String("query").pipe(Argument.withDescription("JSON query message")), ...encodingFlags }, (o) =>
  Effect.gen(function* () {
    const addr = yield* bech32Address(o.address, "contract address", yield* prefix)
    if (o.query === "") return yield* Effect.fail(new CliFailure({ message: "query data must not be empty" }))
    const e = encodingOf(o, "ascii")
    const queryData = yield* bytesArg(o.query, "query", e.encoding, e.conflict)
    yield* Effect.try({ try: () => JSON.parse(text(queryData)), catch: () => new CliFailure({ message: "query data must be json" }) })
    const r = QuerySmartContractStateResponse.decode(yield* abciQuery(path("SmartContractState"), QuerySmartContractStateRequest.encode({ address: addr, queryData }).finish()))
    const data = inlineJson(r.data)
    yield* emit({ data }, () => toJson(data))
  })).pipe(Command.withDescription("Call the contract's query entry point with a JSON message and print its answer"))

const raw = Command.make("raw", { address, key: Argument.String("key").pipe(Argument.withDescription("store key (hex unless --ascii or --b64)")), ...encodingFlags }, (o) =>
  Effect.gen(function* () {
    const addr = yield* bech32Address(o.address, "contract address", yield* prefix)
    const e = encodingOf(o, "hex")
    const queryData = yield* bytesArg(o.key, "key", e.encoding, e.conflict)
    const r = QueryRawContractStateResponse.decode(yield* abciQuery(path("RawContractState"), QueryRawContractStateRequest.encode({ address: addr, queryData }).finish()))
    yield* emit({ data: b64(r.data) }, () => (r.data.length === 0 ? "(no value)" : text(r.data)))
  })).pipe(Command.withDescription("The contract's stored value under a key"))

const all = Command.make("all", { address, ...pageFlags }, (o) =>
  Effect.gen(function* () {
    const addr = yield* bech32Address(o.address, "contract address", yield* prefix)
    const pagination = yield* pageOf(o)
    const r = QueryAllContractStateResponse.decode(yield* abciQuery(path("AllContractState"), QueryAllContractStateRequest.encode({ address: addr, pagination }).finish()))
    yield* show({ models: r.models.map((m) => ({ key: hexUpper(m.key), value: b64(m.value) })), pagination: pageJson(r.pagination) })
  })).pipe(Command.withDescription("Every key and value in the contract's store, in key order"))

const state = Command.make("contract-state").pipe(
  Command.withAlias("state"),
  Command.withDescription("Contract state queries: smart, raw, all"),
  Command.withSubcommands([smart, raw, all])
)

/** `query wasm ...`: CosmWasm queries (wasmd's `query wasm`). */
export const wasmQueryCommand = Command.make("wasm").pipe(
  Command.withDescription("CosmWasm contract queries (wasmd's queries)"),
  Command.withSubcommands([code, codes, byCode, contract, history, state])
)
