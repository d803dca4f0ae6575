#!/usr/bin/env node
// The `baton` command: runs the TypeScript CLI through tsx (config files are TypeScript too).
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const cli = path.join(__dirname, '..', 'client', 'cli', 'main.ts');
const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
