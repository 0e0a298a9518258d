/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; each event takes one.
 * Node plane (reads `performance.now()`).
 */
export class TokenBucket {
  private readonly ratePerMs: number
  private readonly burst: number
  private tokens: number
  private last: number

  constructor(ratePerSecond: number, burst: number) {
    this.ratePerMs = ratePerSecond / 1000
    this.burst = burst
    this.tokens = burst
    this.last = performance.now()
  }

  /** Take one token; false when the bucket is empty (the event is over the rate). */
  take(): boolean {
    const now = performance.now()
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.ratePerMs)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
