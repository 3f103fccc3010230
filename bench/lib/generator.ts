/**
 * A load-generator process. The runner starts one or more of these (pinned to a core away from the
 * server) and drives them over IPC (see protocol.ts). Sending is open-loop: message k of a load is
 * due at start + k/rate whatever happened before, carries that intended time in its content, and
 * every latency is measured from it, so a server (or generator) that falls behind shows up as latency
 * instead of silently lowering the offered load (no coordinated omission).
 */
import autocannon from 'autocannon';
import { io, Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { Histogram, nowUs } from './histogram';
import type {
  ClientSpec,
  Command,
  ConnectResult,
  CountResult,
  CpuResult,
  Envelope,
  LoadResult,
  LoginOutcome,
  PhaseResult,
  PingResult,
  ServerKind,
} from './protocol';

/** Everything counted for one load phase in this process. */
class PhaseState {
  delivered = 0;
  deliveredInWallWindow = 0;
  acked = 0;
  ackedInWallWindow = 0;
  readonly deliveries = new Histogram();
  readonly acks = new Histogram();
  readonly errors: Record<string, number> = {};

  constructor(
    readonly windowStartUs: number,
    readonly windowEndUs: number,
  ) {}
}

const phases = new Map<number, PhaseState>();
let stale = 0;

/** Ping RTTs, one histogram per segment (before / during / after a burst). */
const ping = {
  segment: 0,
  histograms: [new Histogram()],
  sent: [0],
  answered: [0],
  timers: [] as NodeJS.Timeout[],
};

function onDelivery(phase: number, intendedUs: number, recvUs: number): void {
  const state = phases.get(phase);
  if (!state) {
    stale++;
    return;
  }
  state.delivered++;
  if (recvUs >= state.windowStartUs && recvUs <= state.windowEndUs) state.deliveredInWallWindow++;
  if (intendedUs >= state.windowStartUs && intendedUs < state.windowEndUs) state.deliveries.record(recvUs - intendedUs);
}

function onAck(phase: number, intendedUs: number, recvUs: number): void {
  const state = phases.get(phase);
  if (!state) return;
  state.acked++;
  if (recvUs >= state.windowStartUs && recvUs <= state.windowEndUs) state.ackedInWallWindow++;
  if (intendedUs >= state.windowStartUs && intendedUs < state.windowEndUs) state.acks.record(recvUs - intendedUs);
}

function onPong(segment: number, intendedUs: number, recvUs: number): void {
  const histogram = ping.histograms[segment];
  if (!histogram) return;
  histogram.record(recvUs - intendedUs);
  ping.answered[segment]++;
}

function onError(code: string): void {
  // Errors are rare and attributed to the newest phase.
  const last = [...phases.values()].at(-1);
  if (last) last.errors[code] = (last.errors[code] ?? 0) + 1;
}

/** Reads "<phase>|<micros>" digits starting at byte i; returns [phase, micros] or undefined. */
function readIds(buf: Buffer, start: number): [number, number] | undefined {
  let i = start;
  let phase = 0;
  let c = buf[i];
  if (c === undefined || c < 48 || c > 57) return undefined;
  while (c >= 48 && c <= 57) {
    phase = phase * 10 + c - 48;
    c = buf[++i];
  }
  if (c !== 124) return undefined; // '|'
  c = buf[++i];
  let micros = 0;
  while (c >= 48 && c <= 57) {
    micros = micros * 10 + c - 48;
    c = buf[++i];
  }
  return [phase, micros];
}

/** Same for a content string "bm|<phase>|<micros>|...". */
function readContent(content: unknown): [number, number] | undefined {
  if (typeof content !== 'string' || !content.startsWith('bm|')) return undefined;
  const parts = content.split('|', 3);
  return [Number(parts[1]), Number(parts[2])];
}

const CONTENT_MARK = '"content":"bm|';
const ID_MARK = '"id":"';

/** Common face of the three client kinds. */
interface BenchClient {
  readonly isOpen: boolean;
  connect(timeoutMs: number): Promise<void>;
  sendMessage(roomId: string, content: string, phase: number, intendedUs: number): void;
  ping(segment: number, intendedUs: number): void;
  close(): Promise<void>;
}

/** Our gateway and the raw peer: `ws` with the `{type, id, payload}` frames of API.md. */
class FrameClient implements BenchClient {
  private ws: WebSocket | undefined;
  private open = false;

  constructor(
    private readonly kind: 'ours' | 'raw',
    private readonly url: string,
    private readonly spec: ClientSpec,
  ) {}

  get isOpen(): boolean {
    return this.open && this.ws?.readyState === WebSocket.OPEN;
  }

  connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, {
        headers: this.spec.token ? { Authorization: `Bearer ${this.spec.token}` } : undefined,
        localAddress: this.spec.localAddress,
        perMessageDeflate: false,
        skipUTF8Validation: true,
        handshakeTimeout: timeoutMs,
      });
      this.ws = ws;
      let pendingJoins = this.kind === 'raw' ? this.spec.rooms.length : 0;
      let settled = false;
      const timer = setTimeout(() => finish(new Error('timed out waiting for auth_ok / join acks')), timeoutMs);
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          ws.terminate();
          reject(err);
        } else {
          this.open = true;
          resolve();
        }
      };
      ws.on('open', () => {
        if (this.kind === 'raw') {
          if (pendingJoins === 0) finish();
          for (const roomId of this.spec.rooms) ws.send(`{"type":"join_room","id":"j","payload":{"room_id":"${roomId}"}}`);
        }
      });
      ws.on('message', (data: Buffer) => {
        // Every frame starts with {"type":" (9 bytes); the next bytes tell the type apart cheaply.
        const t = data[9];
        if (t === 110) {
          // new_message
          const at = data.indexOf(CONTENT_MARK);
          if (at < 0) return;
          const ids = readIds(data, at + CONTENT_MARK.length);
          if (ids) onDelivery(ids[0], ids[1], nowUs());
        } else if (t === 97 && data[10] === 99) {
          // ack
          const at = data.indexOf(ID_MARK);
          if (at >= 0 && data[at + ID_MARK.length] === 106) {
            // join ack ("j")
            if (--pendingJoins === 0) finish();
            return;
          }
          const ids = at >= 0 ? readIds(data, at + ID_MARK.length) : undefined;
          if (ids) onAck(ids[0], ids[1], nowUs());
        } else if (t === 112 && data[10] === 111) {
          // pong
          const at = data.indexOf(ID_MARK);
          const ids = at >= 0 ? readIds(data, at + ID_MARK.length) : undefined;
          if (ids) onPong(ids[0], ids[1], nowUs());
        } else if (t === 97 && data[10] === 117) {
          // auth_ok
          finish();
        } else if (t === 101 && data[10] === 114) {
          // error
          const match = /"code":"([A-Z_]+)"/.exec(data.toString());
          onError(match ? match[1] : 'UNKNOWN');
        }
      });
      ws.on('error', (err) => finish(err));
      ws.on('close', (code) => {
        this.open = false;
        finish(new Error(`closed with ${code} before it was ready`));
        if (settled) closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      });
    });
  }

  sendMessage(roomId: string, content: string, phase: number, intendedUs: number): void {
    if (!this.isOpen) return;
    this.ws!.send(`{"type":"send_message","id":"${phase}|${Math.round(intendedUs)}","payload":{"room_id":"${roomId}","content":"${content}"}}`);
  }

  ping(segment: number, intendedUs: number): void {
    if (!this.isOpen) return;
    this.ws!.send(`{"type":"ping","id":"${segment}|${Math.round(intendedUs)}"}`);
  }

  close(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 3000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000);
    });
  }
}

/** The Socket.IO peer: socket.io-client over the WebSocket transport only. */
class SocketIoClient implements BenchClient {
  private socket: Socket | undefined;

  constructor(
    private readonly url: string,
    private readonly spec: ClientSpec,
  ) {}

  get isOpen(): boolean {
    return this.socket?.connected ?? false;
  }

  connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = io(this.url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        timeout: timeoutMs,
        perMessageDeflate: false,
        localAddress: this.spec.localAddress,
      } as unknown as Parameters<typeof io>[1]);
      this.socket = socket;
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error('timed out waiting for the join ack'));
      }, timeoutMs);
      socket.on('connect', () => {
        socket.emit('join', this.spec.rooms, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      socket.on('connect_error', (err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('disconnect', (reason: string) => (closeCodes[reason] = (closeCodes[reason] ?? 0) + 1));
      socket.on('new_message', (payload: { content?: string }) => {
        const ids = readContent(payload?.content);
        if (ids) onDelivery(ids[0], ids[1], nowUs());
      });
    });
  }

  sendMessage(roomId: string, content: string, phase: number, intendedUs: number): void {
    if (!this.isOpen) return;
    this.socket!.emit('send_message', { room_id: roomId, content }, () => onAck(phase, intendedUs, nowUs()));
  }

  ping(segment: number, intendedUs: number): void {
    if (!this.isOpen) return;
    this.socket!.emit('bench_ping', () => onPong(segment, intendedUs, nowUs()));
  }

  close(): Promise<void> {
    this.socket?.close();
    return Promise.resolve();
  }
}

const clients: BenchClient[] = [];
const closeCodes: Record<string | number, number> = {};
let cpuMark = { cpu: process.cpuUsage(), wallUs: nowUs() };

function makeClient(kind: ServerKind, url: string, spec: ClientSpec): BenchClient {
  return kind === 'socketio' ? new SocketIoClient(url, spec) : new FrameClient(kind === 'ours' ? 'ours' : 'raw', url, spec);
}

async function connectAll(kind: ServerKind, url: string, specs: ClientSpec[], concurrency: number, timeoutMs: number): Promise<ConnectResult> {
  const firstIndex = clients.length;
  const handshake = new Histogram();
  const errors = new Map<string, number>();
  let opened = 0;
  let failed = 0;
  let next = 0;
  const started = nowUs();
  const batch = specs.map((spec) => makeClient(kind, url, spec));
  clients.push(...batch);
  const worker = async (): Promise<void> => {
    while (next < batch.length) {
      const client = batch[next++];
      const t0 = nowUs();
      try {
        await client.connect(timeoutMs);
        handshake.record(nowUs() - t0);
        opened++;
      } catch (err) {
        failed++;
        const message = err instanceof Error ? err.message : String(err);
        errors.set(message, (errors.get(message) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return {
    firstIndex,
    opened,
    failed,
    errors: [...errors].slice(0, 5).map(([m, n]) => `${n}× ${m}`),
    elapsedMs: (nowUs() - started) / 1000,
    handshake: handshake.toJSON(),
  };
}

function runLoad(cmd: Extract<Command, { cmd: 'load' }>): Promise<LoadResult> {
  const { phase, senders, ratePerSec, startUs, endUs } = cmd;
  const state = phases.get(phase);
  const intervalUs = 1e6 / ratePerSec;
  const pad = 'x'.repeat(Math.max(0, cmd.contentChars - 30));
  let k = 0;
  let sent = 0;
  let sentInWindow = 0;
  let maxLagUs = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const now = nowUs();
      let due = startUs + k * intervalUs;
      while (due <= now && due < endUs) {
        const [clientIndex, roomId] = senders[k % senders.length];
        const intended = Math.round(due);
        clients[clientIndex]?.sendMessage(roomId, `bm|${phase}|${intended}|${pad}`, phase, intended);
        sent++;
        if (state && due >= state.windowStartUs) sentInWindow++;
        if (now - due > maxLagUs) maxLagUs = now - due;
        k++;
        due = startUs + k * intervalUs;
      }
      if (due >= endUs) {
        resolve({ sent, sentInWindow, maxSendLagMs: Math.round(maxLagUs / 100) / 10 });
        return;
      }
      // Timers fire at ~1 ms granularity; messages due in between leave together, each with its own
      // intended time, so the burstiness is part of the measured latency, not hidden.
      setTimeout(tick, Math.max(0, Math.min(1000, (due - now) / 1000 - 1)));
    };
    tick();
  });
}

function startPinging(intervalMs: number, indexes?: number[]): void {
  const chosen = (indexes ?? clients.map((_, i) => i)).filter((i) => clients[i]?.isOpen);
  chosen.forEach((index, n) => {
    const client = clients[index];
    // Staggered so the pings of all clients spread over the interval instead of arriving together.
    const offsetUs = (n / chosen.length) * intervalMs * 1000;
    const start = nowUs() + offsetUs;
    let k = 0;
    const tick = (): void => {
      const now = nowUs();
      let due = start + k * intervalMs * 1000;
      while (due <= now) {
        const segment = ping.segment;
        client.ping(segment, due);
        ping.sent[segment]++;
        k++;
        due = start + k * intervalMs * 1000;
      }
      ping.timers[n] = setTimeout(tick, Math.max(0, (due - now) / 1000));
    };
    ping.timers[n] = setTimeout(tick, offsetUs / 1000);
  });
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'connect':
      return connectAll(command.kind, command.url, command.specs, command.concurrency, command.timeoutMs);
    case 'close-all': {
      const all = clients.splice(0, clients.length);
      await Promise.all(all.map((c) => c.close()));
      return { closed: all.length, closeCodes };
    }
    case 'open-count':
      return { open: clients.filter((c) => c.isOpen).length, total: clients.length, closeCodes };
    case 'phase':
      phases.set(command.phase, new PhaseState(command.windowStartUs, command.windowEndUs));
      return {};
    case 'load':
      return runLoad(command);
    case 'count': {
      const state = phases.get(command.phase);
      const errors = state ? Object.values(state.errors).reduce((a, b) => a + b, 0) : 0;
      const result: CountResult = { delivered: state?.delivered ?? 0, acked: state?.acked ?? 0, errors };
      return result;
    }
    case 'finish': {
      const state = phases.get(command.phase);
      phases.delete(command.phase);
      if (!state) throw new Error(`unknown phase ${command.phase}`);
      const result: PhaseResult = {
        delivered: state.delivered,
        deliveredInWallWindow: state.deliveredInWallWindow,
        acked: state.acked,
        ackedInWallWindow: state.ackedInWallWindow,
        deliveries: state.deliveries.toJSON(),
        acks: state.acks.toJSON(),
        errors: state.errors,
        stale,
      };
      return result;
    }
    case 'cpu-mark':
      cpuMark = { cpu: process.cpuUsage(), wallUs: nowUs() };
      return {};
    case 'cpu-read': {
      const used = process.cpuUsage(cpuMark.cpu);
      const result: CpuResult = { cpuUs: used.user + used.system, wallUs: nowUs() - cpuMark.wallUs };
      return result;
    }
    case 'ping-start':
      ping.segment = 0;
      ping.histograms = [new Histogram()];
      ping.sent = [0];
      ping.answered = [0];
      startPinging(command.intervalMs, command.clients);
      return {};
    case 'ping-segment':
      while (ping.histograms.length <= command.segment) {
        ping.histograms.push(new Histogram());
        ping.sent.push(0);
        ping.answered.push(0);
      }
      ping.segment = command.segment;
      return {};
    case 'ping-stop': {
      for (const timer of ping.timers) clearTimeout(timer);
      ping.timers = [];
      await new Promise((r) => setTimeout(r, 1000));
      const result: PingResult = { segments: ping.histograms.map((h) => h.toJSON()), sent: ping.sent, answered: ping.answered };
      return result;
    }
    case 'logins':
      return Promise.all(
        command.bodies.map(async (body): Promise<LoginOutcome> => {
          const t0 = nowUs();
          try {
            const res = await fetch(command.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
            await res.arrayBuffer();
            return { status: res.status, ms: (nowUs() - t0) / 1000 };
          } catch {
            return { status: 0, ms: (nowUs() - t0) / 1000 };
          }
        }),
      );
    case 'autocannon': {
      const result = await autocannon(command.options as unknown as autocannon.Options);
      return {
        requests_per_sec: result.requests.average,
        latency: { p50_ms: result.latency.p50, p97_5_ms: result.latency.p97_5, p99_ms: result.latency.p99, max_ms: result.latency.max },
        total: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
      };
    }
  }
}

process.on('message', (message: Envelope) => {
  handle(message).then(
    (result) => process.send?.({ seq: message.seq, ok: true, result }),
    (err: unknown) => process.send?.({ seq: message.seq, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
