/**
 * `GET /ui/api/tx?hash=<64 hex>`: one committed transaction, decoded: height, index, result
 * (code, codespace, log, gas wanted and used), its events, and its body (node/ui/internal/TxView.ts:
 * memo, fee, messages as SDK JSON). As the RPC's `tx`, a tx of a block not yet committed is not found.
 */
import { toHex } from "../../../lib/Bytes.ts"
import { txView } from "../internal/TxView.ts"
import { ApiError, type ApiRoute } from "./Route.ts"

/** The route. Answer: `{hash, height, index, code, codespace, log, gasWanted, gasUsed, events, tx}`. */
export const tx: ApiRoute = {
  name: "tx",
  description: "a committed transaction with its decoded messages and events",
  params: { hash: { maxLength: 64, pattern: /^[0-9A-Fa-f]{64}$/, required: true, expected: "a tx hash: 64 hex digits" } },
  handle: async (ctx, p) => {
    const hash = Buffer.from(p.hash!, "hex")
    const t = await ctx.blockStore.tx(new Uint8Array(hash))
    if (t === undefined || t.height > ctx.engine.tip().height) throw new ApiError({ code: "NotFound", status: 404, message: `tx ${p.hash!.toUpperCase()} not found` })
    return {
      hash: toHex(t.hash).toUpperCase(),
      height: t.height,
      index: t.index,
      code: t.result.code,
      codespace: t.result.codespace,
      log: t.result.log,
      gasWanted: String(t.result.gasWanted),
      gasUsed: String(t.result.gasUsed),
      events: t.result.events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })) })),
      tx: txView(t.tx)
    }
  }
}
