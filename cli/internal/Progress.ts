/**
 * Progress of long node-plane work (the Debian import, package installs) in a terminal or a log:
 * count done (of the total, with percent), rate, time left, then one summary line.
 *
 * - On a TTY: one line redrawn in place (`\r` + clear to end of line), at most every
 *   `ttyIntervalMs`; the summary replaces it and ends with a newline.
 * - Elsewhere (a pipe, a CI log): a plain line every `plainIntervalMs`, then the summary line.
 *
 * Rate and time left come from the average since start (units done / elapsed), which is steady
 * for work of even units (links, txs, bytes). The clock is injectable for tests.
 *
 * Lines: `importing links 12,345/283,161 (4.4%), 1,234 links/s, 3m39s left` and the summary
 * `importing links: done, 283,161 links in 3m50s (1,231 links/s)`.
 */

/** Where progress goes: a stream with `write` (process.stderr / stdout or a test double). */
export interface ProgressStream {
  write(text: string): unknown
  readonly isTTY?: boolean | undefined
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** What is going on ("importing links"): the start of every line. */
  readonly label: string
  /** Units expected in all; absent or 0: no percent and no time left. */
  readonly total?: number | undefined
  /** Unit name for counts and rates ("links", "txs"); default "items". */
  readonly unit?: string | undefined
  /** Count formatter, e.g. {@link formatBytes}; default {@link formatCount} + unit. */
  readonly format?: ((n: number) => string) | undefined
  /** Default process.stderr. */
  readonly stream?: ProgressStream | undefined
  /** Redraw in place; default `stream.isTTY`. */
  readonly tty?: boolean | undefined
  /** TTY redraw interval, ms (default 100). */
  readonly ttyIntervalMs?: number | undefined
  /** Plain line interval, ms (default 5000). */
  readonly plainIntervalMs?: number | undefined
  /** Clock, ms (default performance.now). */
  readonly now?: (() => number) | undefined
}

/** 1234567 -> "1,234,567" (integers; fractions rounded). */
export const formatCount = (n: number): string => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")

/** Bytes in binary units: "512 B", "1.5 KiB", "12.3 MiB", "2.00 GiB". */
export const formatBytes = (n: number): string => {
  if (n < 1024) return `${Math.round(n)} B`
  const units = ["KiB", "MiB", "GiB", "TiB"]
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`
}

/** A duration for people: "<1s", "45s", "3m05s", "2h07m". */
export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < 0) return "?"
  const s = Math.round(ms / 1000)
  if (s < 1) return "<1s"
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
}

/** Units per second over `elapsedMs`; 0 before any time has passed. */
export const rate = (done: number, elapsedMs: number): number => (elapsedMs > 0 ? (done * 1000) / elapsedMs : 0)

/**
 * Time left at the average rate so far, ms: (total - done) / rate. Undefined without a total,
 * before anything is done or any time has passed; 0 once done reaches total.
 */
export const timeLeft = (done: number, total: number | undefined, elapsedMs: number): number | undefined => {
  if (total === undefined || total <= 0) return undefined
  if (done >= total) return 0
  const r = rate(done, elapsedMs)
  return r > 0 ? ((total - done) * 1000) / r : undefined
}

/** The state a progress line shows. */
export interface ProgressState {
  readonly label: string
  readonly done: number
  readonly total: number | undefined
  readonly elapsedMs: number
}

const unitFormat = (o: Pick<ProgressOptions, "unit" | "format">) =>
  o.format ?? ((n: number) => `${formatCount(n)} ${o.unit ?? "items"}`)

/** A running line: `label done/total (pct%), rate/s, time left` (parts without data are left out). */
export const progressLine = (s: ProgressState, o: Pick<ProgressOptions, "unit" | "format"> = {}): string => {
  const fmt = unitFormat(o)
  const hasTotal = s.total !== undefined && s.total > 0
  const count = hasTotal
    ? o.format ? `${fmt(s.done)}/${fmt(s.total!)}` : `${formatCount(s.done)}/${formatCount(s.total!)} ${o.unit ?? "items"}`
    : fmt(s.done)
  const parts = [`${s.label} ${count}${hasTotal ? ` (${((100 * s.done) / s.total!).toFixed(1)}%)` : ""}`]
  if (s.elapsedMs > 0 && s.done > 0) parts.push(`${fmt(rate(s.done, s.elapsedMs))}/s`)
  const left = timeLeft(s.done, s.total, s.elapsedMs)
  if (left !== undefined && s.done < (s.total ?? 0)) parts.push(`${formatDuration(left)} left`)
  return parts.join(", ")
}

/** The summary: `label: done, N units in T (rate/s)`, or `label: stopped at ...` when not all was done. */
export const summaryLine = (s: ProgressState, o: Pick<ProgressOptions, "unit" | "format"> = {}, note?: string): string => {
  const fmt = unitFormat(o)
  const complete = s.total === undefined || s.total <= 0 || s.done >= s.total
  const head = complete ? `${s.label}: done, ${fmt(s.done)}` : `${s.label}: stopped at ${fmt(s.done)} of ${fmt(s.total!)}`
  const r = s.elapsedMs > 0 ? ` (${fmt(rate(s.done, s.elapsedMs))}/s)` : ""
  return `${head} in ${formatDuration(s.elapsedMs)}${r}${note ? `; ${note}` : ""}`
}

/**
 * A progress reporter. `add(n)` / `set(done)` as work completes; `note(line)` prints a line
 * without breaking the redrawn one; `finish(note?)` prints the summary (once; later calls do
 * nothing) and returns it.
 */
export class Progress {
  readonly #o: ProgressOptions
  readonly #stream: ProgressStream
  readonly #tty: boolean
  readonly #now: () => number
  readonly #start: number
  #done = 0
  #total: number | undefined
  #lastDraw = Number.NEGATIVE_INFINITY
  #drawn = false
  #finished = false

  constructor(o: ProgressOptions) {
    this.#o = o
    this.#stream = o.stream ?? process.stderr
    this.#tty = o.tty ?? this.#stream.isTTY === true
    this.#now = o.now ?? (() => performance.now())
    this.#start = this.#now()
    this.#total = o.total
    // a plain log gets its first line after one interval, so short work prints only its summary
    if (!this.#tty) this.#lastDraw = this.#start
  }

  /** Units done so far. */
  get done(): number { return this.#done }

  /** Change the expected total (work found to be larger or smaller). */
  setTotal(total: number | undefined): void {
    this.#total = total
  }

  /** `n` more units done. */
  add(n = 1): void {
    this.set(this.#done + n)
  }

  /** `done` units done in all. */
  set(done: number): void {
    this.#done = done
    if (this.#finished) return
    const t = this.#now()
    const interval = this.#tty ? (this.#o.ttyIntervalMs ?? 100) : (this.#o.plainIntervalMs ?? 5000)
    if (t - this.#lastDraw < interval) return
    this.#lastDraw = t
    this.#draw(this.line())
  }

  /** The current running line (no newline). */
  line(): string {
    return progressLine({ label: this.#o.label, done: this.#done, total: this.#total, elapsedMs: this.#now() - this.#start }, this.#o)
  }

  /** Print a line of its own (e.g. a warning); on a TTY the running line is redrawn below it. */
  note(text: string): void {
    if (this.#tty && this.#drawn) this.#stream.write("\r\x1b[K")
    this.#stream.write(text + "\n")
    if (this.#tty && this.#drawn && !this.#finished) this.#stream.write(this.line())
  }

  /** Print the summary line (once) and return it. */
  finish(note?: string): string {
    const s = summaryLine({ label: this.#o.label, done: this.#done, total: this.#total, elapsedMs: this.#now() - this.#start }, this.#o, note)
    if (this.#finished) return s
    this.#finished = true
    this.#stream.write(this.#tty ? `\r\x1b[K${s}\n` : `${s}\n`)
    return s
  }

  #draw(line: string): void {
    if (this.#tty) {
      this.#stream.write(`\r\x1b[K${line}`)
      this.#drawn = true
    } else {
      this.#stream.write(line + "\n")
    }
  }
}
