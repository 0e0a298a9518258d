/**
 * In-memory mirror of the graph's append-only link log (12 bytes per link: from, to, neuron as
 * u32), from which rank snapshots of any prefix of the log are built.
 */
import { SnapshotBuilder, type RankSnapshot } from "../rank/Snapshot.ts"

/** Growable (from, to, neuron) arrays. */
export class LinkLog {
  private from = new Uint32Array(1024)
  private to = new Uint32Array(1024)
  private neuron = new Uint32Array(1024)
  private n = 0
  /** Kept across snapshots so each one sorts only the links added since the previous one. */
  private builder = new SnapshotBuilder()

  /** Links held. */
  get length(): number {
    return this.n
  }

  /** Append one link (particle and neuron numbers). */
  push(from: number, to: number, neuron: number): void {
    if (this.n === this.from.length) {
      const size = this.n * 2
      const g = (a: Uint32Array) => {
        const b = new Uint32Array(size)
        b.set(a)
        return b
      }
      this.from = g(this.from)
      this.to = g(this.to)
      this.neuron = g(this.neuron)
    }
    this.from[this.n] = from
    this.to[this.n] = to
    this.neuron[this.n] = neuron
    this.n++
  }

  /** The rank snapshot of the first `links` links with these particle/neuron counts and stakes. */
  snapshot(links: number, particles: number, neurons: number, stakes: BigUint64Array): RankSnapshot {
    if (links > this.n) throw new RangeError(`snapshot of ${links} links but the log holds ${this.n}`)
    if (links < this.builder.links) this.builder = new SnapshotBuilder() // an earlier prefix: start over
    const b = this.builder
    for (let i = b.links; i < links; i++) b.addLink(this.from[i]!, this.to[i]!, this.neuron[i]!)
    b.setStakes(stakes)
    return b.build(particles, neurons)
  }

  /** A snapshot of this log that nothing reads any more: its arrays may be reused. */
  release(snapshot: RankSnapshot): void {
    this.builder.recycle(snapshot)
  }
}
