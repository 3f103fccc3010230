import { api, BenchUser, pool } from '../lib/api';
import { BenchContext, settle } from '../lib/load';
import { ResourceFigures, ResourceMeter } from '../lib/proc-stats';
import { seedMessages, SeedResult } from '../lib/seed';
import type { EventLoopDelay, ServerHandle } from '../lib/servers';

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
  /** The same two runs against the raw-rest peer on the same database (null when not run). */
  peer: { history: AutocannonFigures; rooms_me: AutocannonFigures } | null;
  /** Why the peer has no figures, when it was asked for and failed. */
  peer_error?: string;
}

/**
 * REST: seeds `total` messages (the full run: 100,000) from `sender` over 10 rooms of `user` (so each
 * room holds a tenth of them, all unread by `user`), then measures the latest history page (`GET /rooms/:id/messages?limit=50`,
 * cycling over the rooms) and `GET /rooms/me` as `user` with autocannon running in a generator
 * process; then, when `startPeer` is given, the same two runs against the raw-rest peer reading the
 * same database (our server stays up, idle, since its PostgreSQL serves both).
 */
export async function restScenario(
  ctx: BenchContext,
  user: BenchUser,
  sender: BenchUser,
  runId: string,
  total: number,
  startPeer?: () => Promise<ServerHandle>,
): Promise<RestResult> {
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
    senderId: sender.id,
    roomIds,
    total,
    restFallback: ctx.quick ? 2_000 : 20_000,
  });
  ctx.log(`  seeded ${seed.messages} messages by ${seed.method} in ${seed.ms} ms${seed.note ? ` (${seed.note})` : ''}`);
  const connections = 32;
  const duration = ctx.quick ? 3 : 10;
  const run = async (requests: Array<{ method: string; path: string }>, server: ServerHandle = ctx.server): Promise<AutocannonFigures> => {
    await settle(ctx.server);
    const meter = new ResourceMeter(server.pid, true);
    await server.readEld(true);
    const result = await ctx.gens.request<Omit<AutocannonFigures, 'server' | 'event_loop_delay'>>(0, {
      cmd: 'autocannon',
      options: {
        url: `http://127.0.0.1:${server.port}`,
        connections,
        duration,
        headers: { authorization: `Bearer ${user.token}` },
        requests,
      },
    });
    return { ...result, server: meter.stop(), event_loop_delay: await server.readEld(true) };
  };
  const historyRequests = roomIds.map((id) => ({ method: 'GET', path: `/api/v1/rooms/${id}/messages?limit=50` }));
  const roomsMeRequests = [{ method: 'GET', path: '/api/v1/rooms/me' }];
  const both = async (server: ServerHandle) => {
    const history = await run(historyRequests, server);
    ctx.log(`  ${server.label} history page: ${Math.round(history.requests_per_sec)} req/s, p50 ${history.latency.p50_ms} p99 ${history.latency.p99_ms} ms, non-2xx ${history.non2xx}`);
    const roomsMe = await run(roomsMeRequests, server);
    ctx.log(`  ${server.label} rooms/me: ${Math.round(roomsMe.requests_per_sec)} req/s, p50 ${roomsMe.latency.p50_ms} p99 ${roomsMe.latency.p99_ms} ms, non-2xx ${roomsMe.non2xx}`);
    // The peer's figures count only if it answered like ours (ours records its non-2xx in the JSON).
    if (server !== ctx.server && history.non2xx + roomsMe.non2xx > 0) throw new Error(`${server.label} answered non-2xx`);
    return { history, rooms_me: roomsMe };
  };
  const ours = await both(ctx.server);
  let peer: RestResult['peer'] = null;
  let peerError: string | undefined;
  if (startPeer) {
    let handle: ServerHandle | undefined;
    try {
      handle = await startPeer();
      peer = await both(handle);
    } catch (err) {
      peerError = err instanceof Error ? err.message : String(err);
      ctx.log(`  raw-rest FAILED: ${peerError}`);
    } finally {
      await handle?.stop();
    }
  }
  return { seed, connections, ...ours, peer, peer_error: peerError };
}
