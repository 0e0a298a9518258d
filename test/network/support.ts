/**
 * Test nodes for the network suites: real libp2p hosts (TCP, Noise, yamux) on loopback, started
 * through makeNetwork with a directory the test fills (name → key and port), as the names
 * machine would.
 */
import { Effect, Exit, Scope } from "effect"
import { generateEd25519, type Ed25519Key } from "../../node/home/ValidatorKey.ts"
import { makeNetwork, type NetworkApi, type NetworkLimits } from "../../node/network/Network.ts"
import type { NodeRecord, PeerDirectory } from "../../node/network/PeerDirectory.ts"

/** A directory the test edits. */
export class TestDirectory implements PeerDirectory {
  readonly records = new Map<string, NodeRecord>()
  readonly resolve = async (name: string) => this.records.get(name)
}

/** A started test node. */
export interface TestNode {
  readonly name: string
  readonly key: Ed25519Key
  readonly net: NetworkApi
  readonly port: number
  readonly logs: Array<string>
  stop(): Promise<void>
}

/** The TCP port of the first listen address. */
const portOf = (net: NetworkApi): number => Number(/\/tcp\/(\d+)/.exec(net.listenAddresses()[0] ?? "")![1])

/**
 * Start a node named `name` on 127.0.0.1 (`port` 0 = any free port) and publish its record
 * (`~net-key` = its key, unless `publishKey` says otherwise) in `dir`.
 */
export const startTestNode = async (
  name: string,
  dir: TestDirectory,
  opts: { readonly key?: Ed25519Key; readonly port?: number; readonly limits?: Partial<NetworkLimits>; readonly publishKey?: Uint8Array; readonly publish?: boolean } = {}
): Promise<TestNode> => {
  const key = opts.key ?? generateEd25519()
  const scope = Effect.runSync(Scope.make())
  const logs: Array<string> = []
  const net = await Effect.runPromise(
    makeNetwork({
      key,
      our: name,
      listen: [`/ip4/127.0.0.1/tcp/${opts.port ?? 0}`],
      directory: dir,
      limits: { dialTimeoutMs: 2000, helloTimeoutMs: 2000, reconnectMaxMs: 1000, ...opts.limits },
      log: (level, line) => logs.push(`${level}: ${line}`)
    }).pipe(Scope.provide(scope))
  )
  const port = portOf(net)
  if (opts.publish !== false) {
    dir.records.set(name, { name, owner: "cyber1test", netKey: opts.publishKey ?? key.pubkey, ip: "127.0.0.1", tcpPort: port, routers: [] })
  }
  return { name, key, net, port, logs, stop: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** Resolve when `cond()` holds, polling every 10 ms; reject after `ms` with `what`. */
export const until = async (cond: () => boolean, ms: number, what: string): Promise<void> => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A collector of frames a node receives. */
export const collect = (node: TestNode): Array<{ node: string; frame: Uint8Array }> => {
  const got: Array<{ node: string; frame: Uint8Array }> = []
  node.net.transport.onFrame((from, frame) => got.push({ node: from, frame }))
  return got
}
