/**
 * The contract of a dashboard API route (`GET /ui/api/<name>?...`): a name, the query parameters
 * it accepts with their bounds, and a read-only handler over the node's parts. Routes live one per
 * file under node/ui/api/ and are listed in node/ui/api/index.ts. docs/dashboard.md.
 */
import { Data } from "effect"
import type { Application } from "../../../chain/Application.ts"
import type { BlockStore } from "../../../chain/BlockStore.ts"
import type { Machine } from "../../../chain/Machine.ts"
import type { KernelApi } from "../../../kernel/KernelApi.ts"
import type { ConsensusEngine } from "../../../modules/consensus/Consensus.ts"
import type { CommitMultiStore } from "../../../store/KVStore.ts"
import type { Installer } from "../../../packages/Installer.ts"
import type { NodeConfig } from "../../config/NodeConfig.ts"
import type { GasHistory } from "../GasHistory.ts"
import type { MachineQuery } from "../MachineClient.ts"

/** What a route reads: the node's parts, never written through (routes are read-only). */
export interface ApiContext {
  readonly app: Application
  readonly kernel: KernelApi
  readonly blockStore: BlockStore
  readonly engine: ConsensusEngine
  /** The state store; routes read committed versions through `snapshot()`, never the working state. */
  readonly store: CommitMultiStore
  readonly config: NodeConfig
  /** Every machine this node has code for (active or inert). */
  readonly machines: ReadonlyArray<Machine>
  /** Query a machine by kernel message (node/ui/MachineClient.ts); the way routes read machine state. */
  readonly queryMachine: MachineQuery
  /** Gas per machine of recent blocks, when the node records it. */
  readonly gasHistory?: GasHistory
  /** The userspace package installer, when the node runs one. */
  readonly installer?: Installer
  /** Whether the RPC listener serves CometBFT's `/websocket` (the dashboard then subscribes instead of polling). */
  readonly websocket: boolean
}

/**
 * One query parameter: its largest length in characters, the pattern a value must match (checked
 * after the length), whether it must be present, and what to say when it is wrong.
 */
export interface ParamSpec {
  readonly maxLength: number
  readonly pattern: RegExp
  readonly required?: boolean
  /** Human words for a valid value, e.g. "a height: a positive integer". */
  readonly expected: string
}

/** A dashboard API route. `handle` gets validated params and returns a JSON-serialisable value. */
export interface ApiRoute {
  /** `[a-z][a-z0-9-]*`: the path segment after `/ui/api/`. */
  readonly name: string
  /** One line shown in the route index and docs. */
  readonly description: string
  readonly params: Readonly<Record<string, ParamSpec>>
  readonly handle: (ctx: ApiContext, params: Readonly<Record<string, string>>) => Promise<unknown> | unknown
}

/**
 * A typed client error: a parameter that is missing, too long or malformed, an unknown route, or
 * a valid-looking request a route cannot answer (a height out of range, an unknown name).
 * Answered as HTTP `status` with `{"error": {"code", "message", "param"?}}`.
 */
export class ApiError extends Data.TaggedError("ApiError")<{
  /** Machine-readable: "BadParam", "UnknownParam", "MissingParam", "NotFound", "UnknownRoute", "QueryTooLong". */
  readonly code: string
  readonly message: string
  /** HTTP status (400 unless said otherwise). */
  readonly status: number
  /** The parameter at fault, when one is. */
  readonly param?: string
}> {}

/** A decimal integer parameter of up to 12 digits (heights, counts). */
export const intParam = (expected: string, required = false): ParamSpec => ({ maxLength: 12, pattern: /^[0-9]{1,12}$/, required, expected })

/**
 * Answer `{unavailable: reason}` (HTTP 200) instead of an error when the machine is not active
 * on this node (ApiError code MachineOff), so the page says so without a failed request in the browser console.
 */
export const orUnavailable = async <T>(f: () => Promise<T>): Promise<T | { unavailable: string }> => {
  try {
    return await f()
  } catch (e) {
    if (e instanceof ApiError && e.code === "MachineOff") return { unavailable: e.message }
    throw e
  }
}

