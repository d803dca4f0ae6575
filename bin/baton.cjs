#!/usr/bin/env node
// The `baton` command. The CLI (and the config files it loads) are TypeScript, so tsx's
// loaders are registered in this process and the CLI runs here too: a signal sent to this
// process (kill -TERM, Ctrl-C) reaches the worker itself, with no child left behind.
const path = require('node:path');

// `import('tsx')` registers the same ESM and CommonJS loaders as `node --import tsx`.
import('tsx')
  .then(() => require(path.join(__dirname, '..', 'client', 'cli', 'main.ts')).main(process.argv.slice(2)))
  .then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`baton: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
