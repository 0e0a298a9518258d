/**
 * Rank history of particles, kept by the dashboard in node memory (node plane, not chain state):
 * the graph machine publishes one rank per calculation period and keeps no history, so the
 * dashboard records what it reads. A particle is watched from the first time the Graph page asks
 * about it; from then on every read of the graph routes (the page refreshes on each new block)
 * records the watched particles' ranks at the queried height. A point is added when the rank
 * differs from the particle's last point, so the history is one point per rank change, each with
 * the first height it was seen at.
 *
 * Bounds: at most {@link MAX_WATCHED} particles (the least recently asked is dropped), at most
 * {@link MAX_POINTS} points each (the oldest dropped), so the memory is bounded whatever clients
 * ask. The history starts when a particle is first asked about and is lost on restart.
 */

/** Most particles whose rank history is kept. */
export const MAX_WATCHED = 64
/** Most points kept per particle. */
export const MAX_POINTS = 256

/** One observed rank: the height it was read at and the rank (uint64 × 1e15, decimal string). */
export interface RankPoint {
  readonly height: number
  readonly rank: string
}

/** The bounded recorder (one per node). */
export class RankHistory {
  /** particle -> points; Map order is the recency order (re-inserted when asked about). */
  private readonly byParticle = new Map<string, RankPoint[]>()

  /** Start (or refresh) watching `particle`: it becomes the most recently asked; may drop the oldest. */
  watch(particle: string): void {
    const points = this.byParticle.get(particle) ?? []
    this.byParticle.delete(particle)
    this.byParticle.set(particle, points)
    while (this.byParticle.size > MAX_WATCHED) this.byParticle.delete(this.byParticle.keys().next().value!)
  }

  /** Particles watched now, most recently asked last. */
  watched(): ReadonlyArray<string> {
    return [...this.byParticle.keys()]
  }

  /** Record `rank` of a watched particle read at `height` (ignored when not watched or unchanged, or older than the last point). */
  record(particle: string, height: number, rank: bigint): void {
    const points = this.byParticle.get(particle)
    if (!points) return
    const last = points[points.length - 1]
    if (last && (last.rank === rank.toString() || height < last.height)) return
    points.push({ height, rank: rank.toString() })
    if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS)
  }

  /** The points of `particle`, oldest first (empty when not watched). */
  points(particle: string): ReadonlyArray<RankPoint> {
    return this.byParticle.get(particle) ?? []
  }
}
