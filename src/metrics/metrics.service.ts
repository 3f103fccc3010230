import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { recorder, WaitingPool } from './recorder';

/** Path of the Prometheus endpoint (outside the /api/v1 prefix, like /health). */
export const METRICS_PATH = '/metrics';

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback addresses. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(ip) === 4) return ip.startsWith('127.');
  return ip === '::1';
}

/** Constant-time comparison of two strings of any lengths (compares their SHA-256 digests). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Serves `GET /metrics` in Prometheus text format when METRICS=on, and counts HTTP responses by
 * route pattern. Access: with METRICS_TOKEN every scrape needs `Authorization: Bearer <token>`
 * (401 otherwise); without it only loopback clients may scrape (403 otherwise). The client address
 * is Fastify's `request.ip`, which follows X-Forwarded-For only from TRUST_PROXY peers; a loopback
 * peer that forwards for someone else without being a trusted proxy is refused too.
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  private untrackPool: (() => void) | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    if (!this.config.metrics) return;
    recorder.enableDefaultMetrics();
    const driver = this.dataSource.driver as unknown as { master?: WaitingPool };
    if (driver.master) this.untrackPool = recorder.trackPool(driver.master);
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      recorder.httpResponse(request.routeOptions.url ?? 'unmatched', reply.statusCode);
      done();
    });
    fastify.get(METRICS_PATH, (request, reply) => this.scrape(request, reply));
  }

  onModuleDestroy(): void {
    this.untrackPool?.();
  }

  /** Whether this request may scrape: null when allowed, else the status and error code to answer. */
  refusal(request: FastifyRequest): { status: 401 | 403; code: 'UNAUTHORIZED' | 'FORBIDDEN'; error: string } | null {
    if (this.config.metricsToken !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (match && sameSecret(match[1]!, this.config.metricsToken)) return null;
      return { status: 401, code: 'UNAUTHORIZED', error: 'A valid metrics bearer token is required.' };
    }
    const forwardedByUntrusted = this.config.trustProxy.length === 0 && (request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined);
    if (isLoopback(request.ip) && !forwardedByUntrusted) return null;
    return { status: 403, code: 'FORBIDDEN', error: 'Metrics are served to loopback clients only (set METRICS_TOKEN to scrape remotely).' };
  }

  private async scrape(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const refused = this.refusal(request);
    if (refused) {
      recorder.error(refused.code);
      if (refused.status === 401) void reply.header('www-authenticate', 'Bearer');
      await reply.status(refused.status).send({ status_code: refused.status, code: refused.code, error: refused.error, request_id: String(request.id) });
      return;
    }
    const body = await recorder.registry.metrics();
    await reply.header('content-type', recorder.registry.contentType).header('cache-control', 'no-store').send(body);
  }
}
