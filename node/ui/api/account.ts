/**
 * `GET /ui/api/account?address=<bech32>&limit=N`: an account's balances at the last commit (the
 * bank machine's `/cosmos.bank.v1beta1.Query/AllBalances`, up to 100 denoms, asked by kernel
 * message to `bank:chain:sys`) and its history: the
 * newest N (1..50, default 20) committed txs where it sent (`message.sender`) or received
 * (`transfer.recipient`), newest first, each with height, hash, code and message types.
 */
import { QueryAllBalancesRequest, QueryAllBalancesResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { toHex } from "../../../lib/Bytes.ts"
import { txView } from "../internal/TxView.ts"
import { ApiError, intParam, type ApiRoute } from "./Route.ts"

const MAX_LIMIT = 50

/** The route. Answer: `{address, height, balances: [{denom, amount}], history: [{hash, height, index, code, role, messages}]}`. */
export const account: ApiRoute = {
  name: "account",
  description: "an account's balances and its newest txs (sent or received)",
  params: {
    address: { maxLength: 90, pattern: /^[a-z]{1,20}1[02-9ac-hj-np-z]{6,80}$/, required: true, expected: "a bech32 account address (e.g. cyber1...)" },
    limit: intParam(`a tx count from 1 to ${MAX_LIMIT}`)
  },
  handle: async (ctx, p) => {
    const address = p.address!
    const prefix = ctx.config.chain.bech32Prefix
    if (!address.startsWith(`${prefix}1`)) throw new ApiError({ code: "BadParam", status: 400, param: "address", message: `parameter address must start with ${prefix}1 (this chain's prefix)` })
    const limit = p.limit === undefined ? 20 : Number(p.limit)
    if (limit < 1 || limit > MAX_LIMIT) throw new ApiError({ code: "BadParam", status: 400, param: "limit", message: `parameter limit must be from 1 to ${MAX_LIMIT}, got ${limit}` })
    const height = ctx.engine.tip().height
    const res = await ctx.queryMachine("bank", "/cosmos.bank.v1beta1.Query/AllBalances",
      QueryAllBalancesRequest.encode({ address, pagination: { key: new Uint8Array(), offset: 0n, limit: 100n, countTotal: false, reverse: false }, resolveDenom: false }).finish())
    if (res.code !== 0) throw new ApiError({ code: "BadParam", status: 400, param: "address", message: `bank refused the address: ${res.log}` })
    const balances = QueryAllBalancesResponse.decode(res.value).balances.map((c) => ({ denom: c.denom, amount: c.amount }))
    const [sent, received] = await Promise.all([
      ctx.blockStore.searchTxs(`message.sender='${address}'`, 1, limit, "desc"),
      ctx.blockStore.searchTxs(`transfer.recipient='${address}'`, 1, limit, "desc")
    ])
    const rows = new Map<string, { hash: string; height: number; index: number; code: number; roles: string[]; messages: string[] }>()
    for (const [role, page] of [["sender", sent], ["recipient", received]] as const) {
      for (const t of page.txs) {
        if (t.height > height) continue
        const hash = toHex(t.hash).toUpperCase()
        const row = rows.get(hash) ?? { hash, height: t.height, index: t.index, code: t.result.code, roles: [], messages: txView(t.tx).messages.map((m) => String((m as { "@type"?: string })["@type"] ?? "")) }
        row.roles.push(role)
        rows.set(hash, row)
      }
    }
    const history = [...rows.values()].sort((a, b) => b.height - a.height || b.index - a.index).slice(0, limit)
    return { address, height, balances, history }
  }
}
