#!/usr/bin/env node
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { COMMANDS } from './commands';

/** The command providers; each boots the services it needs itself (see cli-context.ts). */
@Module({ providers: COMMANDS })
class CliModule {}

/**
 * `chat-server`: the administration CLI (declared in package.json `bin`). Every command but `start`
 * exits when done, with status 0 on success and 1 after printing a one-sentence error.
 */
async function main(): Promise<void> {
  await CommandFactory.run(CliModule, {
    cliName: 'chat-server',
    logger: ['error'],
    errorHandler: (err: Error & { exitCode?: number; code?: string }) => {
      // Commander's own exits: --help and --version are 0, usage errors already printed their sentence.
      process.exit(err.exitCode ?? 1);
    },
    serviceErrorHandler: (err: Error) => {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(1);
    },
  });
  if (!(globalThis as { chatServerStarted?: boolean }).chatServerStarted) process.exit(process.exitCode ?? 0);
}

void main();
