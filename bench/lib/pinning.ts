import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

let available: boolean | undefined;
let disabled = false;

/** Turns CPU pinning off (the --no-pin flag). */
export function disablePinning(): void {
  disabled = true;
}

/** True when taskset exists and there are at least two cores to split between server and generator. */
export function pinningAvailable(): boolean {
  if (disabled) return false;
  if (available === undefined) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      available = cpus().length >= 2;
    } catch {
      available = false;
    }
  }
  return available;
}

/**
 * The cores each side gets: the server (and the PostgreSQL it starts, which inherits its affinity)
 * on core 0, the load generators and the runner on the last core, so they never compete for one.
 */
export function coreOf(role: 'server' | 'generator'): string {
  const n = cpus().length;
  if (role === 'server') return n > 2 ? `0-${Math.floor(n / 2) - 1}` : '0';
  return n > 2 ? `${Math.floor(n / 2)}-${n - 1}` : String(n - 1);
}

/** Wraps a command line in `taskset -c <cores>` when pinning is available. */
export function pinArgs(role: 'server' | 'generator', argv: string[]): [string, string[]] {
  if (!pinningAvailable()) return [argv[0], argv.slice(1)];
  return ['taskset', ['-c', coreOf(role), ...argv]];
}

/** Moves this (runner) process, all its threads, to the generator side. */
export function pinSelf(): void {
  if (!pinningAvailable()) return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', coreOf('generator'), String(process.pid)], { stdio: 'ignore' });
  } catch {
    // Not fatal: the figures say whether pinning was on.
  }
}
