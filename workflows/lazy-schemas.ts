/**
 * Loads ./schemas (zod and every schema) on first use in this workflow execution only.
 * Workflow files import schemas' types with `import type`, never its values; the lint
 * config forbids value imports of zod and of core's schema modules under workflows/.
 */
import type * as Schemas from './schemas';

let loaded: typeof Schemas | undefined;

export function schemas(): typeof Schemas {
  // A deferred require is the point: webpack evaluates the module on this call, not at import.
  // eslint-disable-next-line no-restricted-globals, @typescript-eslint/no-require-imports
  loaded ??= require('./schemas') as typeof Schemas;
  return loaded;
}
