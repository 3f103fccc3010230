import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_ENV } from './app';

/** A server started as its own process, exactly as `npm start` runs it (but from the TypeScript sources). */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  api: string;
  wsUrl: string;
  /** http://127.0.0.1:<port> (for /health). */
  origin: string;
  /** Everything the process printed. */
  output(): string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Sends SIGTERM unless the process has ended already, and resolves with its exit code (or signal name) once it has. */
  stop(): Promise<number | string>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

/**
 * Spawns `src/main.ts` (through ts-node, so no build is needed) on a free port against the run's
 * PostgreSQL and waits until `/health` answers.
 * @throws when the server does not become healthy within `timeoutMs`.
 */
export async function spawnServer(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ServerProcess> {
  const port = await freePort();
  const root = resolve(__dirname, '..', '..');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(root, 'src', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      ...TEST_ENV,
      LOG_LEVEL: 'warn',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'chat-proc-')),
      DATABASE_URL: process.env.DATABASE_URL ?? '',
      PORT: String(port),
      TS_NODE_PROJECT: join(root, 'tsconfig.json'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')));
  const api = `http://127.0.0.1:${port}/api/v1`;
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | string | undefined;
  void exited.then((c) => (exitCode = c));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`server exited (${exitCode}) before becoming healthy:\n${out}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  return { child, port, api, origin: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/api/v1/ws`, output: () => out, exited, stop };
}
