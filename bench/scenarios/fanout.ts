import { SOURCE_ADDRESSES } from '../lib/gen-pool';
import { BenchContext, ramp, RampResult, runStep, settle, STEP_REPEATS, StepResult, StepTiming, Topology } from '../lib/load';
import type { ClientSpec } from '../lib/protocol';

/** R rooms of M = usersPerRoom × devicesPerUser member connections; each user's first device sends. */
export interface FanoutShape {
  rooms: number;
  usersPerRoom: number;
  devicesPerUser: number;
}

/** Fan-out result: the ramp and the half-load run. */
export interface FanoutResult {
  shape: FanoutShape & { members_per_room: number; connections: number; senders: number };
  connect: { opened: number; failed: number; errors: string[] };
  ramp: RampResult;
  /** Highest delivered rate whose p99 stayed within 100 ms. */
  max_delivered_per_sec: number | null;
  half_load: StepResult | null;
}

/** The room ids and (for our server) the tokens of each room's users, in order. */
export interface FanoutFixture {
  roomIds: string[];
  /** tokens[room][user]; absent for the peers, which need no authentication. */
  tokens?: string[][];
}

/** Pass rule of a fan-out step: p99 ≤ 100 ms, (almost) nothing lost, the offered rate delivered. */
export function fanoutPass(r: StepResult): boolean {
  const expected = r.sent * (r.offered_deliveries_per_sec / Math.max(1, r.send_rate));
  return r.latency.count > 0 && r.latency.p99_ms <= 100 && r.lost_deliveries <= expected * 0.001 && r.delivered_per_sec >= 0.9 * r.offered_deliveries_per_sec;
}

/**
 * Fan-out: open R×M connections, raise the send rate until p99 passes 100 ms, then measure latency at
 * half the best rate. The same shape and generator serve all three servers.
 */
export async function fanoutScenario(ctx: BenchContext, shape: FanoutShape, fixture: FanoutFixture): Promise<FanoutResult> {
  const specs: ClientSpec[] = [];
  const senderSpecIndex: Array<{ spec: number; roomId: string }> = [];
  for (let r = 0; r < shape.rooms; r++) {
    const roomId = fixture.roomIds[r];
    for (let u = 0; u < shape.usersPerRoom; u++) {
      for (let d = 0; d < shape.devicesPerUser; d++) {
        if (d === 0) senderSpecIndex.push({ spec: specs.length, roomId });
        specs.push({
          token: fixture.tokens?.[r][u],
          rooms: fixture.tokens ? [] : [roomId],
          localAddress: SOURCE_ADDRESSES[specs.length % SOURCE_ADDRESSES.length],
        });
      }
    }
  }
  const connected = await ctx.gens.connect(ctx.server.kind, ctx.server.connectUrl, specs, 32);
  ctx.log(`  fan-out: ${connected.opened} connections open (${connected.failed} failed) in ${Math.round(connected.elapsedMs)} ms`);
  const membersPerRoom = shape.usersPerRoom * shape.devicesPerUser;
  const topology: Topology = {
    senders: senderSpecIndex.map((s) => ({ ref: connected.refs[s.spec], roomId: s.roomId })),
    receiversPerRoom: membersPerRoom,
  };
  const timing: StepTiming = ctx.quick ? { warmupMs: 500, measureMs: 1500, maxDrainMs: 4000 } : { warmupMs: 1000, measureMs: 5000, maxDrainMs: 10_000 };
  try {
    if (connected.failed > 0) throw new Error(`could not open every connection: ${connected.errors.join('; ')}`);
    const result = await ramp(ctx, 'fan-out', (rate) => runStep(ctx, topology, rate, timing), fanoutPass, {
      startRate: 1000 / membersPerRoom,
      factor: ctx.quick ? 2 : 1.5,
      maxRate: 40_000,
      bisections: ctx.quick ? 0 : 2,
      retryFailures: ctx.quick ? 0 : STEP_REPEATS,
    });
    let half: StepResult | null = null;
    if (result.best) {
      await settle(ctx.server);
      half = await runStep(ctx, topology, result.best.send_rate / 2, { ...timing, measureMs: ctx.quick ? 3000 : 10_000 });
      ctx.log(`  half load: send ${half.send_rate}/s → p50 ${half.latency.p50_ms} p95 ${half.latency.p95_ms} p99 ${half.latency.p99_ms} ms`);
    }
    return {
      shape: { ...shape, members_per_room: membersPerRoom, connections: specs.length, senders: topology.senders.length },
      connect: { opened: connected.opened, failed: connected.failed, errors: connected.errors },
      ramp: result,
      max_delivered_per_sec: result.best?.delivered_per_sec ?? null,
      half_load: half,
    };
  } finally {
    await ctx.gens.closeAll();
  }
}
