/** Where Baton's own files are: the folder of its package.json, from source or from `dist/`. */
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The package's root folder (the one holding `package.json`, `bin/` and `templates/`),
 * found by walking up from this file: it sits one level deeper in the built package
 * (`dist/client/`) than in the repository (`client/`).
 */
export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}: Baton's files are incomplete`);
  }
}
