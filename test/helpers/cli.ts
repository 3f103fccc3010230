import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_ENV } from './app';

const ROOT = resolve(__dirname, '..', '..');
/** package.json `bin`: the launcher that runs the compiled dist/ once built (the sources otherwise). */
export const CLI_BIN = join(ROOT, 'scripts', 'chat-server.js');

/** What a finished CLI process left behind. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Date.now() when the process exited. */
  exitedAt: number;
}

/** Options of {@link runCli}. */
export interface CliOptions {
  /** Added to the environment (the test environment, or only PATH with `cleanEnv`). */
  env?: Record<string, string>;
  /** Written to the process's stdin, which is then closed (empty by default). */
  stdin?: string;
  /** Working directory; a fresh empty one by default, so no stray .env or config.yaml is read. */
  cwd?: string;
  /** Start from PATH and `env` only, without the test environment. */
  cleanEnv?: boolean;
  /**
   * Run `src/cli/chat-server.ts` through ts-node (transpile only) instead of the `bin` launcher, for
   * suites that must test the sources as they are even when dist/ is an older build.
   */
  fromSource?: boolean;
}

/**
 * Runs `chat-server` as a real child process with the test environment (DATABASE_URL from the global
 * setup) plus `options.env`.
 * @returns its exit code and output once it has exited; rejects only when it cannot be spawned
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const entry = options.fromSource ? ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'src', 'cli', 'chat-server.ts')] : [CLI_BIN];
  const sourceEnv = options.fromSource ? { TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), NODE_PATH: join(ROOT, 'node_modules') } : {};
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'chat-cli-cwd-')),
      env: options.cleanEnv ? { PATH: process.env.PATH ?? '', ...sourceEnv, ...options.env } : { ...process.env, ...TEST_ENV, LOG_LEVEL: 'warn', ...sourceEnv, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolveRun({ code, stdout, stderr, exitedAt: Date.now() }));
    child.stdin.end(options.stdin ?? '');
  });
}
