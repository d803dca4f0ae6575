#!/usr/bin/env node
// The `baton` command. Installed, it runs the built CLI (dist/); in the repository, where the
// TypeScript sources sit next to this file, it runs them through tsx instead, so a checkout
// needs no build. Either way config files load through tsx (see config/load-config.ts). The
// CLI runs in this process: a signal sent to it (kill -TERM, Ctrl-C) reaches the worker
// itself, with no child left behind.
const { existsSync } = require('node:fs');
const path = require('node:path');

const source = path.join(__dirname, '..', 'client', 'cli', 'main.ts');
// `import('tsx')` registers the same ESM and CommonJS loaders as `node --import tsx`.
const loadCli = existsSync(source)
  ? import('tsx').then(() => require(source))
  : Promise.resolve().then(() => require(path.join(__dirname, '..', 'dist', 'client', 'cli', 'main.js')));

loadCli
  .then((cli) => cli.main(process.argv.slice(2)))
  .then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`baton: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
