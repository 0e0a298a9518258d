/**
 * Builds the execution contexts machines see and performs cross-machine calls and sends for
 * one scope of execution (a tx, or begin/end block). Plain code: this is the block hot path.
 */
import type { Event } from "cosmjs-types/tendermint/abci/types"
import type { MultiStore } from "../../store/KVStore.ts"
import type { ChainAuthority } from "../ChainAuthority.ts"
import { CapabilityMissing, InvalidRequest, UnknownRequest } from "../ChainError.ts"
import type { GasMeter } from "../Gas.ts"
import type { BlockContext, ChainCall, ExecContext, Machine } from "../Machine.ts"
import type { Router } from "../Router.ts"
import { gasKVStore } from "./GasKVStore.ts"

/** Maximum nesting of synchronous cross-machine calls. */
export const MAX_CALL_DEPTH = 10

/** A queued asynchronous send with its sender. */
export interface QueuedSend extends ChainCall {
  readonly caller: string
}

/** One execution scope: a branch, a gas meter, an event list and an outgoing send queue. */
export class Executor {
  readonly events: Event[] = []
  readonly sends: QueuedSend[] = []
  readonly router: Router
  readonly authority: ChainAuthority
  readonly block: BlockContext
  readonly ms: MultiStore
  readonly gas: GasMeter
  private readonly metered: boolean
  constructor(router: Router, authority: ChainAuthority, block: BlockContext, ms: MultiStore, gas: GasMeter) {
    this.router = router
    this.authority = authority
    this.block = block
    this.ms = ms
    this.gas = gas
    this.metered = gas.limit < Number.MAX_SAFE_INTEGER
  }

  /** The context machine `machine` sees in this scope, at call depth `depth`. */
  context(machine: Machine, depth = 0): ExecContext {
    const raw = this.ms.store(machine.name)
    return {
      ...this.block,
      store: this.metered ? gasKVStore(raw, this.gas) : raw,
      rawStore: raw,
      gas: this.gas,
      emit: (event) => {
        this.events.push(event)
      },
      call: (call) => this.call(machine.name, call, depth + 1),
      send: (call) => {
        this.authorize(machine.name, call)
        this.sends.push({ ...call, caller: machine.name })
      }
    }
  }

  /** Synchronous capability-checked call from `caller` into `call.target`. */
  call(caller: string, call: ChainCall, depth: number): Uint8Array {
    if (depth > MAX_CALL_DEPTH) {
      throw new InvalidRequest({ log: `cross-machine call depth exceeds ${MAX_CALL_DEPTH} (${caller} -> ${call.target}.${call.method})` })
    }
    const target = this.authorize(caller, call)
    if (!target.onCall) throw new UnknownRequest({ log: `machine "${call.target}" accepts no calls` })
    return target.onCall(this.context(target, depth), caller, call.method, call.body)
  }

  private authorize(caller: string, call: ChainCall): Machine {
    const target = this.router.machine(call.target)
    if (!target) throw new UnknownRequest({ log: `unknown machine "${call.target}" (called by ${caller})` })
    if (!this.authority.mayCall(caller, call.target, call.method)) {
      throw new CapabilityMissing({ log: `machine "${caller}" holds no capability to call ${call.target}.${call.method}: unauthorized` })
    }
    return target
  }
}
