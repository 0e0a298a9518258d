/**
 * The CometBFT-compatible RPC server (see RpcServer.ts and docs/rpc.md).
 */
export { serveRpc, startRpcServer, COMET_VERSION, type RpcServer, type RpcServerOptions, type RpcNodeInfo } from "./RpcServer.ts"
export { InvalidParams, ResponseTooLarge, RpcMethodError, RpcErrorCode, TxQueryError } from "./RpcError.ts"
export { bodyBytesForTx, defaultRpcLimits, rpcLimitsFromConfig, scanJson, clip, DEFAULT_MAX_TX_BYTES, type RpcLimits, type RpcLimitsConfig } from "./Limits.ts"
