import { api, BenchUser, pool } from '../lib/api';
import { BenchContext, settle } from '../lib/load';
import { ResourceFigures, ResourceMeter } from '../lib/proc-stats';
import { seedMessages, SeedResult } from '../lib/seed';
import type { EventLoopDelay } from '../lib/servers';

/** One autocannon run. */
export interface AutocannonFigures {
  requests_per_sec: number;
  latency: { p50_ms: number; p97_5_ms: number; p99_ms: number; max_ms: number };
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  server: ResourceFigures;
  event_loop_delay: EventLoopDelay | null;
}

/** REST figures (our server only). */
export interface RestResult {
  seed: SeedResult;
  connections: number;
  history: AutocannonFigures;
  rooms_me: AutocannonFigures;
}

/**
 * REST: seeds 100,000 messages over the user's rooms, then measures the latest history page
 * (`GET /rooms/:id/messages?limit=50`, cycling over the rooms) and `GET /rooms/me` with autocannon
 * running in a generator process.
 */
export async function restScenario(ctx: BenchContext, user: BenchUser, runId: string): Promise<RestResult> {
  const base = ctx.server.apiBase;
  const roomIds = await pool(
    Array.from({ length: 10 }, (_, i) => i),
    4,
    async (i) => (await api<{ id: string }>(base, 'POST', '/rooms', user.token, { name: `history-${runId}-${i}`, type: 'public' })).id,
  );
  const seed = await seedMessages({
    dataDir: ctx.server.dataDir!,
    apiBase: base,
    token: user.token,
    senderId: user.id,
    roomIds,
    total: 100_000,
    restFallback: ctx.quick ? 2_000 : 20_000,
  });
  ctx.log(`  seeded ${seed.messages} messages by ${seed.method} in ${seed.ms} ms${seed.note ? ` (${seed.note})` : ''}`);
  const connections = 32;
  const duration = ctx.quick ? 3 : 10;
  const run = async (requests: Array<{ method: string; path: string }>): Promise<AutocannonFigures> => {
    await settle(ctx.server);
    const meter = new ResourceMeter(ctx.server.pid, true);
    await ctx.server.readEld(true);
    const result = await ctx.gens.request<Omit<AutocannonFigures, 'server' | 'event_loop_delay'>>(0, {
      cmd: 'autocannon',
      options: {
        url: `http://127.0.0.1:${ctx.server.port}`,
        connections,
        duration,
        headers: { authorization: `Bearer ${user.token}` },
        requests,
      },
    });
    return { ...result, server: meter.stop(), event_loop_delay: await ctx.server.readEld(true) };
  };
  const history = await run(roomIds.map((id) => ({ method: 'GET', path: `/api/v1/rooms/${id}/messages?limit=50` })));
  ctx.log(`  history page: ${Math.round(history.requests_per_sec)} req/s, p50 ${history.latency.p50_ms} p99 ${history.latency.p99_ms} ms, non-2xx ${history.non2xx}`);
  const roomsMe = await run([{ method: 'GET', path: '/api/v1/rooms/me' }]);
  ctx.log(`  rooms/me: ${Math.round(roomsMe.requests_per_sec)} req/s, p50 ${roomsMe.latency.p50_ms} p99 ${roomsMe.latency.p99_ms} ms, non-2xx ${roomsMe.non2xx}`);
  return { seed, connections, history, rooms_me: roomsMe };
}
