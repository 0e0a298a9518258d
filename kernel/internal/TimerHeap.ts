/**
 * One min-heap of deadlines for every outstanding request of a kernel, driven by ONE host
 * timer armed for the earliest deadline (never a setTimeout per request). Cancelling is lazy: a
 * cancelled entry stays in the heap, marked, and is skipped when it reaches the top; when
 * cancelled entries outnumber live ones the heap is compacted, so memory stays proportional to
 * live requests. Ties on deadline are broken by `id` (send order).
 *
 * The host timer keeps the process alive (is ref'd) only while some entry is live, so a
 * pending timeout is never lost, and a heap holding only cancelled entries does not delay exit.
 */

/** An entry in the heap: absolute deadline (ms, performance.now() clock) and a unique id. */
export interface TimerEntry {
  readonly deadline: number
  readonly id: number
  /** Set by `cancel`; a cancelled entry never fires. */
  cancelled: boolean
}

const MAX_DELAY = 0x7fff_ffff

const before = (a: TimerEntry, b: TimerEntry): boolean => a.deadline < b.deadline || (a.deadline === b.deadline && a.id < b.id)

/** The heap plus its single host timer. `fire` is called for each expired live entry. */
export class TimerHeap<E extends TimerEntry> {
  #heap: E[] = []
  #cancelled = 0
  #timer: ReturnType<typeof setTimeout> | undefined = undefined
  #armedAt = Infinity
  readonly #fire: (entry: E) => void
  readonly #now: () => number

  constructor(fire: (entry: E) => void, now: () => number = () => performance.now()) {
    this.#fire = fire
    this.#now = now
  }

  /** Entries in the heap, live and cancelled. */
  get size(): number {
    return this.#heap.length
  }

  /** Live (not cancelled) entries. */
  get live(): number {
    return this.#heap.length - this.#cancelled
  }

  /** Whether the host timer is armed. */
  get armed(): boolean {
    return this.#timer !== undefined
  }

  /** Add an entry; re-arms the host timer only when it is the new earliest deadline. */
  push(e: E): void {
    const h = this.#heap
    let i = h.length
    h.push(e)
    while (i > 0) {
      const p = (i - 1) >> 1
      const pe = h[p]!
      if (!before(e, pe)) break
      h[i] = pe
      i = p
    }
    h[i] = e
    if (e.deadline < this.#armedAt) this.#arm(e.deadline)
    else if (h.length - this.#cancelled === 1) this.#timer?.ref()
  }

  /** Mark an entry cancelled (it must be in this heap and not yet fired). */
  cancel(e: E): void {
    if (e.cancelled) return
    e.cancelled = true
    this.#cancelled++
    if (this.#cancelled === this.#heap.length) this.#timer?.unref()
    if (this.#cancelled > 1024 && this.#cancelled * 2 > this.#heap.length) this.#compact()
  }

  /** Clear the host timer and drop every entry (kernel shutdown). */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#armedAt = Infinity
    this.#heap = []
    this.#cancelled = 0
  }

  /** Fire every live entry whose deadline has passed (also what the host timer calls). */
  expire(): void {
    const now = this.#now()
    for (;;) {
      const top = this.#heap[0]
      if (top === undefined) break
      if (top.cancelled) {
        this.#pop()
        this.#cancelled--
        continue
      }
      if (top.deadline > now) break
      this.#pop()
      top.cancelled = true
      this.#fire(top)
    }
    this.#rearm()
  }

  #pop(): E | undefined {
    const h = this.#heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last !== undefined) this.#siftDown(last, 0)
    return top
  }

  #siftDown(e: E, start: number): void {
    const h = this.#heap
    const n = h.length
    let i = start
    for (;;) {
      let c = 2 * i + 1
      if (c >= n) break
      const r = c + 1
      if (r < n && before(h[r]!, h[c]!)) c = r
      if (!before(h[c]!, e)) break
      h[i] = h[c]!
      i = c
    }
    h[i] = e
  }

  #compact(): void {
    const live = this.#heap.filter((e) => !e.cancelled)
    this.#heap = live
    this.#cancelled = 0
    for (let i = (live.length >> 1) - 1; i >= 0; i--) this.#siftDown(live[i]!, i)
  }

  #rearm(): void {
    while (this.#heap[0]?.cancelled === true) {
      this.#pop()
      this.#cancelled--
    }
    const top = this.#heap[0]
    if (top === undefined) {
      if (this.#timer !== undefined) clearTimeout(this.#timer)
      this.#timer = undefined
      this.#armedAt = Infinity
    } else if (top.deadline !== this.#armedAt || this.#timer === undefined) this.#arm(top.deadline)
  }

  #arm(deadline: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#armedAt = deadline
    // setTimeout holds at most 2^31-1 ms; a later deadline re-arms when this one fires.
    const delay = Math.min(MAX_DELAY, Math.max(0, Math.ceil(deadline - this.#now())))
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#armedAt = Infinity
      this.expire()
    }, delay)
    if (this.#cancelled === this.#heap.length) this.#timer.unref()
  }
}
