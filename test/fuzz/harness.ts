import fc from 'fast-check';
import { appendFileSync } from 'node:fs';
import { Pool } from 'pg';
import { createRoom, http, registerUser, TestUser } from '../helpers/http';
import type { WorldRefName } from './arbitraries';

/**
 * Shared machinery of the fuzz suites: settings from the environment, the world of real users,
 * rooms and messages requests point at, row counts read straight from PostgreSQL, the API error
 * shape check, and a runner that reports every failing route (not only the first).
 */

/** Base seed; each property derives its own from it and its name, so adding a route does not reshuffle the others. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261130);
/** Generated cases per property (per REST route, per WS frame type). */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 40);
/**
 * Discovery mode (`FUZZ_DISCOVER=1`): failures are collected instead of stopping each property at the
 * first one, printed at the end and appended as JSON lines to `FUZZ_DISCOVER_FILE` when set. The
 * test still fails when anything was found.
 */
export const DISCOVER = process.env.FUZZ_DISCOVER === '1';

if (!Number.isSafeInteger(FUZZ_SEED)) throw new Error(`FUZZ_SEED must be an integer, got ${process.env.FUZZ_SEED}`);
if (!Number.isSafeInteger(FUZZ_RUNS) || FUZZ_RUNS < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got ${process.env.FUZZ_RUNS}`);

/** A small stable hash, to derive one seed per property from FUZZ_SEED. */
export function seedFor(name: string): number {
  let h = FUZZ_SEED | 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  return h;
}

/** The real data fuzzed requests refer to: A owns a public and a private room, B is a member of the public one. */
export interface World {
  a: TestUser;
  b: TestUser;
  c: TestUser;
  /** Placeholder values (see arbitraries.ts `«name»`). */
  values: Record<WorldRefName, string>;
}

/** A 1×1 PNG. */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e5a0a20000000049454e44ae426082',
  'hex',
);

/**
 * Creates a fresh world through the public API: three users, A's public room (B a member) and
 * private room, a message of A, an upload of A, and a second session of A (one a request may
 * revoke without logging A out). @throws when any step fails.
 */
export async function buildWorld(api: string): Promise<World> {
  const [a, b, c] = await Promise.all([registerUser(api), registerUser(api), registerUser(api)]);
  const room = await createRoom(api, a, 'public');
  const priv = await createRoom(api, a, 'private');
  const joined = await http(api, 'POST', `/rooms/${room.id}/join`, { token: b.token });
  const message = await http(api, 'POST', `/rooms/${room.id}/messages`, { token: a.token, body: { content: 'hello @' + b.username } });
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'dot.png');
  const upload = await fetch(`${api}/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${a.token}` } });
  const second = await http(api, 'POST', '/auth/login', { body: { login: a.username, password: a.password } });
  const sessions = await http(api, 'GET', '/auth/sessions', { token: a.token });
  const other = sessions.body?.items?.find((s: { current?: boolean }) => !s.current);
  if (joined.status !== 200 || message.status !== 201 || upload.status !== 201 || second.status !== 200 || !other) {
    throw new Error(`world: join ${joined.status}, message ${message.status}, upload ${upload.status}, login ${second.status}, sessions ${JSON.stringify(sessions.body)}`);
  }
  const uploadBody = (await upload.json()) as { id: string };
  return {
    a,
    b,
    c,
    values: {
      room: room.id,
      private: priv.id,
      message: message.body.id,
      userA: a.id,
      userB: b.id,
      userC: c.id,
      usernameA: a.username,
      upload: uploadBody.id,
      session: other.id,
      password: a.password,
      refresh: a.refreshToken,
      token: a.token,
    },
  };
}

/** Row counts of the tables a refused request must not change. */
export interface Counts {
  users: number;
  rooms: number;
  messages: number;
}

/** Reads row counts directly from PostgreSQL (DATABASE_URL), bypassing the app. */
export class DbCounts {
  private readonly pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });

  /** One consistent snapshot of the three counts. */
  async read(): Promise<Counts> {
    const { rows } = await this.pool.query<{ users: string; rooms: string; messages: string }>(
      'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM rooms) AS rooms, (SELECT count(*) FROM messages) AS messages',
    );
    return { users: Number(rows[0].users), rooms: Number(rows[0].rooms), messages: Number(rows[0].messages) };
  }

  /** Ends the pool (after the suite). */
  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Describes how `after` differs from `before`, or null when equal. */
export function countsChanged(before: Counts, after: Counts): string | null {
  const diff = (['users', 'rooms', 'messages'] as const).filter((k) => before[k] !== after[k]).map((k) => `${k} ${before[k]} → ${after[k]}`);
  return diff.length ? diff.join(', ') : null;
}

/** What is wrong with an error response's body against API.md's error shape, or null when it conforms. */
export function errorShapeProblem(status: number, body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body is not a JSON object';
  const b = body as Record<string, unknown>;
  if (b.status_code !== status) return `status_code ${JSON.stringify(b.status_code)} ≠ ${status}`;
  if (typeof b.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(b.code)) return `code ${JSON.stringify(b.code)} is not UPPER_SNAKE`;
  if (typeof b.error !== 'string' || b.error.length === 0) return 'error is not a non-empty string';
  if (typeof b.request_id !== 'string' || b.request_id.length === 0) return 'request_id is not a non-empty string';
  if (b.details !== undefined) {
    if (!Array.isArray(b.details)) return 'details is not an array';
    if (!b.details.every((d) => typeof d === 'object' && d !== null && typeof d.field === 'string' && typeof d.problem === 'string')) return 'details are not {field, problem} pairs';
  }
  const extra = Object.keys(b).filter((k) => !['status_code', 'code', 'error', 'request_id', 'details'].includes(k));
  if (extra.length) return `unexpected keys ${extra.join(', ')}`;
  return null;
}

/** Shortens a text for a report, keeping both ends and saying how much was cut. */
export function clip(text: string, max = 600): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max / 2)}…[${text.length - max} chars cut]…${text.slice(-max / 2)}`;
}

/** JSON.stringify that never throws and shows control characters and lone surrogates escaped. */
export function show(value: unknown, max = 600): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch (err) {
    text = `<unserialisable: ${(err as Error).message}>`;
  }
  return clip(text, max);
}

/**
 * Makes fast-check print a generated case compactly: long strings and byte buffers are cut, so a
 * counterexample holding a 2 MB body stays readable. Returns the same object.
 */
export function compact<T extends object>(value: T): T {
  const replacer = (_key: string, v: unknown) => {
    if (typeof v === 'string' && v.length > 200) return clip(v, 200);
    const buf = v as { type?: unknown; data?: unknown };
    if (buf && buf.type === 'Buffer' && Array.isArray(buf.data)) return `<${buf.data.length} bytes>`;
    return v;
  };
  Object.defineProperty(value, fc.toStringMethod, { value: () => clip(JSON.stringify(value, replacer) ?? String(value), 1500), enumerable: false });
  return value;
}

/** A failed check: the one-line class of the problem (for grouping) and the full readable report. */
export interface Failure {
  property: string;
  kind: string;
  report: string;
}

/** Collects failures across properties; in discovery mode properties keep running after one. */
export class FailureLog {
  readonly failures: Failure[] = [];

  /** Records a failure; returns whether the property should throw now (strict mode). */
  add(f: Failure): boolean {
    this.failures.push(f);
    if (process.env.FUZZ_DISCOVER_FILE) appendFileSync(process.env.FUZZ_DISCOVER_FILE, JSON.stringify(f) + '\n');
    return !DISCOVER;
  }

  /** Discovery summary: failures grouped by property and kind, one example each. */
  summary(): string {
    const groups = new Map<string, { count: number; example: string }>();
    for (const f of this.failures) {
      const key = `${f.property} :: ${f.kind}`;
      const g = groups.get(key);
      if (g) g.count++;
      else groups.set(key, { count: 1, example: f.report });
    }
    return [...groups.entries()].map(([key, g]) => `### ${key} (${g.count}×)\n${g.example}`).join('\n\n');
  }
}

/**
 * Runs one property with the suite's seed and run count. In strict mode the counterexample is shrunk
 * (bounded in time) and fast-check's report, with our own readable description of the failing
 * request, is returned; in discovery mode every failing case is logged and the run continues.
 * @returns the failure report, or null when the property held.
 */
export async function runProperty<T>(name: string, arb: fc.Arbitrary<T>, check: (value: T) => Promise<Failure | null>, log: FailureLog, numRuns = FUZZ_RUNS): Promise<string | null> {
  const seed = seedFor(name);
  const property = fc.asyncProperty(arb, async (value) => {
    const failure = await check(value);
    if (failure && log.add(failure)) {
      // No stack: fast-check prints it after "Got error:", and ours would only point here.
      const err = new Error(`${failure.kind}\n${failure.report}`);
      err.stack = err.message;
      throw err;
    }
  });
  const started = Date.now();
  try {
    await fc.assert(property, { seed, numRuns, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: false, endOnFailure: DISCOVER, includeErrorInReport: true });
    return null;
  } catch (err) {
    return `── ${name} (FUZZ_SEED=${FUZZ_SEED}, property seed ${seed}) ──\n${(err as Error).message}`;
  } finally {
    // FUZZ_TIMING=<file>: one line per property with its wall time, to tune FUZZ_RUNS.
    if (process.env.FUZZ_TIMING) appendFileSync(process.env.FUZZ_TIMING, `${Date.now() - started} ms ${name}\n`);
  }
}
