import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { performance } from 'node:perf_hooks';

/** The part of a pg Pool the pool gauge reads: clients waiting for a free connection. */
export interface WaitingPool {
  readonly waitingCount: number;
}

/**
 * Process-wide metric counters and the Prometheus registry that exposes them.
 *
 * Hot paths (every WebSocket frame, every fan-out delivery) only add to plain numbers here: no
 * label hashing, no allocation, no call into prom-client. The numbers are copied into prom-client
 * metrics when Prometheus scrapes (`collect`). Call sites use the one {@link recorder} instance with
 * a one-line call, so the modules they live in need no constructor change and no import of the
 * metrics module; with METRICS=off the cost is those additions and nothing else.
 */
export class MetricsRecorder {
  /** The registry `/metrics` renders (every metric of this process). */
  readonly registry = new Registry();

  /** Plain numbers the hot paths add to; copied into prom-client metrics at scrape time. */
  private readonly counts = { wsConnections: 0, messagesStored: 0, fanoutDeliveries: 0 };
  /** Frame type → count; the types are bounded by the frame parser (known types plus two sentinels). */
  private readonly frames = new Map<string, number>();
  private readonly pools = new Set<WaitingPool>();
  private defaultsOn = false;

  private readonly batchSize: Histogram;
  private readonly commitSeconds: Histogram;
  private readonly httpRequests: Counter<'route' | 'status'>;
  private readonly errors: Counter<'code'>;

  constructor() {
    const { counts, frames, pools } = this;
    const registers = [this.registry];
    new Gauge({
      name: 'chat_ws_connections',
      help: 'Open WebSocket connections on this instance (authenticated or not).',
      registers,
      collect() {
        this.set(counts.wsConnections);
      },
    });
    new Counter({
      name: 'chat_ws_frames_total',
      help: 'WebSocket frames received from clients, by frame type (invalid and unknown frames as "invalid" and "unknown").',
      labelNames: ['type'],
      registers,
      collect() {
        this.reset();
        for (const [type, n] of frames) this.labels(type).inc(n);
      },
    });
    new Counter({
      name: 'chat_messages_stored_total',
      help: 'Messages committed to PostgreSQL (retries of a client_msg_id not counted).',
      registers,
      collect() {
        this.reset();
        this.inc(counts.messagesStored);
      },
    });
    new Counter({
      name: 'chat_fanout_deliveries_total',
      help: 'Event frames handed to local WebSocket connections by the fan-out.',
      registers,
      collect() {
        this.reset();
        this.inc(counts.fanoutDeliveries);
      },
    });
    new Gauge({
      name: 'chat_db_pool_waiting',
      help: 'Queries waiting for a free connection of the database pool.',
      registers,
      collect() {
        let waiting = 0;
        for (const pool of pools) waiting += pool.waitingCount;
        this.set(waiting);
      },
    });
    this.batchSize = new Histogram({
      name: 'chat_message_batch_size',
      help: 'Text messages per group commit.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.commitSeconds = new Histogram({
      name: 'chat_message_commit_seconds',
      help: 'Duration of one group commit statement, in seconds.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'chat_http_requests_total',
      help: 'HTTP responses by route pattern (never the raw URL) and status code.',
      labelNames: ['route', 'status'],
      registers,
    });
    this.errors = new Counter({
      name: 'chat_errors_total',
      help: 'Error answers (HTTP error bodies and WebSocket error frames) by error code.',
      labelNames: ['code'],
      registers,
    });
  }

  /** Adds Node's process and event-loop metrics (once per process; only when METRICS=on). */
  enableDefaultMetrics(): void {
    if (this.defaultsOn) return;
    this.defaultsOn = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** A WebSocket connection opened. */
  wsOpened(): void {
    this.counts.wsConnections++;
  }

  /** A WebSocket connection closed. */
  wsClosed(): void {
    this.counts.wsConnections--;
  }

  /**
   * Counts a parsed client frame by its event name and hands the frame back, so it wraps the
   * gateway's frame parser: `recorder.frame(parseClientFrame(raw))` (WsDispatcher).
   */
  frame<T extends { event: string }>(parsed: T): T {
    const type = parsed.event === '__invalid_frame' ? 'invalid' : parsed.event === '__unknown_type' ? 'unknown' : parsed.event;
    this.frames.set(type, (this.frames.get(type) ?? 0) + 1);
    return parsed;
  }

  /** `n` messages committed. */
  messageStored(n = 1): void {
    this.counts.messagesStored += n;
  }

  /** One event frame handed to one local connection by the fan-out. */
  fanoutDelivered(): void {
    this.counts.fanoutDeliveries++;
  }

  /**
   * Times a group commit: wraps the commit's promise and, when it settles successfully, observes
   * the batch size and the elapsed time. Returns the same result.
   */
  async timeBatch<T>(size: number, commit: Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await commit;
    this.batchSize.observe(size);
    this.commitSeconds.observe((performance.now() - started) / 1000);
    return result;
  }

  /** One HTTP response; `route` is the route pattern (e.g. `/api/v1/rooms/:id`) or `unmatched`. */
  httpResponse(route: string, status: number): void {
    this.httpRequests.inc({ route, status: String(status) });
  }

  /** One error answer with its API error code (a bounded set). */
  error(code: string): void {
    this.errors.inc({ code });
  }

  /** Reports this pool's waiting queries in chat_db_pool_waiting; returns a function that stops it. */
  trackPool(pool: WaitingPool): () => void {
    this.pools.add(pool);
    return () => this.pools.delete(pool);
  }
}

/** The process's recorder (several apps in one test process share it, like one process's metrics). */
export const recorder = new MetricsRecorder();
