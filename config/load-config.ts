/** Loads `baton.config.ts` (or .js/.mjs) and validates it. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, validateConfig, type BatonConfig } from './define-config';

export const defaultConfigFiles = ['baton.config.ts', 'baton.config.js', 'baton.config.cjs'];

/** Finds the config file: an explicit path, else BATON_CONFIG, else the defaults in `cwd`. */
export function resolveConfigPath(explicit?: string, cwd = process.cwd()): string {
  const chosen = explicit ?? process.env.BATON_CONFIG;
  if (chosen) {
    const full = path.resolve(cwd, chosen);
    if (!existsSync(full)) throw new ConfigError(chosen, [{ path: '(file)', message: `config file not found: ${full}` }]);
    return full;
  }
  for (const name of defaultConfigFiles) {
    const full = path.join(cwd, name);
    if (existsSync(full)) return full;
  }
  throw new ConfigError('baton.config.ts', [{ path: '(file)', message: `no ${defaultConfigFiles.join(' / ')} in ${cwd}; pass --config <file>` }]);
}

/** Imports and validates a config file. TypeScript configs load through tsx. */
export async function loadConfig(explicit?: string, cwd?: string): Promise<BatonConfig> {
  const file = resolveConfigPath(explicit, cwd);
  let exported: unknown;
  try {
    // tsx's require loads TypeScript and plain CommonJS alike.
    const { require: tsxRequire } = await import('tsx/cjs/api');
    exported = tsxRequire(file, __filename);
  } catch (err) {
    throw new ConfigError(path.basename(file), [{ path: '(file)', message: `could not load: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  const config = (exported as { default?: unknown }).default ?? exported;
  return validateConfig(config, path.relative(process.cwd(), file) || file);
}
