/**
 * Writes the server's OpenAPI document (JSON) to the path given as the first argument, without a
 * database: the Nest application is created in preview mode, which registers every module and
 * controller (all the Swagger scanner reads) but instantiates no provider, so nothing connects.
 * Used by `npm run api:types` (web/src/api/schema.d.ts via openapi-typescript).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { configureRoutes, openApiDocument } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/app-config';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: export-openapi <out.json>');
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'openapi-export-only-0123456789abcdefghijklmnopqrstuv',
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
    LOG_LEVEL: 'silent',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  configureRoutes(app);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(openApiDocument(app), null, 2)}\n`);
  await app.close();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
