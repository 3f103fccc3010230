import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino, { Logger as PinoInstance } from 'pino';
import type { AppConfig } from '../../config/app-config';

/** Injection token of the process's one pino logger (Nest's Logger and the access log write to it). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * The process's pino logger: JSON lines at LOG_LEVEL (pretty, single-line, in a development TTY).
 * No request headers are ever logged (the access log names only method, URL and status), so there
 * is nothing to redact.
 */
export function createRootLogger(config: AppConfig): PinoInstance {
  const pretty = config.nodeEnv === 'development' && process.stdout.isTTY;
  return pino({
    level: config.logLevel,
    transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  });
}

/**
 * One access-log line per finished HTTP request (not /health probes): request id, method, URL,
 * status and time in ms.
 *
 * Written from a Fastify hook rather than by nestjs-pino's per-request middleware: that middleware
 * keeps the request logger in an AsyncLocalStorage, and on Node 20 the first use of one turns on
 * promise hooks for the whole process, so every promise of every WebSocket frame pays for them
 * (measured: 248 → 205 µs of CPU per `ping` frame without them; docs/performance.md). Every log
 * line about a failed request already names its request id explicitly.
 */
export function registerAccessLog(fastify: FastifyInstance, logger: PinoInstance): void {
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!request.url.startsWith('/health')) {
      logger.info(
        {
          request_id: String(request.id),
          method: request.method,
          url: request.url,
          status_code: reply.statusCode,
          response_time_ms: Math.round(reply.elapsedTime * 10) / 10,
          remote_address: request.ip,
        },
        'request completed',
      );
    }
    done();
  });
}
