/** Finding the `temporal` CLI the way temporal-dev.sh does, so the kit works outside Baton's repository too. */
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Temporal CLI release Baton pins; temporal-dev.sh builds it into the per-user cache. */
export const pinnedCliVersion = 'v1.5.1';

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Where `./temporal-dev.sh install` puts the CLI it builds. */
export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cache, 'baton', `temporal-cli-${pinnedCliVersion}`, 'temporal');
}

/**
 * The Temporal CLI binary, in temporal-dev.sh's order: $TEMPORAL_CLI_PATH, a `temporal` on
 * the PATH, the per-user cache. Throws, saying how to get one, when there is none.
 */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CLI_PATH) {
    if (isExecutable(env.TEMPORAL_CLI_PATH)) return env.TEMPORAL_CLI_PATH;
    throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, 'temporal');
    if (candidate && isExecutable(candidate)) return candidate;
  }
  const cached = cachedCliPath(env);
  if (isExecutable(cached)) return cached;
  throw new Error(
    `no Temporal CLI found: install one (https://docs.temporal.io/cli#install) and put \`temporal\` on the PATH, ` +
      `or set TEMPORAL_CLI_PATH to a temporal binary, or set TEMPORAL_ADDRESS to a running server (looked in PATH and ${cached})`,
  );
}
