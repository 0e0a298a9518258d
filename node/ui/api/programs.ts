/**
 * Programs page routes (docs/dashboard.md "Programs"), read through the cyberwasm machine's gRPC
 * queries at the last commit (the answers `abci_query` gives), decoded with
 * modules/cyberwasm/{Messages,Programs,State}.ts:
 *
 * - `GET /ui/api/programs?key=HEX`: one page of at most {@link PROGRAMS_PAGE} programs
 *   (Query/Programs, ascending address bytes; `key` = the previous answer's `nextKey`), each with
 *   its record and its Query/Reserve answer (reserve with rent settled to the queried height, burn
 *   rate, status) and its number of schedule entries:
 *   `{height, total, nextKey, programs: [ProgramRow]}`.
 * - `GET /ui/api/program?address=BECH32`: one program: its row, the schedule entries
 *   (Query/Schedule), and its recent calls: the MsgExecute messages to it among the last 100
 *   MsgExecute txs of the tx index (tx_search `message.action`, newest first), with height, tx
 *   hash, sender, input (hex and, when printable, text), code and gas used. 404 for no program.
 *
 * Reserve and rent are gas units; heights are block heights; hashes and keys are hex.
 * Source: modules/cyberwasm/CyberWasmMachine.ts query; docs/cyberwasm.md.
 */
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import { MsgExecute, QueryAddress, QueryPath, QueryReserveResponse, TypeUrl, decodeScheduleList } from "../../../modules/cyberwasm/Messages.ts"
import { decodeProgramsResponse, encodeProgramsRequest } from "../../../modules/cyberwasm/Programs.ts"
import { decodeInfo, type ProgramInfo } from "../../../modules/cyberwasm/State.ts"
import { fromHex, toHex } from "../../../lib/Bytes.ts"
import { ApiError, orUnavailable, type ApiContext, type ApiRoute } from "./Route.ts"

const MACHINE = "cyberwasm"

/** Programs per page of the `programs` route. */
export const PROGRAMS_PAGE = 50
/** How many of the newest MsgExecute txs the `program` route scans for recent calls. */
export const RECENT_CALL_SCAN = 100
/** Longest input shown per call (bytes; longer inputs are cut, `inputBytes` says the full size). */
export const MAX_INPUT_SHOWN = 256

/** One program as the page shows it. */
export interface ProgramRow {
  readonly address: string
  readonly label: string
  readonly creator: string
  readonly admin: string
  readonly codeHash: string
  /** From Query/Reserve (rent settled to the queried height). */
  readonly status: string
  readonly reserve: string
  readonly burnRate: string
  /** Linear memory pages (64 KiB) and stable memory pages. */
  readonly pages: number
  readonly stablePages: number
  readonly memoryRoot: string
  readonly createdHeight: number
  readonly frozenHeight: number
  readonly schedules: number
}

const ask = async (ctx: ApiContext, path: string, data: Uint8Array): Promise<{ value: Uint8Array; height: number }> => {
  const r: ResponseQuery = await ctx.app.query({ path, data, height: 0n, prove: false })
  if (r.code !== 0) {
    if (/^unknown query path/.test(r.log)) throw new ApiError({ code: "MachineOff", status: 404, message: `the ${MACHINE} machine is not active on this node (${r.log})` })
    const notFound = /not found|no program/i.test(r.log)
    throw new ApiError({ code: notFound ? "NotFound" : "QueryFailed", status: notFound ? 404 : 400, message: `${path}: ${r.log}` })
  }
  return { value: r.value, height: Number(r.height) }
}

const scheduleOf = async (ctx: ApiContext, address: string) =>
  decodeScheduleList((await ask(ctx, QueryPath.schedule, QueryAddress.encode({ address }))).value)

const rowOf = async (ctx: ApiContext, info: ProgramInfo): Promise<ProgramRow> => {
  const r = QueryReserveResponse.decode((await ask(ctx, QueryPath.reserve, QueryAddress.encode({ address: info.address }))).value)
  return {
    address: info.address, label: info.label, creator: info.creator, admin: info.admin, codeHash: toHex(info.codeHash),
    status: r.status, reserve: r.reserve.toString(), burnRate: r.burnRate.toString(), pages: info.pages, stablePages: info.stablePages,
    memoryRoot: toHex(info.memoryRoot), createdHeight: info.createdHeight, frozenHeight: info.frozenHeight,
    schedules: (await scheduleOf(ctx, info.address)).length
  }
}

const printable = (b: Uint8Array): string | null => {
  const s = new TextDecoder("utf-8", { fatal: false }).decode(b)
  return /^[\x20-\x7e]*$/.test(s) ? s : null
}

/** The recent MsgExecute calls to `address` among the newest {@link RECENT_CALL_SCAN} execute txs. */
const recentCalls = async (ctx: ApiContext, address: string) => {
  const found = await ctx.blockStore.searchTxs(`message.action='${TypeUrl.execute}'`, 1, RECENT_CALL_SCAN, "desc")
  const tip = ctx.engine.tip().height
  const calls = []
  for (const t of found.txs) {
    if (t.height > tip) continue // its block is being committed: not visible yet (as tx_search)
    let body: TxBody
    try {
      body = TxBody.decode(TxRaw.decode(t.tx).bodyBytes)
    } catch {
      continue // not a tx this node could decode: not a program call
    }
    for (const msg of body.messages) {
      if (msg.typeUrl !== TypeUrl.execute) continue
      const m = MsgExecute.decode(msg.value)
      if (m.program !== address) continue
      calls.push({
        height: t.height, hash: toHex(t.hash).toUpperCase(), sender: m.sender, inputBytes: m.input.length,
        inputHex: toHex(m.input.subarray(0, MAX_INPUT_SHOWN)), inputText: printable(m.input.subarray(0, MAX_INPUT_SHOWN)),
        code: t.result.code, gasUsed: t.result.gasUsed.toString(), log: t.result.code === 0 ? "" : t.result.log.slice(0, 500)
      })
    }
  }
  return { scanned: found.txs.length, calls }
}

/** `GET /ui/api/programs?key=HEX`: a page of programs with their reserves. */
export const programs: ApiRoute = {
  name: "programs",
  description: "CyberWasm programs (a page of 50) with reserve, status, memory pages and schedule counts",
  params: { key: { maxLength: 64, pattern: /^([0-9a-fA-F]{2})+$/, expected: "the nextKey of a previous answer (hex)" } },
  handle: (ctx, params) => orUnavailable(async () => {
    const req = { pagination: { key: params.key ? fromHex(params.key) : new Uint8Array(), offset: 0n, limit: BigInt(PROGRAMS_PAGE), countTotal: !params.key, reverse: false } }
    const r = await ask(ctx, QueryPath.programs, encodeProgramsRequest(req))
    const page = decodeProgramsResponse(r.value)
    const rows: ProgramRow[] = []
    for (const info of page.programs) rows.push(await rowOf(ctx, info))
    return { height: r.height, total: page.pagination.total.toString(), nextKey: toHex(page.pagination.nextKey), programs: rows }
  })
}

/** `GET /ui/api/program?address=...`: one program, its schedule and recent calls. */
export const program: ApiRoute = {
  name: "program",
  description: "one CyberWasm program: record, reserve, schedule entries and recent calls",
  params: { address: { maxLength: 100, pattern: /^[a-z0-9]{1,20}1[02-9ac-hj-np-z]{6,}$/, required: true, expected: "a program's bech32 address" } },
  handle: async (ctx, params) => {
    const address = params.address!
    const r = await ask(ctx, QueryPath.program, QueryAddress.encode({ address }))
    const row = await rowOf(ctx, decodeInfo(r.value))
    const schedule = (await scheduleOf(ctx, address)).map((e) => ({
      id: e.id.toString(), height: e.height.toString(), every: e.every.toString(), inputHex: toHex(e.input.subarray(0, MAX_INPUT_SHOWN)), inputText: printable(e.input.subarray(0, MAX_INPUT_SHOWN))
    }))
    return { height: r.height, program: row, schedule, recent: await recentCalls(ctx, address) }
  }
}
