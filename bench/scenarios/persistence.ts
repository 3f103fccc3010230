import { api, BenchUser, pool } from '../lib/api';
import { SOURCE_ADDRESSES } from '../lib/gen-pool';
import { BenchContext, ramp, RampResult, runStep, StepResult, Topology } from '../lib/load';

/** Persistence figures (our server only). */
export interface PersistenceResult {
  rooms: number;
  ramp: RampResult;
  /** Highest stored (acked-after-commit) rate whose ack p99 stayed within 50 ms. */
  max_stored_per_sec: number | null;
  /** Messages acked over the whole scenario, and how many the rooms' last_seq say were stored. */
  acked_total: number;
  stored_total_by_last_seq: number;
}

/** Pass rule: ack p99 ≤ 50 ms, every send acked, no errors, the offered rate stored. */
export function persistencePass(r: StepResult): boolean {
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  return r.ack_latency.count > 0 && r.ack_latency.p99_ms <= 50 && r.missing_acks === 0 && errors === 0 && r.acked_per_sec >= 0.9 * r.send_rate;
}

/**
 * Persistence: one room per user, one connection per user sending into its own room (so sends from
 * many senders and rooms run concurrently); `send_message` is acked only after the commit, so the
 * acked rate is the stored rate. Ramps until ack p99 passes 50 ms.
 */
export async function persistenceScenario(ctx: BenchContext, users: BenchUser[], runId: string): Promise<PersistenceResult> {
  const base = ctx.server.apiBase;
  const roomIds = await pool(users, 8, async (user, i) => {
    const room = await api<{ id: string }>(base, 'POST', '/rooms', user.token, { name: `persist-${runId}-${i}`, type: 'public' });
    return room.id;
  });
  const connected = await ctx.gens.connect(
    'ours',
    ctx.server.connectUrl,
    users.map((u, i) => ({ token: u.token, rooms: [], localAddress: SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length] })),
    16,
  );
  try {
    if (connected.failed > 0) throw new Error(`could not open every connection: ${connected.errors.join('; ')}`);
    const topology: Topology = { senders: connected.refs.map((ref, i) => ({ ref, roomId: roomIds[i] })), receiversPerRoom: 1 };
    const timing = ctx.quick ? { warmupMs: 500, measureMs: 1500, maxDrainMs: 5000 } : { warmupMs: 1000, measureMs: 5000, maxDrainMs: 15_000 };
    const result = await ramp(ctx, 'persistence', (rate) => runStep(ctx, topology, rate, timing), persistencePass, {
      startRate: 100,
      factor: ctx.quick ? 2 : 1.5,
      maxRate: 40_000,
      bisections: ctx.quick ? 0 : 2,
      retryFailures: !ctx.quick,
    });
    const rooms = await pool(roomIds, 8, (id, i) => api<{ last_seq: number }>(base, 'GET', `/rooms/${id}`, users[i].token));
    return {
      rooms: roomIds.length,
      ramp: result,
      max_stored_per_sec: result.best?.acked_per_sec ?? null,
      acked_total: result.steps.reduce((a, s) => a + s.sent - s.missing_acks - Object.values(s.errors).reduce((x, y) => x + y, 0), 0),
      stored_total_by_last_seq: rooms.reduce((a, r) => a + Number(r.last_seq ?? 0), 0),
    };
  } finally {
    await ctx.gens.closeAll();
  }
}
