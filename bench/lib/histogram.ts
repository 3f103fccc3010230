/**
 * A compact latency histogram in microseconds: 10 µs buckets below 1 ms, then buckets 2% apart up to
 * several minutes. Percentiles are within 2% of the true value, and histograms from several generator
 * processes merge by adding their counts, so no raw samples cross the IPC channel.
 */
export class Histogram {
  static readonly SIZE = 800;
  private static readonly LINEAR_LIMIT_US = 1000;
  private static readonly LINEAR_STEP_US = 10;
  private static readonly LOG_BASE = Math.log(1.02);
  readonly counts: Float64Array;
  total = 0;
  maxUs = 0;

  constructor(counts?: ArrayLike<number>) {
    this.counts = new Float64Array(Histogram.SIZE);
    if (counts) {
      for (let i = 0; i < Histogram.SIZE && i < counts.length; i++) {
        this.counts[i] = counts[i];
        this.total += counts[i];
      }
    }
  }

  /** Records one latency in microseconds (negative values count as 0). */
  record(us: number): void {
    const v = us > 0 ? us : 0;
    let index: number;
    if (v < Histogram.LINEAR_LIMIT_US) index = Math.floor(v / Histogram.LINEAR_STEP_US);
    else index = 100 + Math.floor(Math.log(v / Histogram.LINEAR_LIMIT_US) / Histogram.LOG_BASE);
    if (index >= Histogram.SIZE) index = Histogram.SIZE - 1;
    this.counts[index]++;
    this.total++;
    if (v > this.maxUs) this.maxUs = v;
  }

  /** Adds another histogram's counts to this one. */
  merge(other: { counts: ArrayLike<number>; maxUs?: number }): this {
    for (let i = 0; i < Histogram.SIZE; i++) {
      this.counts[i] += other.counts[i] ?? 0;
      this.total += other.counts[i] ?? 0;
    }
    if ((other.maxUs ?? 0) > this.maxUs) this.maxUs = other.maxUs ?? 0;
    return this;
  }

  /** Upper edge of the bucket holding percentile p (0..100), in milliseconds; NaN when empty. */
  percentileMs(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < Histogram.SIZE; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(Histogram.upperEdgeUs(i), Math.max(this.maxUs, 1)) / 1000;
    }
    return this.maxUs / 1000;
  }

  /** p50/p95/p99/max in milliseconds and the sample count. */
  summary(): LatencySummary {
    return {
      count: this.total,
      p50_ms: round(this.percentileMs(50)),
      p95_ms: round(this.percentileMs(95)),
      p99_ms: round(this.percentileMs(99)),
      max_ms: round(this.maxUs / 1000),
    };
  }

  /** Plain form for IPC. */
  toJSON(): { counts: number[]; maxUs: number } {
    return { counts: Array.from(this.counts), maxUs: this.maxUs };
  }

  private static upperEdgeUs(index: number): number {
    if (index < 100) return (index + 1) * Histogram.LINEAR_STEP_US;
    return Histogram.LINEAR_LIMIT_US * Math.exp((index - 100 + 1) * Histogram.LOG_BASE);
  }
}

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  count: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** Rounds to 2 decimals (NaN stays NaN). */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Microseconds on the system-wide monotonic clock, comparable between processes of this machine. */
export function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}
