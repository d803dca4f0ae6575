/**
 * Loads ./schemas (zod and every schema) on first use in this workflow execution only. No
 * module-level cache: this module is preloaded (shared by every execution of a worker thread),
 * and webpack's own module cache is per execution, so each run that needs them loads its own.
 * Workflow files import schemas' types with `import type`, never its values; the lint
 * config forbids value imports of zod and of core's schema modules under workflows/.
 */
import type * as Schemas from './schemas';

export function schemas(): typeof Schemas {
  // A deferred require is the point: webpack evaluates the module on this call, not at import.
  // eslint-disable-next-line no-restricted-globals, @typescript-eslint/no-require-imports
  return require('./schemas') as typeof Schemas;
}
