/**
 * Bounds on what one RPC client can make the node parse, hold and send: request body size, batch
 * length, JSON nesting depth, response size, open connections and, for the websocket endpoint,
 * subscriptions per client, subscribing clients and each client's unsent messages. Every refusal is a JSON-RPC error whose message names
 * the limit and its value (`max_batch_requests (100)`), small and never echoing the input.
 *
 * The body limit is derived from `max_tx_bytes` (the mempool / auth limit), so the largest tx
 * the chain accepts always fits in a `broadcast_tx_*` request after base64 and JSON framing,
 * and a tx one byte over it reaches CheckTx, which refuses it with the SDK's code 21.
 *
 * Source: cometbft v0.38 config/config.go RPCConfig (max_body_bytes 1000000, max_header_bytes,
 * max_request_batch_size 10, max_open_connections 900, max_subscriptions_per_client 5,
 * max_subscription_clients 100, experimental_websocket_write_buffer_size 200);
 * JSON-RPC 2.0 (batches); RFC 4648 §4 (base64 length).
 */

/** The RPC limits, all positive integers. Config keys are the snake_case names in the messages. */
export interface RpcLimits {
  /** Largest request body, bytes (`max_body_bytes`). Default {@link bodyBytesForTx}(max_tx_bytes). */
  readonly maxBodyBytes: number
  /** Most requests in one JSON-RPC batch (`max_batch_requests`). Default 100. */
  readonly maxBatchRequests: number
  /** Largest response body, bytes (`max_response_bytes`). Default 32 MiB. */
  readonly maxResponseBytes: number
  /** Deepest JSON nesting of a request body (`max_json_depth`). Default 64. */
  readonly maxJsonDepth: number
  /** Most concurrently open HTTP connections (`max_open_connections`). Default 900, as CometBFT. */
  readonly maxOpenConnections: number
  /** Most websocket subscriptions per client (`max_subscriptions_per_client`). Default 5, as CometBFT. */
  readonly maxSubscriptionsPerClient: number
  /** Most websocket clients holding subscriptions at once (`max_subscription_clients`). Default 100, as CometBFT. */
  readonly maxSubscriptionClients: number
  /**
   * Messages queued to one websocket client and not yet written to its socket
   * (`websocket_write_buffer_size`, CometBFT's `experimental_websocket_write_buffer_size`).
   * Default 200. One more, or more than `max_response_bytes` queued, disconnects the client.
   */
  readonly websocketWriteBufferSize: number
}

/** CometBFT mempool / Cosmos SDK default max_tx_bytes: 1 MiB. */
export const DEFAULT_MAX_TX_BYTES = 1_048_576

/**
 * Bytes a JSON-RPC request needs around its base64 tx: `{"jsonrpc":"2.0","id":...,"method":
 * "broadcast_tx_commit","params":{"tx":"..."}}` is about 90 bytes; 4 KiB leaves room for long
 * ids, whitespace and extra members.
 */
export const REQUEST_ENVELOPE_BYTES = 4096

/**
 * The smallest body limit that admits a `broadcast_tx_*` request carrying a tx of `maxTxBytes`
 * bytes: the base64 text (4 characters per 3 bytes, padded; RFC 4648) plus the JSON-RPC envelope.
 * 1 MiB gives 1,402,200 bytes.
 */
export const bodyBytesForTx = (maxTxBytes: number): number => 4 * Math.ceil(maxTxBytes / 3) + REQUEST_ENVELOPE_BYTES

/** Default limits for a chain whose max_tx_bytes is `maxTxBytes` (default 1 MiB). */
export const defaultRpcLimits = (maxTxBytes: number = DEFAULT_MAX_TX_BYTES): RpcLimits => ({
  maxBodyBytes: bodyBytesForTx(maxTxBytes),
  maxBatchRequests: 100,
  maxResponseBytes: 32 * 1024 * 1024,
  maxJsonDepth: 64,
  maxOpenConnections: 900,
  maxSubscriptionsPerClient: 5,
  maxSubscriptionClients: 100,
  websocketWriteBufferSize: 200
})

/** Longest piece of client input quoted back in an error message. */
export const ECHO_CHARS = 64

/** `s` cut to {@link ECHO_CHARS} characters, with the original length when cut. */
export const clip = (s: string, max: number = ECHO_CHARS): string =>
  s.length <= max ? s : `${s.slice(0, max)}... (${s.length} chars)`

/**
 * Index of the quote closing the string that opens at `open` (a quote preceded by an even run of
 * backslashes), or the text's end when unterminated. Jumps with indexOf: strings (base64 txs) are
 * most of a large body.
 */
const closingQuote = (text: string, open: number): number => {
  let j = open
  for (;;) {
    j = text.indexOf('"', j + 1)
    if (j < 0) return text.length
    let k = j - 1
    while (text.charCodeAt(k) === 92 /* \\ */) k--
    if ((j - 1 - k) % 2 === 0) return j
  }
}

/** What {@link scanJson} found. */
export interface JsonShape {
  /** The text nests deeper than the limit given (the scan stopped there). */
  readonly tooDeep: boolean
  /** Elements of the top-level array (0 when the text is not an array, or tooDeep). */
  readonly topLevelItems: number
}

/**
 * One pass over a JSON text, before any parsing and without recursion: whether it nests deeper
 * than `maxDepth` (counting `[` and `{` outside strings; stops as soon as it does) and, when the
 * top level is an array, how many elements it has (commas at depth 1, plus one). Malformed text
 * is left to JSON.parse: the scan only needs to be right for well-formed input.
 */
export const scanJson = (text: string, maxDepth: number): JsonShape => {
  let depth = 0
  let commas = 0
  let sawItem = false
  let topArray = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      if (depth === 1) sawItem = true
      i = closingQuote(text, i)
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (depth === 0 && c === 91) topArray = true
      else if (depth === 1) sawItem = true
      if (++depth > maxDepth) return { tooDeep: true, topLevelItems: 0 }
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--
    else if (depth === 1) {
      if (c === 44 /* , */) commas++
      else if (c > 32) sawItem = true
    }
  }
  return { tooDeep: false, topLevelItems: topArray && sawItem ? commas + 1 : 0 }
}

/** The config fields the RPC limits come from (NodeConfig's `mempool` and `rpc` sections). */
export interface RpcLimitsConfig {
  readonly mempool: { readonly maxTxBytes: number }
  readonly rpc: {
    readonly maxBodyBytes?: number
    readonly maxBatchRequests?: number
    readonly maxResponseBytes?: number
    readonly maxJsonDepth?: number
    readonly maxOpenConnections?: number
    readonly maxSubscriptionsPerClient?: number
    readonly maxSubscriptionClients?: number
    readonly websocketWriteBufferSize?: number
  }
}

/**
 * The RPC limits of a node config: `rpc.max_body_bytes = 0` (default) derives the body limit from
 * `mempool.max_tx_bytes`; a non-zero value too small for the largest tx throws an Error naming
 * both values (a node whose RPC could not carry its own largest tx is a misconfiguration).
 */
export const rpcLimitsFromConfig = (config: RpcLimitsConfig): RpcLimits => {
  const d = defaultRpcLimits(config.mempool.maxTxBytes)
  const r = config.rpc
  const body = r.maxBodyBytes ?? 0
  if (body !== 0 && body < d.maxBodyBytes) {
    throw new Error(`rpc.max_body_bytes = ${body} is below ${d.maxBodyBytes}, what a broadcast of the largest tx (mempool.max_tx_bytes = ${config.mempool.maxTxBytes}) needs; set it to 0 to derive it`)
  }
  return {
    maxBodyBytes: body === 0 ? d.maxBodyBytes : body,
    maxBatchRequests: r.maxBatchRequests ?? d.maxBatchRequests,
    maxResponseBytes: r.maxResponseBytes ?? d.maxResponseBytes,
    maxJsonDepth: r.maxJsonDepth ?? d.maxJsonDepth,
    maxOpenConnections: r.maxOpenConnections ?? d.maxOpenConnections,
    maxSubscriptionsPerClient: r.maxSubscriptionsPerClient ?? d.maxSubscriptionsPerClient,
    maxSubscriptionClients: r.maxSubscriptionClients ?? d.maxSubscriptionClients,
    websocketWriteBufferSize: r.websocketWriteBufferSize ?? d.websocketWriteBufferSize
  }
}
