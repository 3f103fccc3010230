#!/usr/bin/env node
// The `chat-server` command (package.json `bin`). It runs the compiled CLI in dist/ when the project
// has been built (`npm start` and `npm run build` do that), and otherwise the TypeScript sources
// through ts-node, so `npx chat-server …` works right after `npm install` on a fresh clone.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'src', 'cli', 'chat-server.js');
if (existsSync(built)) {
  require(built);
} else {
  require('ts-node').register({ transpileOnly: true, project: join(root, 'tsconfig.json') });
  require(join(root, 'src', 'cli', 'chat-server.ts'));
}
