/**
 * The kernel's records: a process-table entry, a queued message (envelope) and an outstanding
 * request. Plain classes with every field set in the constructor (monomorphic for V8); the hot
 * path reads and writes them directly.
 */
import type { SignedCapability } from "../../capabilities/Capability.ts"
import type { Address, ProcessId } from "../Address.ts"
import type { Context, LazyLoadBlob, OnExit, Request, Response, SendError } from "../Message.ts"
import type { NativeProcess, ProcessContext, Reply } from "../Process.ts"
import { RingQueue } from "./RingQueue.ts"
import type { TimerEntry } from "./TimerHeap.ts"

/** Process states. */
export const INITIALIZED = 0
export const RUNNING = 1
export const RESTARTING = 2
export const DEAD = 3

/** Envelope kinds. */
export const REQUEST = 0
export const RESPONSE = 1
export const SEND_ERROR = 2

/** A queued message. `id` is the outstanding request it answers-for (0: none expected). */
export class Envelope {
  kind: number
  source: Address
  sender: Entry
  request: Request | undefined
  response: Response | undefined
  context: Context | undefined
  blob: LazyLoadBlob | undefined
  id: number
  error: SendError | undefined
  /** Set while the envelope waits for mailbox space (sender counted in `blockedSends`). */
  blocked: boolean
  wake: (() => void) | undefined
  fail: ((e: unknown) => void) | undefined

  constructor(
    kind: number,
    sender: Entry,
    request: Request | undefined,
    response: Response | undefined,
    context: Context | undefined,
    blob: LazyLoadBlob | undefined,
    id: number,
    error: SendError | undefined
  ) {
    this.kind = kind
    this.source = sender.address
    this.sender = sender
    this.request = request
    this.response = response
    this.context = context
    this.blob = blob
    this.id = id
    this.error = error
    this.blocked = false
    this.wake = undefined
    this.fail = undefined
  }
}

/**
 * A request awaiting its response; also the timer-heap entry of its deadline. A request to
 * another node has no target entry (`target` undefined; `targetAddress.node` is that node). A
 * request that arrived from another node and expects a response is a relay: `originNode` and
 * `originId` say where its answer goes (its requester is that node's stand-in entry).
 */
export class Outstanding implements TimerEntry {
  readonly deadline: number
  readonly id: number
  cancelled: boolean
  readonly requester: Entry
  /** Who must answer (changes when an inheriting request hands the duty on); undefined: a remote node. */
  target: Entry | undefined
  targetAddress: Address
  /** Node whose request this relays (its answer is sent back there), or undefined. */
  originNode: string | undefined = undefined
  /** That node's request id. */
  originId = 0
  readonly request: Request
  readonly blob: LazyLoadBlob | undefined
  readonly context: Context | undefined
  resolve: ((r: Reply) => void) | undefined
  reject: ((e: unknown) => void) | undefined

  constructor(
    id: number,
    deadline: number,
    requester: Entry,
    target: Entry | undefined,
    targetAddress: Address,
    request: Request,
    blob: LazyLoadBlob | undefined,
    context: Context | undefined,
    resolve: ((r: Reply) => void) | undefined,
    reject: ((e: unknown) => void) | undefined
  ) {
    this.id = id
    this.deadline = deadline
    this.cancelled = false
    this.requester = requester
    this.target = target
    this.targetAddress = targetAddress
    this.request = request
    this.blob = blob
    this.context = context
    this.resolve = resolve
    this.reject = reject
  }
}

/** A process-table entry. */
export class Entry {
  readonly id: ProcessId
  readonly address: Address
  /** `node@process:package:publisher`, for errors and logs. */
  readonly name: string
  readonly process: NativeProcess
  readonly public: boolean
  onExit: OnExit
  /** Capabilities held, by capabilityKey. Change only through `hold` / `release` (CapabilityTable.ts). */
  readonly caps = new Map<string, SignedCapability>()
  /** The held instances themselves: attaching one of them is an identity lookup. */
  readonly held = new Set<SignedCapability>()
  /** Held capabilities by issuer addressKey, then params: lookups without building a key. */
  readonly index = new Map<string, Map<string, SignedCapability>>()
  /** capabilityKey of the messaging capability that reaches this process. */
  readonly messagingKey: string
  readonly mailbox: RingQueue<Envelope>
  /** Envelopes waiting for mailbox space, in send order (non-empty only while the mailbox is full). */
  readonly blocked = new RingQueue<Envelope>(4)
  readonly capacity: number
  state = INITIALIZED
  /** A handler's promise is pending: the next delivery waits for it. */
  busy = false
  /** In the kernel's ready queue. */
  scheduled = false
  /** Bumped on kill/crash so that late promise settlements of an old run are ignored. */
  generation = 0
  /** The request being handled (for respond / inherit). */
  current: Envelope | undefined = undefined
  /** This process's envelopes waiting in full mailboxes. */
  blockedSends = 0
  /** This process's requests awaiting responses. */
  outstanding = 0
  state_bytes: Uint8Array | undefined = undefined
  restarts = 0
  /** When the current run started (kernel clock, ms): stable uptime resets the restart backoff. */
  startedAt = 0
  restartTimer: unknown = undefined
  ctx!: ProcessContext

  constructor(
    id: ProcessId,
    address: Address,
    name: string,
    process: NativeProcess,
    isPublic: boolean,
    onExit: OnExit,
    messagingKey: string,
    capacity: number
  ) {
    this.id = id
    this.address = address
    this.name = name
    this.process = process
    this.public = isPublic
    this.onExit = onExit
    this.messagingKey = messagingKey
    this.capacity = capacity
    this.mailbox = new RingQueue<Envelope>(Math.min(capacity, 64))
  }
}
