/**
 * Preloaded into every benchmarked server with `node -r` (ours and the peers alike), so the event-loop
 * delay is measured the same way everywhere without touching server code. It answers the runner over
 * the IPC channel: `{benchProbe: 'read', reset}` → `{benchProbe: 'eld', p50_ms, p99_ms, max_ms}`.
 * monitorEventLoopDelay records the whole timer interval, so the resolution is subtracted.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();

function delayMs(nanoseconds: number): number {
  return Math.max(0, Math.round((nanoseconds / 1e6 - RESOLUTION_MS) * 100) / 100);
}

if (process.send) {
  process.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null || (message as { benchProbe?: string }).benchProbe !== 'read') return;
    const count = histogram.count;
    process.send?.({
      benchProbe: 'eld',
      samples: count,
      p50_ms: count > 0 ? delayMs(histogram.percentile(50)) : null,
      p99_ms: count > 0 ? delayMs(histogram.percentile(99)) : null,
      max_ms: count > 0 ? delayMs(histogram.max) : null,
    });
    if ((message as { reset?: boolean }).reset) histogram.reset();
  });
  // The channel must not keep a server alive that wants to exit on SIGTERM.
  (process as unknown as { channel?: { unref(): void } }).channel?.unref();
}
