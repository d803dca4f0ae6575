/** Loads `baton.config.ts` (or .js/.mjs) and validates it. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, validateConfig, type BatonConfig } from './define-config';

/** The config files looked for in the working directory, in order. */
export const defaultConfigFiles = ['baton.config.ts', 'baton.config.js', 'baton.config.cjs'];

/**
 * The config file to load: an explicit path or BATON_CONFIG (an error when it does not
 * exist), else the first default file in `cwd`, else undefined.
 */
export function findConfigPath(explicit?: string, cwd = process.cwd()): string | undefined {
  const chosen = explicit ?? process.env.BATON_CONFIG;
  if (chosen) {
    const full = path.resolve(cwd, chosen);
    if (!existsSync(full)) {
      const from = explicit ? '--config' : 'BATON_CONFIG';
      throw new ConfigError(chosen, [{ path: '(file)', message: `config file not found: ${full} (from ${from}); fix the path, or leave ${from} out to use ${defaultConfigFiles[0]}` }]);
    }
    return full;
  }
  return defaultConfigFiles.map((name) => path.join(cwd, name)).find((full) => existsSync(full));
}

/** Finds the config file: an explicit path, else BATON_CONFIG, else the defaults in `cwd`. */
export function resolveConfigPath(explicit?: string, cwd = process.cwd()): string {
  const found = findConfigPath(explicit, cwd);
  if (found) return found;
  throw new ConfigError('baton.config.ts', [{ path: '(file)', message: `no ${defaultConfigFiles.join(' / ')} in ${cwd}; pass --config <file>` }]);
}

/** Imports and validates a config file. TypeScript configs load through tsx; every failure is a ConfigError. */
export async function loadConfig(explicit?: string, cwd?: string): Promise<BatonConfig> {
  const file = resolveConfigPath(explicit, cwd);
  const source = path.relative(process.cwd(), file) || file;
  let config: unknown;
  try {
    // tsx's require loads TypeScript and plain CommonJS alike.
    const { require: tsxRequire } = await import('tsx/cjs/api');
    const exported: unknown = tsxRequire(file, __filename);
    config = typeof exported === 'object' && exported !== null && 'default' in exported ? exported.default : exported;
  } catch (err) {
    throw new ConfigError(source, [{ path: '(file)', message: `could not load: ${(err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ')}` }]);
  }
  return validateConfig(config, source);
}
