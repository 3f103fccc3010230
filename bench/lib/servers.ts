import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pinArgs } from './pinning';
import type { ServerKind } from './protocol';

/** Event-loop delay over a window, from the preloaded probe (eld-probe.ts). */
export interface EventLoopDelay {
  p50_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
}

/** A benchmarked server running as a child process. */
export interface ServerHandle {
  kind: ServerKind;
  label: string;
  pid: number;
  port: number;
  /** Where the load generator connects (WebSocket URL, or the Socket.IO base URL). */
  connectUrl: string;
  /** REST base of our server (`http://127.0.0.1:port/api/v1`). */
  apiBase: string;
  /** Our server's data directory (embedded PostgreSQL lives under it). */
  dataDir?: string;
  logFile: string;
  /** Event-loop delay since the last read; `reset` starts a new window. */
  readEld(reset: boolean): Promise<EventLoopDelay | null>;
  /** SIGTERM, then wait for the exit (SIGKILL after 20 s); returns the exit code. */
  stop(): Promise<number | null>;
}

/** Options of the REST peer: the database it reads (our server's). */
export interface RestPeerOptions {
  databaseUrl: string;
}

/** File name of each peer under bench/peers/ (compiled). */
const PEER_ENTRY: Record<Exclude<ServerKind, 'ours'>, string> = {
  raw: 'raw-ws.js',
  socketio: 'socketio.js',
  'raw-pg': 'raw-pg.js',
  'raw-rest': 'raw-rest.js',
};

/** How the table names each server. */
export const SERVER_LABEL: Record<ServerKind, string> = { ours: 'ours', raw: 'raw ws', socketio: 'socket.io', 'raw-pg': 'raw-pg', 'raw-rest': 'raw-rest' };

/** Options for our server. */
export interface OursOptions {
  entry: string;
  bcryptCost: number;
  cpuProfileDir?: string;
}

const running = new Set<ServerHandle>();

/** Stops every server this process started that is still running (watchdog, Ctrl-C). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** After a killed server, stops the embedded PostgreSQL it started (found through its pid file). */
function stopOrphanPostgres(clusterDir: string): void {
  try {
    const pid = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(clusterDir)) process.kill(pid, 'SIGINT');
  } catch {
    // Already gone.
  }
}

/** Last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts one of the three servers pinned to the server core, with the event-loop probe preloaded,
 * and waits until it is ready (our server: /health/ready answers 200, i.e. the database is up).
 */
export async function startServer(kind: ServerKind, benchDir: string, ours?: OursOptions, rest?: RestPeerOptions): Promise<ServerHandle> {
  const port = await freePort();
  const workDir = mkdtempSync(join(tmpdir(), `chat-bench-${kind}-`));
  // As root the embedded PostgreSQL runs as `postgres`, which must be able to enter the directory.
  chmodSync(workDir, 0o755);
  const logFile = join(workDir, 'server.log');
  const probe = join(benchDir, 'lib', 'eld-probe.js');
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  delete env.NODE_OPTIONS;
  // The same V8 heap flags for all three servers; the young generation as `npm start` sets it for ours.
  const nodeArgs = ['--max-old-space-size=4096', '--max-semi-space-size=32', '-r', probe];
  let entry: string;
  let dataDir: string | undefined;
  if (kind === 'ours') {
    if (!ours) throw new Error('our server needs its options');
    entry = ours.entry;
    dataDir = join(workDir, 'data');
    if (ours.cpuProfileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${ours.cpuProfileDir}`);
    Object.assign(env, {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      LOG_LEVEL: 'warn',
      BCRYPT_COST: String(ours.bcryptCost),
      ACCESS_TOKEN_TTL_SECONDS: '86400',
      RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      WS_MESSAGES_PER_SECOND: '100000',
      WS_MESSAGES_BURST: '1000000',
      WS_MAX_CONNECTIONS_PER_USER: '1000',
      // The generator opens thousands of sockets from a few loopback addresses; the per-IP and
      // failed-auth limits are for hostile clients, not for this load.
      WS_MAX_CONNECTIONS_PER_IP: '100000',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '1000000',
      RATE_LIMIT_REFRESH_PER_MINUTE: '1000000',
      // The peers buffer without limit; do not let the slow-consumer guard cut the generator off.
      WS_MAX_BUFFERED_BYTES: String(256 * 1024 * 1024),
      ALLOWED_ORIGINS: `http://127.0.0.1:${port}`,
    });
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
  } else {
    entry = join(benchDir, 'peers', PEER_ENTRY[kind]);
    // raw-pg keeps its own embedded PostgreSQL (a child process, measured like ours) under DATA_DIR.
    if (kind === 'raw-pg') env.DATA_DIR = dataDir = join(workDir, 'data');
    if (kind === 'raw-rest') {
      if (!rest) throw new Error('the REST peer needs a database URL');
      env.DATABASE_URL = rest.databaseUrl;
    }
  }
  const fd = openSync(logFile, 'a');
  const [command, args] = pinArgs('server', [process.execPath, ...nodeArgs, entry]);
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', fd, fd, 'ipc'], env, cwd: process.cwd() });
  closeSync(fd);
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exited = code))));

  const label = SERVER_LABEL[kind];
  const apiBase = `http://127.0.0.1:${port}/api/v1`;
  // Ours and raw-pg start (and migrate) a PostgreSQL first; the peer listens only once it is ready.
  const deadline = Date.now() + (kind === 'ours' || kind === 'raw-pg' ? 180_000 : 20_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`${label} server exited with ${exited} during start-up:\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} server was not ready in time:\n${tail(logFile)}`);
    }
    const ready = kind === 'ours' ? await httpOk(`http://127.0.0.1:${port}/health/ready`) : await tcpOpen(port);
    if (ready) break;
    await sleep(200);
  }

  let eldWaiter: ((value: EventLoopDelay | null) => void) | undefined;
  child.on('message', (message: { benchProbe?: string } & EventLoopDelay) => {
    if (message?.benchProbe === 'eld' && eldWaiter) {
      eldWaiter({ p50_ms: message.p50_ms, p99_ms: message.p99_ms, max_ms: message.max_ms });
      eldWaiter = undefined;
    }
  });

  const handle: ServerHandle = {
    kind,
    label,
    pid: child.pid!,
    port,
    connectUrl: kind === 'ours' ? `ws://127.0.0.1:${port}/api/v1/ws` : kind === 'socketio' ? `http://127.0.0.1:${port}` : `ws://127.0.0.1:${port}/`,
    apiBase,
    dataDir,
    logFile,
    readEld(reset: boolean): Promise<EventLoopDelay | null> {
      if (exited !== undefined || !child.connected) return Promise.resolve(null);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(null), 2000);
        eldWaiter = (value) => {
          clearTimeout(timer);
          resolve(value);
        };
        child.send({ benchProbe: 'read', reset });
      });
    },
    async stop(): Promise<number | null> {
      running.delete(handle);
      if (exited === undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (exited === undefined) child.kill('SIGKILL');
      }, 20_000);
      const code = await exit;
      clearTimeout(timer);
      if (code !== 0 && dataDir) stopOrphanPostgres(join(dataDir, 'pg'));
      try {
        if (kind !== 'ours' || code === 0) rmSync(workDir, { recursive: true, force: true });
      } catch {
        // Leave it for inspection.
      }
      return code;
    },
  };
  running.add(handle);
  return handle;
}
