/**
 * `npm run bench [-- --quick] [-- --only fanout,connections] [-- --servers ours,raw,socketio]`
 *
 * Runs every scenario against our server and the peers (a raw `ws` relay, a Socket.IO chat, a raw
 * `ws` + PostgreSQL store and a plain Fastify + `pg` REST server) over loopback with the same load
 * generator, prints a table of our figures beside the peers' with the ratios, and writes the raw figures to bench/results/<date>-<scenario>.json. Quick mode runs
 * each step for a couple of seconds; it is what CI runs, and it exits 0 even when a scenario fails
 * (the failure is printed), because it checks that the suite still runs, not how fast.
 *
 * Other flags: --no-build (use dist/ as it is), --server <path to main.js>, --generators <n>,
 * --no-pin, --bcrypt-cost <n> (default 10), --connections <n>, --profile (our server runs with
 * --cpu-prof; the .cpuprofile lands in bench/results/), --rest-messages <n> (the REST scenario's
 * backlog, default 100,000 over 10 rooms: run it again with 1,000,000 to see the reads stay flat).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchUser, createRoom, registerUsers } from './lib/api';
import { GeneratorPool } from './lib/gen-pool';
import { BenchContext } from './lib/load';
import { disablePinning, pinningAvailable, pinSelf, coreOf } from './lib/pinning';
import { loadAverage, machineInfo } from './lib/proc-stats';
import type { ServerKind } from './lib/protocol';
import { renderTable, Row } from './lib/report';
import { embeddedDatabaseUrl } from './lib/seed';
import { startServer, ServerHandle, stopAllServers, tail } from './lib/servers';
import { connectionsScenario, ConnectionsResult } from './scenarios/connections';
import { fanoutScenario, FanoutResult, FanoutShape } from './scenarios/fanout';
import { loginBurstScenario, LoginBurstResult } from './scenarios/login-burst';
import { archiveSize, PersistenceResult, PersistenceRun, persistenceScenario } from './scenarios/persistence';
import { restScenario, RestResult } from './scenarios/rest';

type ScenarioName = 'connections' | 'fanout' | 'persistence' | 'rest' | 'login-burst';
const ALL_SCENARIOS: ScenarioName[] = ['connections', 'fanout', 'persistence', 'rest', 'login-burst'];
/** What each peer runs (raw-rest runs inside our REST scenario, on our database). */
const PEER_SCENARIOS: Record<Exclude<ServerKind, 'ours' | 'raw-rest'>, ScenarioName[]> = {
  raw: ['connections', 'fanout'],
  socketio: ['connections', 'fanout'],
  'raw-pg': ['fanout', 'persistence'],
};

interface Options {
  quick: boolean;
  build: boolean;
  serverEntry: string;
  generators: number;
  bcryptCost: number;
  connections: number;
  /** Messages seeded for the REST scenario, over 10 rooms all unread by the reader. */
  restMessages: number;
  profile: boolean;
  only: ScenarioName[];
  servers: ServerKind[];
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  if (argv.includes('--no-pin')) disablePinning();
  return {
    quick,
    build: !argv.includes('--no-build'),
    serverEntry: value('--server') ?? join(process.cwd(), 'dist', 'src', 'main.js'),
    generators: Number(value('--generators') ?? 2),
    bcryptCost: Number(value('--bcrypt-cost') ?? 10),
    connections: Number(value('--connections') ?? (quick ? 2000 : 10_000)),
    restMessages: Number(value('--rest-messages') ?? 100_000),
    profile: argv.includes('--profile'),
    only: (value('--only')?.split(',') as ScenarioName[] | undefined) ?? ALL_SCENARIOS,
    servers: (value('--servers')?.split(',') as ServerKind[] | undefined) ?? ['raw', 'socketio', 'raw-pg', 'ours', 'raw-rest'],
  };
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

/** Newest modification time of any file under a directory, ms. */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the server unless dist/ is newer than every source file. */
function buildIfNeeded(entry: string): void {
  const sourcesMtime = Math.max(newestMtime(join(process.cwd(), 'src')), newestMtime(join(process.cwd(), 'migrations')));
  if (existsSync(entry) && statSync(entry).mtimeMs > sourcesMtime) {
    log('server build is up to date');
    return;
  }
  log('building the server (npm run build)');
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
}

/** Per server, per scenario: the result or the error that stopped it. */
type Outcome<T> = { ok: true; result: T } | { ok: false; error: string };
type Results = Partial<Record<ScenarioName, Partial<Record<ServerKind, Outcome<unknown>>>>>;

async function attempt<T>(results: Results, scenario: ScenarioName, kind: ServerKind, run: () => Promise<T>): Promise<T | undefined> {
  log(`${kind}: ${scenario}`);
  const slot = (results[scenario] ??= {});
  let timer: NodeJS.Timeout | undefined;
  try {
    // A scenario that hangs must not hang the suite: it is recorded as failed and the next one runs.
    const limitMs = scenarioLimitMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${limitMs / 1000} s`)), limitMs);
    });
    const result = await Promise.race([run(), timeout]);
    slot[kind] = { ok: true, result };
    return result;
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`  ${kind} ${scenario} FAILED: ${message}`);
    slot[kind] = { ok: false, error: message };
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

let scenarioLimitMs = 900_000;

function fanoutShape(quick: boolean): FanoutShape {
  return quick ? { rooms: 4, usersPerRoom: 5, devicesPerUser: 4 } : { rooms: 10, usersPerRoom: 5, devicesPerUser: 10 };
}

async function runPeer(kind: keyof typeof PEER_SCENARIOS, opts: Options, gens: GeneratorPool, results: Results): Promise<void> {
  const scenarios = PEER_SCENARIOS[kind].filter((x) => opts.only.includes(x));
  if (scenarios.length === 0) return;
  let server: ServerHandle;
  try {
    server = await startServer(kind, __dirname);
  } catch (err) {
    for (const s of scenarios) (results[s] ??= {})[kind] = { ok: false, error: String(err) };
    log(`${kind}: could not start: ${String(err)}`);
    return;
  }
  const ctx: BenchContext = { quick: opts.quick, server, gens, log };
  try {
    if (scenarios.includes('connections')) {
      await attempt(results, 'connections', kind, () => connectionsScenario(ctx, opts.connections, (i) => ({ rooms: [`idle-${i % 100}`] })));
    }
    if (scenarios.includes('fanout')) {
      const shape = fanoutShape(opts.quick);
      await attempt(results, 'fanout', kind, () => fanoutScenario(ctx, shape, { roomIds: Array.from({ length: shape.rooms }, (_, r) => `room-${r}`) }));
    }
    if (scenarios.includes('persistence')) await attempt(results, 'persistence', kind, () => persistenceScenario(ctx, randomBytes(3).toString('hex')));
  } finally {
    const code = await server.stop();
    if (code !== 0) log(`${kind}: exited with ${code}\n${tail(server.logFile)}`);
  }
}

async function runOurs(opts: Options, gens: GeneratorPool, results: Results, resultsDir: string): Promise<void> {
  const ours = opts.servers.includes('ours') ? opts.only : [];
  if (ours.length === 0) return;
  let server: ServerHandle;
  try {
    server = await startServer('ours', __dirname, { entry: opts.serverEntry, bcryptCost: opts.bcryptCost, cpuProfileDir: opts.profile ? resultsDir : undefined });
  } catch (err) {
    for (const s of ours) (results[s] ??= {}).ours = { ok: false, error: err instanceof Error ? err.message : String(err) };
    log(`ours: could not build or start: ${String(err)}`);
    return;
  }
  const ctx: BenchContext = { quick: opts.quick, server, gens, log };
  const runId = randomBytes(3).toString('hex');
  try {
    const shape = fanoutShape(opts.quick);
    const perUser = 500;
    const userCount = Math.max(shape.rooms * shape.usersPerRoom, Math.ceil(opts.connections / perUser));
    log(`ours: registering ${userCount} users (bcrypt cost ${opts.bcryptCost}) and ${shape.rooms} rooms`);
    const started = Date.now();
    let users: BenchUser[];
    const roomIds: string[] = [];
    const tokens: string[][] = [];
    try {
      users = await registerUsers(server.apiBase, `b${runId}_`, userCount);
      for (let r = 0; r < shape.rooms; r++) {
        const members = users.slice(r * shape.usersPerRoom, (r + 1) * shape.usersPerRoom);
        roomIds.push(await createRoom(server.apiBase, members[0], `fanout-${runId}-${r}`, members));
        tokens.push(members.map((m) => m.token));
      }
    } catch (err) {
      for (const s of ours) (results[s] ??= {}).ours = { ok: false, error: `setup failed: ${String(err)}` };
      log(`ours: setup failed: ${String(err)}`);
      return;
    }
    log(`ours: setup took ${Date.now() - started} ms`);

    if (ours.includes('connections')) {
      const connUsers = users.slice(0, Math.ceil(opts.connections / perUser));
      await attempt(results, 'connections', 'ours', () => connectionsScenario(ctx, opts.connections, (i) => ({ token: connUsers[i % connUsers.length].token, rooms: [] })));
    }
    if (ours.includes('fanout')) await attempt(results, 'fanout', 'ours', () => fanoutScenario(ctx, shape, { roomIds, tokens }));
    if (ours.includes('persistence')) await attempt(results, 'persistence', 'ours', () => persistenceScenario(ctx, runId, users));
    const restPeer = opts.servers.includes('raw-rest')
      ? () => startServer('raw-rest', __dirname, undefined, { databaseUrl: embeddedDatabaseUrl(server.dataDir!) })
      : undefined;
    if (ours.includes('rest')) await attempt(results, 'rest', 'ours', () => restScenario(ctx, users[0], users[1], runId, opts.restMessages, restPeer));
    if (ours.includes('login-burst')) {
      await attempt(results, 'login-burst', 'ours', () => loginBurstScenario(ctx, users, opts.quick ? 50 : 100, opts.bcryptCost));
    }
  } finally {
    const code = await server.stop();
    if (code !== 0) log(`ours: exited with ${code}\n${tail(server.logFile)}`);
  }
}

function ok<T>(results: Results, scenario: ScenarioName, kind: ServerKind): T | null {
  const outcome = results[scenario]?.[kind];
  return outcome?.ok ? (outcome.result as T) : null;
}

/** The summary table: our figures beside the peers', with the issue's targets. */
function summaryRows(results: Results, opts: Options): Row[] {
  const rows: Row[] = [];
  const f = (k: ServerKind): FanoutResult | null => ok<FanoutResult>(results, 'fanout', k);
  const fo = { ours: f('ours'), raw: f('raw'), socketio: f('socketio'), 'raw-pg': f('raw-pg') };
  if (results.fanout) {
    const shape = fo.ours?.shape ?? fo.raw?.shape;
    const section = `fan-out ${shape ? `${shape.rooms}×${shape.members_per_room}` : ''}`;
    const best = (k: keyof typeof fo) => fo[k]?.ramp.best ?? null;
    const ceil = best('raw')?.delivered_per_sec ?? null;
    const sio = best('socketio')?.delivered_per_sec ?? null;
    const mine = best('ours')?.delivered_per_sec ?? null;
    rows.push({
      section,
      metric: 'max delivered msg/s, p99≤100ms',
      ours: mine,
      raw: ceil,
      socketio: sio,
      db: best('raw-pg')?.delivered_per_sec ?? null,
      target: '≥0.7× raw, > sio',
      met: mine !== null && ceil !== null && sio !== null ? mine >= 0.7 * ceil && mine > sio : undefined,
    });
    const pick = (metric: string, get: (r: NonNullable<ReturnType<typeof best>>) => number | null) =>
      rows.push({
        section,
        metric,
        ours: best('ours') ? get(best('ours')!) : null,
        raw: best('raw') ? get(best('raw')!) : null,
        socketio: best('socketio') ? get(best('socketio')!) : null,
        db: best('raw-pg') ? get(best('raw-pg')!) : null,
      });
    pick('  sends/s at that rate', (r) => r.send_rate);
    pick('  p99 latency ms', (r) => r.latency.p99_ms);
    pick('  server CPU % (node)', (r) => r.server.cpu_pct);
    pick('  postgres CPU %', (r) => r.server.children?.cpu_pct ?? null);
    pick('  server RSS MiB', (r) => r.server.rss_mib);
    pick('  event-loop delay p99 ms', (r) => r.event_loop_delay?.p99_ms ?? null);
    pick('  generator CPU % (1 core)', (r) => r.generator_cpu_pct);
    // CPU per message is what a busy machine distorts least: it says what one send costs the server.
    pick('  server CPU ms per send (incl. pg)', (r) => ((r.server.cpu_pct + (r.server.children?.cpu_pct ?? 0)) * 10) / Math.max(0.001, r.acked_per_sec));
    const half = (k: keyof typeof fo) => fo[k]?.half_load ?? null;
    const hp = (metric: string, get: (r: NonNullable<ReturnType<typeof half>>) => number | null, target?: string, met?: (v: number) => boolean) => {
      const o = half('ours') ? get(half('ours')!) : null;
      rows.push({
        section: 'half load',
        metric,
        ours: o,
        raw: half('raw') ? get(half('raw')!) : null,
        socketio: half('socketio') ? get(half('socketio')!) : null,
        target,
        met: target && o !== null && met ? met(o) : undefined,
      });
    };
    hp('delivered msg/s', (r) => r.delivered_per_sec);
    hp('p50 latency ms', (r) => r.latency.p50_ms, '≤ 5', (v) => v <= 5);
    hp('p95 latency ms', (r) => r.latency.p95_ms);
    hp('p99 latency ms', (r) => r.latency.p99_ms, '≤ 50', (v) => v <= 50);
    hp('server CPU % (node)', (r) => r.server.cpu_pct);
    hp('event-loop delay p99 ms', (r) => r.event_loop_delay?.p99_ms ?? null);
  }
  if (results.connections) {
    const c = (k: ServerKind) => ok<ConnectionsResult>(results, 'connections', k);
    const cr = { ours: c('ours'), raw: c('raw'), socketio: c('socketio') };
    const cp = (metric: string, get: (r: ConnectionsResult) => number, target?: string, met?: (v: number) => boolean) => {
      const o = cr.ours ? get(cr.ours) : null;
      rows.push({
        section: `connections (${opts.connections})`,
        metric,
        ours: o,
        raw: cr.raw ? get(cr.raw) : null,
        socketio: cr.socketio ? get(cr.socketio) : null,
        target,
        met: target && o !== null && met ? met(o) : undefined,
      });
    };
    cp('held idle', (r) => r.still_open_after_hold, '10,000', (v) => v >= 10_000);
    cp('handshake(+auth)/s', (r) => r.handshakes_per_sec);
    cp('handshake p99 ms', (r) => r.handshake_latency.p99_ms);
    cp('RSS per connection KiB', (r) => r.rss_per_connection_kib, '≤ 20', (v) => v <= 20);
    cp('server RSS MiB (held)', (r) => r.rss_after_mib);
  }
  const only = (section: string, metric: string, ours: number | null, target?: string, met?: boolean, db?: number | null): void => {
    rows.push({ section, metric, ours, raw: null, socketio: null, db, target, met });
  };
  const p = ok<PersistenceResult>(results, 'persistence', 'ours');
  const pp = ok<PersistenceResult>(results, 'persistence', 'raw-pg');
  if (results.persistence) {
    // One block per database size; the seeded one carries the issue's targets (and the flatness rule).
    const block = (section: string, run: (x: PersistenceResult) => PersistenceRun | null, seeded: boolean) => {
      const mine = p ? run(p) : null;
      const peer = pp ? run(pp) : null;
      const best = mine?.ramp.best ?? null;
      const peerBest = peer?.ramp.best ?? null;
      const fail = mine?.ramp.firstFailure ?? null;
      const stored = mine?.max_stored_per_sec ?? null;
      const peerStored = peer?.max_stored_per_sec ?? null;
      const emptyStored = p?.empty.max_stored_per_sec ?? null;
      const row = (metric: string, get: (b: NonNullable<typeof best>) => number | null, target?: string, met?: boolean) =>
        only(section, metric, best ? get(best) : null, target, met, peerBest ? get(peerBest) : null);
      only(
        section,
        'stored msg/s, ack p99≤50ms',
        stored,
        seeded ? '≥ 10,000, ≥ 0.7× db' : '≥ 10,000',
        mine ? (stored ?? 0) >= 10_000 && (!seeded || (peerStored !== null && (stored ?? 0) >= 0.7 * peerStored)) : undefined,
        peerStored,
      );
      if (seeded) {
        only(section, '  ÷ ours on the empty db', stored !== null && emptyStored ? stored / emptyStored : null, '≥ 0.8', stored !== null && emptyStored ? stored >= 0.8 * emptyStored : undefined);
      }
      row('  ack p50 ms', (b) => b.ack_latency.p50_ms);
      row('  ack p99 ms', (b) => b.ack_latency.p99_ms, '≤ 50', best ? best.ack_latency.p99_ms <= 50 : undefined);
      row('  server CPU % (node)', (b) => b.server.cpu_pct);
      row('  postgres CPU %', (b) => b.server.children?.cpu_pct ?? null);
      // CPU per stored message is what a busy machine distorts least.
      const perMsg = (b: NonNullable<typeof best>, pct: number | undefined): number | null => (pct !== undefined && b.acked_per_sec > 0 ? (pct * 10) / b.acked_per_sec : null);
      row('  node CPU ms per stored msg', (b) => perMsg(b, b.server.cpu_pct));
      row('  postgres CPU ms per stored msg', (b) => perMsg(b, b.server.children?.cpu_pct));
      only(section, '  next step: acked msg/s', fail?.acked_per_sec ?? null, undefined, undefined, peer?.ramp.firstFailure?.acked_per_sec ?? null);
      only(section, '  next step: ack p99 ms', fail?.ack_latency.p99_ms ?? null, undefined, undefined, peer?.ramp.firstFailure?.ack_latency.p99_ms ?? null);
    };
    block('persistence (empty db)', (x) => x.empty, false);
    const seededCount = p?.seed?.messages ?? pp?.seed?.messages ?? archiveSize(opts.quick);
    block(`persistence (${seededCount.toLocaleString('en-US')} msgs${opts.quick ? ', quick' : ''})`, (x) => x.seeded, true);
  }
  const r = ok<RestResult>(results, 'rest', 'ours');
  if (results.rest) {
    const section = `REST (${(r?.seed.messages ?? opts.restMessages).toLocaleString('en-US')} msgs)`;
    const rr = r?.peer ?? null;
    const hist = r ? r.history.requests_per_sec : null;
    const me = r ? r.rooms_me.requests_per_sec : null;
    only(section, 'history page req/s', hist, '≥ 3,000, ≥ 0.6× db', r ? (hist ?? 0) >= 3000 && rr !== null && (hist ?? 0) >= 0.6 * rr.history.requests_per_sec : undefined, rr?.history.requests_per_sec ?? null);
    only(section, '  history p50 ms', r?.history.latency.p50_ms ?? null, undefined, undefined, rr?.history.latency.p50_ms ?? null);
    only(section, '  history p99 ms', r?.history.latency.p99_ms ?? null, '≤ 50', r ? r.history.latency.p99_ms <= 50 : undefined, rr?.history.latency.p99_ms ?? null);
    only(section, 'rooms/me req/s', me, '≥ 1,000', r ? (me ?? 0) >= 1000 : undefined, rr?.rooms_me.requests_per_sec ?? null);
    only(section, '  rooms/me p50 ms', r?.rooms_me.latency.p50_ms ?? null, undefined, undefined, rr?.rooms_me.latency.p50_ms ?? null);
    only(section, '  rooms/me p99 ms', r?.rooms_me.latency.p99_ms ?? null, '≤ 50', r ? r.rooms_me.latency.p99_ms <= 50 : undefined, rr?.rooms_me.latency.p99_ms ?? null);
    only(section, '  server CPU % (history)', r?.history.server.cpu_pct ?? null, undefined, undefined, rr?.history.server.cpu_pct ?? null);
    only(section, '  postgres CPU % (history)', r?.history.server.children?.cpu_pct ?? null);
  }
  const l = ok<LoginBurstResult>(results, 'login-burst', 'ours');
  if (results['login-burst']) {
    const section = `login burst (50, bcrypt ${opts.bcryptCost})`;
    only(section, 'ping p99 ms before', l?.ping_before.p99_ms ?? null);
    only(section, 'ping p99 ms during', l?.ping_during.p99_ms ?? null, '≤ 50', l ? l.ping_during.p99_ms <= 50 : undefined);
    only(section, 'login p50 ms', l?.login_latency.p50_ms ?? null);
    only(section, 'login p99 ms', l?.login_latency.p99_ms ?? null);
    only(section, 'burst duration ms', l?.burst_ms ?? null);
    only(section, 'event-loop delay p99 ms during', l?.during_event_loop_delay?.p99_ms ?? null);
  }
  return rows;
}

/** Writes the result files and prints the table; returns the failed scenarios. */
function report(results: Results, opts: Options, meta: Record<string, unknown>, startedAt: Date, resultsDir: string): string[] {
  const rows = summaryRows(results, opts);
  const table = renderTable(rows);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  const fullMeta = { ...meta, finished_at: new Date().toISOString(), load_average_at_end: loadAverage() };
  for (const [scenario, servers] of Object.entries(results)) {
    writeFileSync(join(resultsDir, `${stamp}-${scenario}.json`), JSON.stringify({ scenario, ...fullMeta, servers }, null, 2) + '\n');
  }
  writeFileSync(join(resultsDir, `${stamp}-summary.json`), JSON.stringify({ ...fullMeta, rows, table }, null, 2) + '\n');
  const failures = Object.entries(results).flatMap(([scenario, servers]) =>
    Object.entries(servers ?? {})
      .filter(([, o]) => o && !o.ok)
      .map(([kind, o]) => `${scenario}/${kind}: ${(o as { error: string }).error.split('\n')[0]}`),
  );
  process.stdout.write(`\n${table}\n\ndb peer: raw-pg (raw ws + PostgreSQL, group commit) in the fan-out and persistence rows, raw-rest (Fastify + pg, our SQL) in the REST rows.\n`);
  const saturated = rows.filter((r) => r.metric.includes('generator CPU') && [r.ours, r.raw, r.socketio].some((v) => (v ?? 0) >= 90));
  if (saturated.length > 0) process.stdout.write('note: the load generator used ≥ 90% of its core at a best step; that figure may be the generator\'s limit, not the server\'s.\n');
  process.stdout.write(`load average at start ${JSON.stringify(meta.load_average_at_start)}, at end ${JSON.stringify(fullMeta.load_average_at_end)} (${String((meta.machine as { nproc: number }).nproc)} cores)\n`);
  process.stdout.write(`raw figures: bench/results/${stamp}-*.json\n`);
  if (failures.length > 0) process.stdout.write(`\nfailed scenarios:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  return failures;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  // Quick: persistence runs two ramps around a seed, so it needs more than the other scenarios' ~1 min.
  scenarioLimitMs = opts.quick ? 180_000 : 900_000;
  const resultsDir = join(process.cwd(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  pinSelf();
  const machine = machineInfo();
  const pinning = pinningAvailable() ? { server: coreOf('server'), generator: coreOf('generator') } : null;
  log(
    `chat benchmark, ${opts.quick ? 'quick' : 'full'} mode, ${machine.nproc} × ${machine.cpu_model}, ${machine.memory_gib} GiB, node ${machine.node}; ` +
      (pinning ? `server on core ${pinning.server}, generators on core ${pinning.generator}` : 'no CPU pinning'),
  );
  const load = loadAverage();
  if (load.length > 0 && load[0] > machine.nproc * 0.75) {
    log(`warning: load average ${load.join(' ')} on ${machine.nproc} cores: other processes compete with the benchmark and distort its figures`);
  }
  const startedAt = new Date();
  const meta = {
    mode: opts.quick ? 'quick' : 'full',
    started_at: startedAt.toISOString(),
    load_average_at_start: load,
    machine,
    pinning,
    generators: opts.generators,
    bcrypt_cost: opts.bcryptCost,
  };
  const results: Results = {};
  const gens = new GeneratorPool(opts.generators);

  // Last resort: whatever hangs, stop the servers we started, print what we have and leave.
  const watchdog = setTimeout(
    () => {
      log('benchmark watchdog: the run took too long; stopping it and reporting what was measured');
      gens.stop();
      void stopAllServers().finally(() => {
        report(results, opts, { ...meta, aborted: 'watchdog' }, startedAt, resultsDir);
        process.exit(opts.quick ? 0 : 1);
      });
    },
    opts.quick ? 12 * 60_000 : 90 * 60_000,
  );
  watchdog.unref();
  process.once('SIGINT', () => {
    gens.stop();
    void stopAllServers().finally(() => process.exit(130));
  });

  try {
    // Ours and the database peers run from dist/ (raw-pg and raw-rest load our schema and SQL from it).
    if (opts.build && opts.servers.some((k) => k === 'ours' || k === 'raw-pg' || k === 'raw-rest')) {
      try {
        buildIfNeeded(opts.serverEntry);
      } catch (err) {
        log(`build failed: ${String(err)}`);
      }
    }
    for (const kind of opts.servers) {
      if (kind === 'ours') await runOurs(opts, gens, results, resultsDir);
      else if (kind !== 'raw-rest') await runPeer(kind, opts, gens, results);
    }
  } finally {
    gens.stop();
  }
  const failures = report(results, opts, meta, startedAt, resultsDir);
  // Quick mode checks that the suite runs, not how fast: a failed scenario is printed, not fatal.
  process.exit(failures.length > 0 && !opts.quick ? 1 : 0);
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark runner crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(process.argv.includes('--quick') ? 0 : 1);
});
