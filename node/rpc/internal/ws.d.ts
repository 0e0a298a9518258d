/**
 * Types for the part of `ws` 8 (node_modules/ws, lib/websocket.js and lib/websocket-server.js)
 * this project uses: a server without its own listener (upgrades handed over by the RPC's HTTP
 * server) and the client tests use. `@types/ws` is not installed; when it is, delete this file.
 */
declare module "ws" {
  import type { EventEmitter } from "node:events"
  import type { IncomingMessage } from "node:http"
  import type { Duplex } from "node:stream"

  type RawData = Buffer | ArrayBuffer | Buffer[]

  /** One websocket (either end). */
  class WebSocket extends EventEmitter {
    static readonly CONNECTING: 0
    static readonly OPEN: 1
    static readonly CLOSING: 2
    static readonly CLOSED: 3
    constructor(address: string | URL, options?: { maxPayload?: number; perMessageDeflate?: boolean; headers?: Record<string, string> })
    /** Bytes queued to send and not yet written to the socket. */
    readonly bufferedAmount: number
    readonly readyState: 0 | 1 | 2 | 3
    readonly isPaused: boolean
    send(data: string | Buffer | Uint8Array, cb?: (err?: Error) => void): void
    send(data: string | Buffer | Uint8Array, options: { binary?: boolean; compress?: boolean; fin?: boolean }, cb?: (err?: Error) => void): void
    ping(data?: string | Buffer, mask?: boolean, cb?: (err?: Error) => void): void
    close(code?: number, reason?: string): void
    terminate(): void
    /** Stop reading from the socket (the peer's writes back up). */
    pause(): void
    resume(): void
    on(event: "message", listener: (data: RawData, isBinary: boolean) => void): this
    on(event: "close", listener: (code: number, reason: Buffer) => void): this
    on(event: "error", listener: (err: Error) => void): this
    on(event: "open" | "pong" | "ping", listener: () => void): this
    once(event: "message", listener: (data: RawData, isBinary: boolean) => void): this
    once(event: "close", listener: (code: number, reason: Buffer) => void): this
    once(event: "error", listener: (err: Error) => void): this
    once(event: "open" | "pong" | "ping", listener: () => void): this
  }

  /** A websocket server; with `noServer` it only completes upgrades it is handed. */
  class WebSocketServer extends EventEmitter {
    constructor(options: { noServer: true; maxPayload?: number; perMessageDeflate?: boolean; clientTracking?: boolean })
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WebSocket, req: IncomingMessage) => void): void
    close(cb?: (err?: Error) => void): void
  }

  export { WebSocket, WebSocketServer, type RawData }
  export default WebSocket
}
