import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { PendingJsonBody } from './common/json/pending-json-body';
import { registerAccessLog, ROOT_LOGGER } from './common/logging/root-logger';
import type { AppConfig } from './config/app-config';
import { ChatWsAdapter } from './realtime/chat-ws-adapter';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Largest JSON body accepted, in bytes (uploads have their own limit). */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The built browser client (`npm run build` runs Vite into web/dist), whether the server runs from
 * src/ or dist/src/.
 */
const WEB_ROOT = [join(__dirname, '..', 'web', 'dist'), join(__dirname, '..', '..', 'web', 'dist')].find((dir) => existsSync(join(dir, 'index.html')));
const HOST_PATTERN = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The browser client's Content-Security-Policy: everything from this server only, no inline script
 * or style, and connections only back to this server over HTTP(S) or its WebSocket (ws:/wss: of the
 * same host, spelled out because older engines do not let 'self' cover them). Uploaded images are
 * fetched with the bearer token and shown through blob: URLs.
 */
function clientCsp(host: string | undefined): string {
  const sameHostSockets = host !== undefined && HOST_PATTERN.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    `connect-src 'self'${sameHostSockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The request id: the client's X-Request-Id when it is sane, otherwise a new UUID. */
function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

/** What Node's HTTP parser refuses before Fastify sees a request, as API.md errors: status, code, sentence. */
const CLIENT_ERRORS: Record<string, [number, string, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'The request line or headers are too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request took too long to arrive.'],
};

/**
 * Answers a request Node's HTTP parser refused (URL or headers over the size limit, malformed
 * request line, timeout) in API.md's error shape instead of Fastify's own body; there is no request
 * object yet, so the request id is a new UUID.
 */
function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, error] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Bad Request', 'BAD_REQUEST', 'The request is malformed.'];
  const id = randomUUID();
  const body = JSON.stringify({ status_code: status, code, error, request_id: id });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

/** The routes' prefix: everything under /api/v1 but the health checks. */
export function configureRoutes(app: INestApplication): void {
  app.setGlobalPrefix('api/v1', { exclude: ['health', 'health/ready'] });
}

/**
 * The OpenAPI document of the app's controllers (served at /docs-json; the browser client's types
 * are generated from it by web/scripts/export-openapi.ts, which needs no database).
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Chat server API')
      .setDescription('REST API of the chat server. The WebSocket gateway is at /api/v1/ws (see README).')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
}

/**
 * Builds the whole application exactly as production runs it (Fastify, WebSocket adapter, CORS,
 * helmet, Swagger, error shape) without listening; main.ts and the e2e tests both use it.
 * @param config validated config with `databaseUrl` set
 */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    genReqId: requestId,
    requestIdHeader: false,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    // REQUEST_TIMEOUT_MS bounds receiving a request and an idle connection (ws clears it on upgrade).
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    logger: false,
    // Errors Fastify raises before routing (a URL with broken percent-encoding) in API.md's shape too.
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      const id = String(request.id);
      void reply
        .status(400)
        .header('x-request-id', id)
        .send({ status_code: 400, code: 'BAD_REQUEST', error: 'The request URL is malformed.', request_id: id });
    },
    clientErrorHandler,
  });
  const fastify = adapter.getInstance();
  // Every request and its response carry the same id (X-Request-Id), also in the logs.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    void reply.header('x-request-id', String(request.id));
    done();
  });

  // Our own JSON parser below replaces Nest's (bodyParser: false).
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  registerAccessLog(fastify, app.get(ROOT_LOGGER));

  // Only JSON bodies (and multipart, for uploads) are accepted; text/plain would otherwise parse.
  fastify.removeContentTypeParser('text/plain');
  // JSON with prototype-poisoning protection; an empty body counts as no body, because many clients
  // send `Content-Type: application/json` on every request, bodyless POST/DELETE included. The text is
  // only kept here: the validation pipe parses it (depth-limited) after the guards, so a request that
  // ends in 401 or 429 is never parsed.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const secureParse = (text: string): unknown => {
    let result: unknown;
    parseJson({} as FastifyRequest, text, (err, value) => {
      if (err) throw err;
      result = value;
    });
    return result;
  };
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT_BYTES }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    done(null, text.trim() === '' ? undefined : new PendingJsonBody(text, secureParse));
  });

  // helmet's middleware is built once here: @fastify/helmet rebuilt it (parsing every CSP directive)
  // on each request (docs/performance.md, "Session 6").
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        // Self-hosted servers are often reached over plain http on a LAN; do not force https.
        upgradeInsecureRequests: null,
      },
    },
  });
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) =>
    securityHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)),
  );
  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && config.allowedOrigins.includes(origin) ? origin : false),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });

  // POST /uploads: multipart bodies are streamed (never buffered) by the uploads service, which also
  // enforces UPLOAD_MAX_BYTES per file; the JSON body limit does not apply to them.
  await app.register(multipart, { limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 10, parts: 11, fieldSize: 1024, headerPairs: 100 } });

  configureRoutes(app);
  app.useWebSocketAdapter(new ChatWsAdapter(app));
  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs-json' });

  // The browser client at `/`: one route per file found at start (no wildcard), so unknown paths,
  // /api/v1, /docs and /health keep their own handlers and error shape.
  if (WEB_ROOT) {
    await app.register(fastifyStatic, {
      root: WEB_ROOT,
      prefix: '/',
      wildcard: false,
      // Hashed asset names never change content, so they are cached for good; the page itself is
      // revalidated so a new build is picked up.
      setHeaders: (reply: FastifyReply, path: string) => {
        void reply.header('content-security-policy', clientCsp(reply.request.headers.host));
        void reply.header('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }

  return app;
}
