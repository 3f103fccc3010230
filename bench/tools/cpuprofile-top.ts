/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `npm run bench -- --profile`): the
 * functions with the most self time, and the self time grouped by package (node_modules/<name>,
 * the app's own dist/src files, node internals, GC/idle), so the hot spots can be read without a
 * flame-graph viewer.
 *
 * Usage: node node_modules/.cache/chat-bench/tools/cpuprofile-top.js <file.cpuprofile> [top=25] [--last <s>]
 * (`--last S` keeps only the profile's last S seconds: the load, without the server's start).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** A V8 CPU profile (the parts read here). */
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The package or area a script URL belongs to. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  if (url.includes('/dist/src/')) return 'app: ' + url.slice(url.indexOf('/dist/src/') + 10).split('/')[0];
  return url;
}

/**
 * Stages of a request or frame, each matched by a frame anywhere in a sample's stack (the first
 * matching stage wins, in this order, so socket writes under a Nest handler count as writes).
 */
const STAGES: Array<[string, RegExp]> = [
  ['socket writes (writev/write syscalls: HTTP answers, pg queries, ws frames)', /^(writev|writeBuffer|writeUtf8String|writeLatin1String) /],
  ['garbage collector', /^\(garbage collector\)/],
  ['module loading (start-up)', /^(Module\._load|compileForInternalLoader) /],
  ['pg: query and protocol parsing', /(node_modules\/pg\/|node_modules\/pg-protocol\/|node_modules\/pg-pool\/|postgres-date|pg-types)/],
  ['auth guard (passport-jwt, jsonwebtoken)', /(node_modules\/passport|node_modules\/jsonwebtoken|node_modules\/jws|node_modules\/jwa|auth\.guard\.js|jwt-auth\.guard)/],
  ['validation pipe (class-validator, class-transformer)', /(class-validator|class-transformer|pipes-consumer|validation\.pipe|common\/errors\/validation)/],
  ['throttler', /@nestjs\/throttler/],
  ['ws: frame parsing and sending', /node_modules\/ws\//],
  ['fastify reply and hooks (helmet, access log, serialise)', /(node_modules\/fastify\/|@fastify\/|node_modules\/helmet)/],
  ['Nest router, guards, interceptors (rxjs)', /(@nestjs\/core|@nestjs\/common|node_modules\/rxjs|@nestjs\/websockets|@nestjs\/platform)/],
  ['our code (dist/src)', /\/dist\/src\//],
];

/**
 * Share of the non-idle samples under each of {@link STAGES}, then the rest.
 * @returns [stage, share of non-idle time 0..1] pairs, and the non-idle time in ms
 */
export function stageShares(profile: Profile, keep: (sampleIndex: number) => boolean): { stages: Array<[string, number]>; busyMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const labelOf = (id: number): string => {
    const cached = stageOf.get(id);
    if (cached) return cached;
    const frames: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      frames.push(`${f.functionName} ${f.url}`);
    }
    const stage = STAGES.find(([, re]) => frames.some((f) => re.test(f)))?.[0] ?? 'other (node internals, timers, microtasks)';
    stageOf.set(id, stage);
    return stage;
  };
  const us = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    if (!keep(i) || byId.get(id)!.callFrame.functionName === '(idle)') return;
    const d = profile.timeDeltas[i] ?? 0;
    busy += d;
    const stage = labelOf(id);
    us.set(stage, (us.get(stage) ?? 0) + d);
  });
  return { stages: [...us].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, busy ? v / busy : 0]), busyMs: busy / 1000 };
}

/** A filter keeping the samples of a profile's last `seconds` (all of them when `seconds` is undefined). */
export function lastSeconds(profile: Profile, seconds: number | undefined): (sampleIndex: number) => boolean {
  if (seconds === undefined) return () => true;
  const at: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) at.push((t += d));
  const from = profile.endTime - seconds * 1e6;
  return (i) => at[i] >= from;
}

/** Reads a .cpuprofile file. */
export function readProfile(file: string): Profile {
  return JSON.parse(readFileSync(file, 'utf8')) as Profile;
}

function main(): void {
  const args = process.argv.slice(2);
  const lastAt = args.indexOf('--last');
  const last = lastAt >= 0 ? Number(args[lastAt + 1]) : undefined;
  if (lastAt >= 0) args.splice(lastAt, 2);
  const file = args[0];
  const top = Number(args[1] ?? 25);
  if (!file) {
    process.stderr.write('usage: cpuprofile-top <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const profile = readProfile(file);
  const keep = lastSeconds(profile, last);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    if (keep(i)) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const short = url ? url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/') : '';
    const key = `${functionName || '(anonymous)'} ${short}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const pct = (us: number): string => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  process.stdout.write(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled\n\nself time by area:\n`);
  for (const [area, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(us)}  ${area}\n`);
  process.stdout.write('\nself time by function:\n');
  for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(us)}  ${fn}\n`);
  const { stages, busyMs } = stageShares(profile, keep);
  process.stdout.write(`\nnon-idle time by stage (${Math.round(busyMs)} ms; a sample counts for the first stage found in its stack):\n`);
  for (const [stage, share] of stages) process.stdout.write(`  ${(share * 100).toFixed(1).padStart(5)}%  ${stage}\n`);
}

if (require.main === module) main();
