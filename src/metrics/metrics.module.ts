import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/**
 * Prometheus metrics: `GET /metrics` (when METRICS=on) and the HTTP response counter. The counters
 * themselves live in the process-wide {@link recorder} (src/metrics/recorder.ts), which other modules
 * call directly with one line each.
 */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
