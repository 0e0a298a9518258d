/**
 * The dashboard's link to its node (same origin):
 * - `rpc(method, params)`: CometBFT JSON-RPC 2.0 over POST `/` (the node's node/rpc server);
 *   resolves with `result`, rejects with an RpcError carrying the JSON-RPC error.
 * - `api(name, params)`: the dashboard's read-only JSON routes, GET `/ui/api/<name>`
 *   (node/ui/api); rejects with an ApiFailure carrying the route's typed error.
 * - `subscribe(query, cb)`: CometBFT v0.38 event subscriptions over `/websocket` when the node
 *   serves it (node says so in `/ui/api/node`), else polling `status` every second; `NewBlock`
 *   and `Tx` events are shaped as CometBFT sends them (`{query, data: {type, value}, events}`).
 */

/** A JSON-RPC error from the node. */
export class RpcError extends Error {
  readonly code: number
  readonly data: string | undefined
  constructor(method: string, e: { code: number; message: string; data?: string }) {
    super(`${method}: ${e.message}${e.data ? ` (${e.data})` : ""}`)
    this.code = e.code
    this.data = e.data
  }
}

/** A typed error from a dashboard API route (`{error: {code, message, param?}}`). */
export class ApiFailure extends Error {
  readonly code: string
  readonly status: number
  constructor(name: string, status: number, e: { code: string; message: string }) {
    super(`${name}: ${e.message}`)
    this.code = e.code
    this.status = status
  }
}

let nextId = 1

/** Call a CometBFT JSON-RPC method; params as CometBFT's JSON (strings for heights, etc.). */
export const rpc = async <T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
  const r = await fetch("/", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }) })
  const j = await r.json()
  if (j.error) throw new RpcError(method, j.error)
  return j.result as T
}

/** Call a dashboard API route. */
export const api = async <T = any>(name: string, params: Record<string, string | number> = {}): Promise<T> => {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()
  const r = await fetch(`/ui/api/${name}${q ? "?" + q : ""}`)
  const j = await r.json()
  if (!r.ok || j.error) throw new ApiFailure(name, r.status, j.error ?? { code: "Http", message: `HTTP ${r.status}` })
  return j as T
}

/** An event as CometBFT's websocket delivers it (`result` of the subscription's messages). */
export interface RpcEvent {
  readonly query: string
  readonly data: { readonly type: string; readonly value: any }
  readonly events?: Record<string, string[]>
}

type Listener = (e: RpcEvent) => void

interface Sub { readonly query: string; readonly cb: Listener }
const subs = new Set<Sub>()
let mode: "unknown" | "ws" | "poll" = "unknown"
let ws: WebSocket | undefined
let pollTimer: ReturnType<typeof setTimeout> | undefined
let lastHeight = 0

/** Which transport live updates use now: "ws", "poll", or "unknown" before the first subscription. */
export const liveMode = () => mode

const eventKind = (query: string): "NewBlock" | "Tx" | undefined => {
  const m = /tm\.event\s*=\s*'(\w+)'/.exec(query)
  return m?.[1] === "NewBlock" ? "NewBlock" : m?.[1] === "Tx" ? "Tx" : undefined
}

/** Polling: every second, read `status`; for each new height emit NewBlock (with the block) and Tx events. */
const poll = async () => {
  pollTimer = undefined
  try {
    const st = await rpc("status")
    const tip = Number(st.sync_info.latest_block_height)
    if (lastHeight === 0) lastHeight = tip - 1
    // At most 5 blocks per tick: a tab woken after long sleep catches up without a burst.
    for (let h = Math.max(lastHeight + 1, tip - 4); h <= tip; h++) {
      const wantsBlock = [...subs].some((s) => eventKind(s.query) === "NewBlock")
      const wantsTx = [...subs].some((s) => eventKind(s.query) === "Tx")
      if (wantsBlock) {
        const b = await rpc("block", { height: String(h) })
        emit("NewBlock", { query: "", data: { type: "tendermint/event/NewBlock", value: { block: b.block, block_id: b.block_id } } })
      }
      if (wantsTx) {
        const found = await rpc("tx_search", { query: `tx.height=${h}`, per_page: "100", page: "1" })
        for (const t of found.txs) {
          emit("Tx", { query: "", data: { type: "tendermint/event/Tx", value: { TxResult: { height: t.height, index: t.index, tx: t.tx, result: t.tx_result } } } })
        }
      }
    }
    lastHeight = Math.max(lastHeight, tip)
  } catch {
    // node briefly unreachable: try again next tick
  }
  if (subs.size > 0) pollTimer = setTimeout(poll, 1000)
}

const emit = (kind: "NewBlock" | "Tx", e: RpcEvent) => {
  for (const s of subs) if (eventKind(s.query) === kind) s.cb({ ...e, query: s.query })
}

const startPolling = () => {
  mode = "poll"
  if (pollTimer === undefined) pollTimer = setTimeout(poll, 0)
}

const wsSubscribe = (s: Sub) => ws?.send(JSON.stringify({ jsonrpc: "2.0", id: `sub:${s.query}`, method: "subscribe", params: { query: s.query } }))

const openWs = () => {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/websocket`
  const sock = new WebSocket(url)
  ws = sock
  sock.onopen = () => {
    for (const s of subs) wsSubscribe(s)
  }
  sock.onmessage = (m) => {
    const j = JSON.parse(String(m.data))
    const r = j.result as RpcEvent | undefined
    if (j.error || !r || !r.data) return
    for (const s of subs) if (s.query === r.query || `sub:${s.query}` === j.id) s.cb(r)
  }
  sock.onclose = () => {
    ws = undefined
    if (subs.size > 0) startPolling()
  }
}

const choose = async () => {
  if (mode !== "unknown") return
  mode = "poll"
  let websocket = false
  try {
    websocket = (await api<{ websocket: boolean }>("node")).websocket
  } catch {
    // an older node without the route: poll
  }
  if (websocket && typeof WebSocket !== "undefined") {
    mode = "ws"
    openWs()
  } else startPolling()
}

/**
 * Subscribe to CometBFT events matching `query` (`tm.event='NewBlock'`, `tm.event='Tx'`, ...).
 * Returns the unsubscribe function. Over polling only `NewBlock` and `Tx` are delivered.
 */
export const subscribe = (query: string, cb: Listener): (() => void) => {
  const s: Sub = { query, cb }
  subs.add(s)
  if (mode === "unknown") void choose()
  else if (mode === "ws" && ws?.readyState === WebSocket.OPEN) wsSubscribe(s)
  else if (mode === "poll") startPolling()
  return () => {
    subs.delete(s)
    if (mode === "ws" && ws?.readyState === WebSocket.OPEN && ![...subs].some((o) => o.query === query)) {
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: `unsub:${query}`, method: "unsubscribe", params: { query } }))
    }
  }
}
