import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchUser } from '../lib/api';
import { SOURCE_ADDRESSES } from '../lib/gen-pool';
import { Histogram, LatencySummary, nowUs, round } from '../lib/histogram';
import { BenchContext, settle } from '../lib/load';
import { ResourceFigures, ResourceMeter } from '../lib/proc-stats';
import type { LoginOutcome, PingResult } from '../lib/protocol';
import type { EventLoopDelay } from '../lib/servers';

/** Login-burst figures (our server only). */
export interface LoginBurstResult {
  logins: number;
  pingers: number;
  ping_interval_ms: number;
  bcrypt_cost: number;
  ping_before: LatencySummary;
  ping_during: LatencySummary;
  ping_after: LatencySummary;
  login_latency: LatencySummary;
  login_statuses: Record<string, number>;
  burst_ms: number;
  during: ResourceFigures;
  during_event_loop_delay: EventLoopDelay | null;
}

/**
 * Login burst: connected clients send application `ping` frames on a fixed schedule; after a quiet
 * baseline, 50 logins arrive at once (bcrypt on the server). The ping RTT p99 before and during the
 * burst shows whether password hashing stalls the event loop that serves the sockets.
 */
export async function loginBurstScenario(ctx: BenchContext, users: BenchUser[], pingers: number, bcryptCost: number): Promise<LoginBurstResult> {
  const intervalMs = 100;
  const connected = await ctx.gens.connect(
    'ours',
    ctx.server.connectUrl,
    Array.from({ length: pingers }, (_, i) => ({ token: users[i % users.length].token, rooms: [], localAddress: SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length] })),
    16,
  );
  try {
    if (connected.failed > 0) throw new Error(`could not open every connection: ${connected.errors.join('; ')}`);
    await settle(ctx.server);
    await ctx.gens.all({ cmd: 'ping-start', intervalMs });
    await sleep(ctx.quick ? 2000 : 5000);

    await ctx.gens.all({ cmd: 'ping-segment', segment: 1 });
    const meter = new ResourceMeter(ctx.server.pid, true);
    await ctx.server.readEld(true);
    const t0 = nowUs();
    const bodies = Array.from({ length: 50 }, (_, i) => ({ login: users[i % users.length].username, password: users[i % users.length].password }));
    const outcomes = await ctx.gens.request<LoginOutcome[]>(0, { cmd: 'logins', url: `${ctx.server.apiBase}/auth/login`, bodies });
    const burstMs = (nowUs() - t0) / 1000;
    const during = meter.stop();
    const eld = await ctx.server.readEld(true);

    await ctx.gens.all({ cmd: 'ping-segment', segment: 2 });
    await sleep(ctx.quick ? 1000 : 3000);
    const pings = await ctx.gens.all<PingResult>({ cmd: 'ping-stop' });
    const segment = (n: number): LatencySummary => {
      const h = new Histogram();
      for (const p of pings) if (p.segments[n]) h.merge(p.segments[n]);
      return h.summary();
    };
    const logins = new Histogram();
    const statuses: Record<string, number> = {};
    for (const o of outcomes) {
      logins.record(o.ms * 1000);
      statuses[o.status] = (statuses[o.status] ?? 0) + 1;
    }
    return {
      logins: outcomes.length,
      pingers: connected.opened,
      ping_interval_ms: intervalMs,
      bcrypt_cost: bcryptCost,
      ping_before: segment(0),
      ping_during: segment(1),
      ping_after: segment(2),
      login_latency: logins.summary(),
      login_statuses: statuses,
      burst_ms: round(burstMs, 1),
      during,
      during_event_loop_delay: eld,
    };
  } finally {
    await ctx.gens.closeAll();
  }
}
