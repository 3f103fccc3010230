import { api, BenchUser, pool } from '../lib/api';
import { SOURCE_ADDRESSES } from '../lib/gen-pool';
import { BenchContext, ramp, RampResult, runStep, settle, STEP_REPEATS, StepResult, Topology } from '../lib/load';
import { embeddedDatabaseUrl, seedArchive, SeedResult } from '../lib/seed';

/** One persistence ramp. */
export interface PersistenceRun {
  ramp: RampResult;
  /** Highest stored (acked-after-commit) rate whose ack p99 stayed within 50 ms. */
  max_stored_per_sec: number | null;
  /** Messages acked over the ramp. */
  acked_total: number;
}

/** Persistence figures: a ramp on the empty database, then one after seeding an archive. */
export interface PersistenceResult {
  rooms: number;
  empty: PersistenceRun;
  /** The archive seeded between the two ramps (null when seeding failed). */
  seed: SeedResult | null;
  seeded: PersistenceRun | null;
  /** Ours only: how many messages the rooms' last_seq say were stored over both ramps. */
  stored_total_by_last_seq: number | null;
}

/** Pass rule: ack p99 ≤ 50 ms, every send acked, no errors, the offered rate stored. */
export function persistencePass(r: StepResult): boolean {
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  return r.ack_latency.count > 0 && r.ack_latency.p99_ms <= 50 && r.missing_acks === 0 && errors === 0 && r.acked_per_sec >= 0.9 * r.send_rate;
}

/** How many messages the archive holds before the second ramp (full and quick mode). */
export function archiveSize(quick: boolean): number {
  return quick ? 50_000 : 1_000_000;
}

/**
 * Persistence: one room per sender, one connection per sender sending into its own room (so sends
 * from many senders and rooms run concurrently); `send_message` is acked only after the commit, so
 * the acked rate is the stored rate. Ramps until ack p99 passes 50 ms, on the empty database; then
 * seeds an archive of {@link archiveSize} messages (SQL, other rooms) and ramps again, so the cost of
 * a send can be compared across table sizes. Ours: `users` (one room created per user through REST);
 * raw-pg: 50 anonymous senders whose rooms the peer creates on their first join.
 */
export async function persistenceScenario(ctx: BenchContext, runId: string, users?: BenchUser[]): Promise<PersistenceResult> {
  const base = ctx.server.apiBase;
  const senders = users?.length ?? 50;
  const roomIds = users
    ? await pool(users, 8, async (user, i) => (await api<{ id: string }>(base, 'POST', '/rooms', user.token, { name: `persist-${runId}-${i}`, type: 'public' })).id)
    : Array.from({ length: senders }, (_, i) => `persist-${runId}-${i}`);
  const connected = await ctx.gens.connect(
    ctx.server.kind,
    ctx.server.connectUrl,
    roomIds.map((roomId, i) => ({ token: users?.[i].token, rooms: users ? [] : [roomId], localAddress: SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length] })),
    16,
  );
  try {
    if (connected.failed > 0) throw new Error(`could not open every connection: ${connected.errors.join('; ')}`);
    const topology: Topology = { senders: connected.refs.map((ref, i) => ({ ref, roomId: roomIds[i] })), receiversPerRoom: 1 };
    const timing = ctx.quick ? { warmupMs: 500, measureMs: 1500, maxDrainMs: 5000 } : { warmupMs: 1000, measureMs: 5000, maxDrainMs: 15_000 };
    const once = async (label: string): Promise<PersistenceRun> => {
      const result = await ramp(ctx, label, (rate) => runStep(ctx, topology, rate, timing), persistencePass, {
        startRate: 100,
        factor: ctx.quick ? 2 : 1.5,
        maxRate: 40_000,
        bisections: ctx.quick ? 0 : 2,
        retryFailures: ctx.quick ? 0 : STEP_REPEATS,
      });
      return {
        ramp: result,
        max_stored_per_sec: result.best?.acked_per_sec ?? null,
        acked_total: result.steps.reduce((a, s) => a + s.sent - s.missing_acks - Object.values(s.errors).reduce((x, y) => x + y, 0), 0),
      };
    };
    const empty = await once('persistence');
    let seed: SeedResult | null = null;
    let seeded: PersistenceRun | null = null;
    if (ctx.server.dataDir) {
      seed = await seedArchive(embeddedDatabaseUrl(ctx.server.dataDir), archiveSize(ctx.quick));
      ctx.log(`  seeded an archive of ${seed.messages} messages in ${seed.ms} ms`);
      await settle(ctx.server);
      seeded = await once(`persistence (${seed.messages} msgs)`);
    }
    let storedByLastSeq: number | null = null;
    if (users) {
      const rooms = await pool(roomIds, 8, (id, i) => api<{ last_seq: number }>(base, 'GET', `/rooms/${id}`, users[i].token));
      storedByLastSeq = rooms.reduce((a, r) => a + Number(r.last_seq ?? 0), 0);
    }
    return { rooms: roomIds.length, empty, seed, seeded, stored_total_by_last_seq: storedByLastSeq };
  } finally {
    await ctx.gens.closeAll();
  }
}
