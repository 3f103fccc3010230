/**
 * Where our server's CPU goes on one REST read: boots our server (dist/) with `--cpu-prof` on a fresh
 * embedded PostgreSQL, makes a user with 10 rooms of 50 messages, loads `GET /rooms/me` or the latest
 * history page (`limit=50`) with autocannon for `--seconds`, stops the server and prints req/s, then
 * the profile's non-idle time over the load by stage (socket writes, pg, Nest, validation, auth, …;
 * see cpuprofile-top.ts). One endpoint per server run, so each profile holds one request shape.
 *
 * Usage: `npx tsc -p bench/tsconfig.json --noCheck && node node_modules/.cache/chat-bench/tools/profile-rest.js [rooms-me|history] [--seconds 15] [--connections 16]`
 * after `npm run build`. The .cpuprofile is kept under bench/results/.
 */
import autocannon from 'autocannon';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readFixture } from '../lib/api';
import { startServer } from '../lib/servers';
import { lastSeconds, readProfile, stageShares } from './cpuprofile-top';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string, fallback: number) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : fallback);
  const endpoint = args.find((a) => !a.startsWith('--') && Number.isNaN(Number(a))) ?? 'rooms-me';
  const seconds = value('--seconds', 15);
  const connections = value('--connections', 16);
  const benchDir = join(__dirname, '..');
  const profileDir = join(process.cwd(), 'bench', 'results', `profile-rest-${endpoint}-${Date.now()}`);
  mkdirSync(profileDir, { recursive: true });
  const server = await startServer('ours', benchDir, { entry: join(process.cwd(), 'dist', 'src', 'main.js'), bcryptCost: 10, cpuProfileDir: profileDir });
  try {
    const { user, roomId } = await readFixture(server.apiBase, 'prof');
    const path = endpoint === 'history' ? `/rooms/${roomId}/messages?limit=50` : '/rooms/me';
    const result = await autocannon({ url: server.apiBase + path, connections, duration: seconds, headers: { authorization: `Bearer ${user.token}` } });
    process.stdout.write(`${endpoint}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}\n`);
  } finally {
    await server.stop();
  }
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile in ${profileDir}`);
  const profile = readProfile(join(profileDir, file));
  // The last second is the shutdown; the load is the `seconds` before it.
  const keepLoad = lastSeconds(profile, seconds);
  const { stages, busyMs } = stageShares(profile, keepLoad);
  process.stdout.write(`profile ${join(profileDir, file)}: ${Math.round(busyMs)} ms of node CPU over the last ${seconds} s\n`);
  for (const [stage, share] of stages) process.stdout.write(`  ${(share * 100).toFixed(1).padStart(5)}%  ${stage}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
