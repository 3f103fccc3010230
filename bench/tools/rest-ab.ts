/**
 * Node CPU per REST read, build against build: boots each given build of our server in turn (its
 * dist/src/main.js, an embedded PostgreSQL each), fills 10 rooms with 50 messages, then drives the
 * latest history page (`limit=50`) and `GET /rooms/me` with autocannon and prints req/s and the
 * server process's CPU (user + system, from /proc) per request. Rounds alternate the builds, so a
 * slow minute of the machine hits both. PostgreSQL's CPU is left out on purpose: both builds send it
 * the same statements, and what differs between builds is what node does around them.
 *
 * Usage: `npx tsc -p bench/tsconfig.json --noCheck && node node_modules/.cache/chat-bench/tools/rest-ab.js
 *   <project dir> [<project dir> …] [--rounds 2] [--seconds 8] [--connections 16]`
 * (a project dir holds a built `dist/` and resolves the packages that build needs).
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFixture } from '../lib/api';
import { startServer } from '../lib/servers';

/** CPU time (ms, user + system) the process has used so far. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second here).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string, fallback: number) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : fallback);
  const flagged = new Set(['--rounds', '--seconds', '--connections'].flatMap((f) => (args.includes(f) ? [args.indexOf(f), args.indexOf(f) + 1] : [])));
  const builds = args.filter((a, i) => !a.startsWith('--') && !flagged.has(i));
  if (builds.length === 0) throw new Error('usage: rest-ab.js <project dir> [<project dir> …] [--rounds n] [--seconds s] [--connections c]');
  const rounds = value('--rounds', 2);
  const seconds = value('--seconds', 8);
  const connections = value('--connections', 16);
  const benchDir = join(__dirname, '..');
  for (let round = 1; round <= rounds; round++) {
    for (const build of builds) {
      const server = await startServer('ours', benchDir, {
        entry: join(build, 'dist', 'src', 'main.js'),
        bcryptCost: 10,
      });
      try {
        const { user, roomId } = await readFixture(server.apiBase, 'ab');
        for (const [name, path] of [
          ['history', `/rooms/${roomId}/messages?limit=50`],
          ['rooms/me', '/rooms/me'],
        ]) {
          const target = {
            url: server.apiBase + path,
            connections,
            headers: { authorization: `Bearer ${user.token}` },
          };
          await autocannon({ ...target, duration: 2 }); // warm-up: JIT, prepared statements
          const before = processCpuMs(server.pid);
          const result = await autocannon({ ...target, duration: seconds });
          const cpuMs = processCpuMs(server.pid) - before;
          const perRequest = result.requests.total > 0 ? cpuMs / result.requests.total : NaN;
          process.stdout.write(
            `round ${round} ${build} ${name}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, node ${perRequest.toFixed(3)} ms CPU per request, non-2xx ${result.non2xx}\n`,
          );
        }
      } finally {
        await server.stop();
      }
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
