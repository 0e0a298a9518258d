/**
 * A FIFO ring buffer that grows by doubling (power-of-two capacity) and never shrinks below
 * its high-water mark; O(1) push and shift, no per-item allocation. Used for mailboxes, blocked
 * senders and the ready queue. Bounds are enforced by the callers.
 */
export class RingQueue<T> {
  #items: Array<T | undefined>
  #mask: number
  #head = 0
  #length = 0

  constructor(initialCapacity = 16) {
    let cap = 1
    while (cap < initialCapacity) cap <<= 1
    this.#items = new Array<T | undefined>(cap)
    this.#mask = cap - 1
  }

  /** Items queued. */
  get length(): number {
    return this.#length
  }

  /** Append at the tail. */
  push(item: T): void {
    if (this.#length > this.#mask) this.#grow()
    this.#items[(this.#head + this.#length) & this.#mask] = item
    this.#length++
  }

  /** Remove and return the head, or undefined when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined
    const i = this.#head
    const item = this.#items[i]
    this.#items[i] = undefined
    this.#head = (i + 1) & this.#mask
    this.#length--
    return item
  }

  /** The head without removing it. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head]
  }

  /** Remove every item, returning them in order. */
  drain(): T[] {
    const out: T[] = []
    for (let x = this.shift(); x !== undefined; x = this.shift()) out.push(x)
    return out
  }

  #grow(): void {
    const old = this.#items
    const cap = old.length * 2
    const next = new Array<T | undefined>(cap)
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & this.#mask]
    this.#items = next
    this.#mask = cap - 1
    this.#head = 0
  }
}
