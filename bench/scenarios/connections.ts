import { setTimeout as sleep } from 'node:timers/promises';
import { SOURCE_ADDRESSES } from '../lib/gen-pool';
import { LatencySummary, round } from '../lib/histogram';
import { BenchContext, settle } from '../lib/load';
import { ResourceFigures, ResourceMeter, rssBytes } from '../lib/proc-stats';
import type { ClientSpec } from '../lib/protocol';
import type { EventLoopDelay } from '../lib/servers';

/** Idle-connection figures. */
export interface ConnectionsResult {
  target: number;
  opened: number;
  failed: number;
  still_open_after_hold: number;
  errors: string[];
  /** Connections per second from the first upgrade to the last auth_ok (join ack for the peers). */
  handshakes_per_sec: number;
  handshake_latency: LatencySummary;
  rss_before_mib: number;
  rss_after_mib: number;
  rss_per_connection_kib: number;
  /** While holding the idle connections. */
  hold: ResourceFigures;
  hold_event_loop_delay: EventLoopDelay | null;
}

/**
 * Connections: opens N authenticated idle connections as fast as the server accepts them, holds them,
 * and reports the handshake rate and the RSS each one costs.
 * @param specFor the client spec of connection i (token for ours, one room for the peers)
 */
export async function connectionsScenario(ctx: BenchContext, target: number, specFor: (i: number) => Omit<ClientSpec, 'localAddress'>): Promise<ConnectionsResult> {
  await settle(ctx.server);
  const rssBefore = rssBytes(ctx.server.pid);
  const specs: ClientSpec[] = Array.from({ length: target }, (_, i) => ({ ...specFor(i), localAddress: SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length] }));
  try {
    const connected = await ctx.gens.connect(ctx.server.kind, ctx.server.connectUrl, specs, 64);
    ctx.log(`  connections: ${connected.opened}/${target} open (${connected.failed} failed) in ${Math.round(connected.elapsedMs)} ms`);
    await settle(ctx.server, 10_000);
    const meter = new ResourceMeter(ctx.server.pid, ctx.server.dataDir !== undefined);
    await ctx.server.readEld(true);
    await sleep(ctx.quick ? 1500 : 5000);
    const hold = meter.stop();
    const eld = await ctx.server.readEld(true);
    const rssAfter = rssBytes(ctx.server.pid);
    const counts = await ctx.gens.all<{ open: number }>({ cmd: 'open-count' });
    const stillOpen = counts.reduce((a, c) => a + c.open, 0);
    return {
      target,
      opened: connected.opened,
      failed: connected.failed,
      still_open_after_hold: stillOpen,
      errors: connected.errors,
      handshakes_per_sec: Math.round(connected.opened / (connected.elapsedMs / 1000)),
      handshake_latency: connected.handshake.summary(),
      rss_before_mib: round(rssBefore / 1048576, 1),
      rss_after_mib: round(rssAfter / 1048576, 1),
      rss_per_connection_kib: connected.opened > 0 ? round((rssAfter - rssBefore) / connected.opened / 1024, 1) : NaN,
      hold,
      hold_event_loop_delay: eld,
    };
  } finally {
    await ctx.gens.closeAll();
    await sleep(500);
  }
}
