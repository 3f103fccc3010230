/**
 * Login burst benchmark: does password hashing stall the event loop for other users?
 *
 * A WebSocket client sends an application `ping` frame every PING_INTERVAL_MS and measures the round
 * trip to its `pong`. We record those round trips for a quiet period (baseline), then while
 * CONCURRENT_LOGINS logins run at once (each one a bcrypt comparison at BCRYPT_COST), and print the
 * p50/p99/max of both, plus how long the burst took.
 *
 * Usage (after `npm run build`):
 *   npx ts-node --transpile-only bench/login-burst.ts                 # starts dist/src/main.js itself
 *   npx ts-node --transpile-only bench/login-burst.ts --url http://127.0.0.1:3000   # an already running server
 * Options: --logins 50 --cost 12 --dist dist (where the build lives) --rounds 3.
 * The spawned server gets a fresh DATA_DIR in /tmp, BCRYPT_COST=--cost and rate limits high enough
 * not to interfere. Not a jest test: it prints figures and never asserts on timing.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';

const PING_INTERVAL_MS = 20;
const BASELINE_MS = 3000;
const PASSWORD = 'bench-password-that-is-long';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1).padStart(7);
  return `n=${String(s.length).padStart(4)}  p50=${f(percentile(s, 50))} ms  p99=${f(percentile(s, 99))} ms  max=${f(s[s.length - 1] ?? NaN)} ms`;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolvePort(port));
    });
  });
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

async function waitForHealth(base: string, server: ChildProcess | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server && server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('server did not become healthy within 60 s');
}

/** A WebSocket client pinging at a fixed interval and recording round trips with their send times. */
class Pinger {
  private ws: WebSocket;
  private timer: NodeJS.Timeout | undefined;
  private pending = new Map<string, number>();
  private next = 0;
  readonly samples: { sentAt: number; rttMs: number }[] = [];

  constructor(url: string, token: string) {
    this.ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    this.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id?: string };
      if (frame.type !== 'pong' || frame.id === undefined) return;
      const sentAt = this.pending.get(frame.id);
      if (sentAt === undefined) return;
      this.pending.delete(frame.id);
      this.samples.push({ sentAt, rttMs: performance.now() - sentAt });
    });
  }

  async ready(): Promise<void> {
    await new Promise<void>((resolveReady, reject) => {
      this.ws.once('error', reject);
      this.ws.on('message', (data) => {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'auth_ok') resolveReady();
      });
    });
  }

  start(): void {
    this.timer = setInterval(() => {
      const id = `p${this.next++}`;
      this.pending.set(id, performance.now());
      this.ws.send(JSON.stringify({ type: 'ping', id }));
    }, PING_INTERVAL_MS);
  }

  /** Round trips of pings sent in [from, to). */
  between(from: number, to: number): number[] {
    return this.samples.filter((s) => s.sentAt >= from && s.sentAt < to).map((s) => s.rttMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.ws.close();
  }
}

async function main(): Promise<void> {
  const logins = Number(arg('logins', '50'));
  const cost = arg('cost', '12');
  const rounds = Number(arg('rounds', '3'));
  let base = arg('url', '');
  let server: ChildProcess | undefined;
  let dataDir: string | undefined;

  if (!base) {
    const port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), 'login-burst-'));
    const dist = resolve(arg('dist', 'dist'));
    server = spawn(process.execPath, [join(dist, 'src', 'main.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        BCRYPT_COST: cost,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
        RATE_LIMIT_PER_MINUTE: '1000000',
        WS_MESSAGES_PER_SECOND: '100000',
        WS_MESSAGES_BURST: '100000',
        WS_MAX_CONNECTIONS_PER_IP: '100000',
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '1000000',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    base = `http://127.0.0.1:${port}`;
  }

  try {
    await waitForHealth(base, server);
    const suffix = Date.now().toString(36);
    const loginUser = `burst_${suffix}`;
    const pingUser = `pinger_${suffix}`;
    const reg = await post(base, '/auth/register', { username: loginUser, email: `${loginUser}@bench.test`, password: PASSWORD });
    const regPinger = await post(base, '/auth/register', { username: pingUser, email: `${pingUser}@bench.test`, password: PASSWORD });
    if (reg.status !== 201 || regPinger.status !== 201) throw new Error(`register failed: ${reg.status} ${regPinger.status}`);

    const wsUrl = base.replace(/^http/, 'ws') + '/api/v1/ws';
    const pinger = new Pinger(wsUrl, regPinger.json.access_token as string);
    await pinger.ready();
    pinger.start();

    console.log(`login burst: ${logins} concurrent logins, BCRYPT_COST=${cost}, ping every ${PING_INTERVAL_MS} ms, server ${base}`);
    for (let round = 1; round <= rounds; round++) {
      const quietFrom = performance.now();
      await new Promise((r) => setTimeout(r, BASELINE_MS));
      const burstFrom = performance.now();
      const results = await Promise.all(
        Array.from({ length: logins }, async () => {
          const started = performance.now();
          const res = await post(base, '/auth/login', { login: loginUser, password: PASSWORD });
          return { status: res.status, ms: performance.now() - started };
        }),
      );
      const burstTo = performance.now();
      const failed = results.filter((r) => r.status !== 200).length;
      console.log(`round ${round}`);
      console.log(`  ping before : ${summary(pinger.between(quietFrom, burstFrom))}`);
      console.log(`  ping during : ${summary(pinger.between(burstFrom, burstTo))}`);
      console.log(`  logins      : ${summary(results.map((r) => r.ms))}  burst took ${(burstTo - burstFrom).toFixed(0)} ms${failed ? `, ${failed} failed` : ''}`);
    }
    // Let the last pongs arrive before closing.
    await new Promise((r) => setTimeout(r, 200));
    pinger.stop();
  } finally {
    if (server) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
