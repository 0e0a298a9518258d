/**
 * Routing tables of the multiplexer: message type URL -> machine, query path prefix -> machine,
 * name -> machine. Built once from the loaded machines; a type URL or prefix claimed twice, or
 * a duplicate machine name, is a configuration error raised at construction.
 *
 * Source: cosmos-sdk baseapp/msg_service_router.go and grpcrouter.go (routing by full name).
 */
import { Data } from "effect"
import type { Machine } from "./Machine.ts"

/** Two machines claim the same name, message type URL or query prefix. */
export class RouterConflict extends Data.TaggedError("RouterConflict")<{ readonly what: string; readonly first: string; readonly second: string }> {
  override get message(): string {
    return `${this.what} claimed by both machine "${this.first}" and machine "${this.second}"`
  }
}

/** Immutable routing tables over an ordered machine list (order = begin/end block order). */
export class Router {
  readonly machines: ReadonlyArray<Machine>
  private readonly byName = new Map<string, Machine>()
  private readonly byMsg = new Map<string, Machine>()
  private readonly prefixes: Array<readonly [string, Machine]> = []

  /** Throws RouterConflict on a duplicate name, type URL, query prefix or hosted principal kind. */
  constructor(machines: ReadonlyArray<Machine>) {
    this.machines = machines
    const hosts = new Map<string, Machine>()
    for (const m of machines) {
      // one runtime per hosted principal kind: two could each act as the other's principals
      for (const kind of m.hosts ?? []) {
        const owner = hosts.get(kind)
        if (owner) throw new RouterConflict({ what: `hosted principal kind "${kind}"`, first: owner.name, second: m.name })
        hosts.set(kind, m)
      }
      const prior = this.byName.get(m.name)
      if (prior) throw new RouterConflict({ what: `machine name "${m.name}"`, first: prior.name, second: m.name })
      this.byName.set(m.name, m)
      for (const url of m.msgTypeUrls) {
        const owner = this.byMsg.get(url)
        if (owner) throw new RouterConflict({ what: `message type ${url}`, first: owner.name, second: m.name })
        this.byMsg.set(url, m)
      }
      for (const prefix of m.queryPrefixes) {
        const owner = this.prefixes.find(([p]) => p === prefix)
        if (owner) throw new RouterConflict({ what: `query prefix ${prefix}`, first: owner[1].name, second: m.name })
        this.prefixes.push([prefix, m])
      }
    }
    // Longest prefix first, so a more specific service wins.
    this.prefixes.sort((a, b) => b[0].length - a[0].length || (a[0] < b[0] ? -1 : 1))
  }

  /** The machine named `name`, if loaded. */
  machine(name: string): Machine | undefined {
    return this.byName.get(name)
  }

  /** The machine handling message type `typeUrl`, if any. */
  msg(typeUrl: string): Machine | undefined {
    return this.byMsg.get(typeUrl)
  }

  /** The machine serving query `path`, if any. */
  query(path: string): Machine | undefined {
    for (const [prefix, m] of this.prefixes) if (path.startsWith(prefix)) return m
    return undefined
  }
}
