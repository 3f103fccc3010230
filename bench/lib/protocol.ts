/** Messages between the runner and its load-generator processes (over the child-process IPC channel). */

/**
 * Which server a client talks to: ours, the raw `ws` relay, Socket.IO, the raw `ws` + PostgreSQL
 * store (raw-pg) and the plain Fastify REST peer (raw-rest). Ours, raw and raw-pg share one frame format.
 */
export type ServerKind = 'ours' | 'raw' | 'socketio' | 'raw-pg' | 'raw-rest';

/** One client connection to open. */
export interface ClientSpec {
  /** Bearer token (our server only). */
  token?: string;
  /** Rooms to join after connecting (peers only; our server routes by membership). */
  rooms: string[];
  /** Source address, one of several 127.0.0.x, so no single address runs out of ports. */
  localAddress: string;
}

/** A plain histogram as it crosses the IPC channel. */
export interface HistogramJson {
  counts: number[];
  maxUs: number;
}

/** Commands the runner sends to a generator. */
export type Command =
  | { cmd: 'connect'; kind: ServerKind; url: string; specs: ClientSpec[]; concurrency: number; timeoutMs: number }
  | { cmd: 'close-all' }
  | { cmd: 'open-count' }
  | { cmd: 'phase'; phase: number; windowStartUs: number; windowEndUs: number }
  | { cmd: 'load'; phase: number; senders: Array<[number, string]>; ratePerSec: number; startUs: number; endUs: number; contentChars: number }
  | { cmd: 'count'; phase: number }
  | { cmd: 'finish'; phase: number }
  | { cmd: 'cpu-mark' }
  | { cmd: 'cpu-read' }
  | { cmd: 'ping-start'; intervalMs: number; clients?: number[] }
  | { cmd: 'ping-segment'; segment: number }
  | { cmd: 'ping-stop' }
  | { cmd: 'logins'; url: string; bodies: object[] }
  | { cmd: 'autocannon'; options: Record<string, unknown> };

/** A command with the runner's correlation id. */
export type Envelope = Command & { seq: number };

/** A generator's answer. */
export interface Reply {
  seq: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Result of `connect`. */
export interface ConnectResult {
  firstIndex: number;
  opened: number;
  failed: number;
  errors: string[];
  elapsedMs: number;
  handshake: HistogramJson;
}

/** Result of `load` (sending side). */
export interface LoadResult {
  sent: number;
  sentInWindow: number;
  /** Largest delay between a message's intended and actual send time, ms: the generator's own lag. */
  maxSendLagMs: number;
}

/** Result of `count`. */
export interface CountResult {
  delivered: number;
  acked: number;
  errors: number;
}

/** Result of `finish`. */
export interface PhaseResult {
  delivered: number;
  deliveredInWallWindow: number;
  acked: number;
  ackedInWallWindow: number;
  deliveries: HistogramJson;
  acks: HistogramJson;
  errors: Record<string, number>;
  stale: number;
}

/** Result of `cpu-read`: CPU the generator used since `cpu-mark`. */
export interface CpuResult {
  cpuUs: number;
  wallUs: number;
}

/** Result of `ping-stop`: RTT histograms per segment (index = segment number). */
export interface PingResult {
  segments: HistogramJson[];
  sent: number[];
  answered: number[];
}

/** One login's outcome. */
export interface LoginOutcome {
  status: number;
  ms: number;
}
