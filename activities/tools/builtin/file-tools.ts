/**
 * Built-in file tools, confined to one folder. Paths are relative to the root; absolute
 * paths, `..` that leaves the root, NUL bytes and symlinks that lead out of the root are
 * refused before anything is read or written. Refusals never show the real root path.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ToolError, defineTool, type BatonTool } from '../define-tool';

export interface FileToolsOptions {
  /** The folder the tools may use; nothing outside it is reachable. */
  root: string;
  /** Tool names are `<prefix>_read`, `<prefix>_list`, `<prefix>_write` (default `file`). */
  prefix?: string;
  /** Adds `<prefix>_write` (risk medium). Off by default. */
  allowWrite?: boolean;
  /** Largest file `<prefix>_read` returns and `<prefix>_write` writes, in bytes (default 1 MB). */
  maxBytes?: number;
}

const refuse = (why: string): never => {
  throw new ToolError(why, 'refused');
};

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  // A path-boundary check: `/a/b` holds `/a/b/c` and `/a/b/..x`, not `/a/bc`.
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** Checks a model-supplied relative path lexically; returns its absolute form under `root`. */
function lexicalPath(root: string, requested: string): string {
  if (requested.includes('\0')) refuse('refused: the path contains a NUL byte');
  if (path.isAbsolute(requested) || path.win32.isAbsolute(requested) || /^[a-zA-Z]:/.test(requested)) {
    refuse(`refused: "${requested}" is absolute; use a path relative to the tool's folder`);
  }
  const normalized = path.normalize(requested.replace(/\\/g, '/'));
  const full = path.resolve(root, normalized);
  if (!isInside(root, full)) refuse(`refused: "${requested}" leads outside the tool's folder`);
  return full;
}

/** The real path of `full` (or of its nearest existing parent), which must stay under the real root. */
async function confinedPath(realRoot: string, root: string, requested: string): Promise<string> {
  const full = lexicalPath(root, requested);
  let existing = full;
  const missing: string[] = [];
  for (;;) {
    try {
      const real = await realpath(existing);
      if (!isInside(realRoot, real)) refuse(`refused: "${requested}" goes through a link that leads outside the tool's folder`);
      return path.join(real, ...missing.reverse());
    } catch (err) {
      if (err instanceof ToolError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      // A dangling symlink: refuse rather than let a write create its target.
      const link = await lstat(existing).catch(() => undefined);
      if (link?.isSymbolicLink()) refuse(`refused: "${requested}" goes through a link that leads outside the tool's folder`);
      if (existing === root) throw err;
      missing.push(path.basename(existing));
      existing = path.dirname(existing);
    }
  }
}

/** Common file-system errors as tool errors naming the relative path (never the real one). */
function fsError(requested: string, err: unknown): never {
  if (err instanceof ToolError) throw err;
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT': throw new ToolError(`no such file: ${requested}`);
    case 'ENOTDIR': throw new ToolError(`not a folder (or a path through a file): ${requested}`);
    case 'EISDIR': throw new ToolError(`is a folder: ${requested}`);
    case 'EACCES': case 'EPERM': throw new ToolError(`permission denied: ${requested}`);
    // O_NOFOLLOW met a link swapped in after the check.
    case 'ELOOP': throw new ToolError(`refused: "${requested}" is a link`, 'refused');
    default: throw err;
  }
}

/** File tools over `options.root`: read, list, and (if allowed) write. */
export function fileTools(options: FileToolsOptions): BatonTool[] {
  const prefix = options.prefix ?? 'file';
  const root = path.resolve(options.root);
  const maxBytes = options.maxBytes ?? 1_000_000;
  let realRoot: Promise<string> | undefined;
  const resolve = async (requested: string) => {
    realRoot ??= realpath(root).catch((err: unknown) => {
      realRoot = undefined;
      throw err;
    });
    return confinedPath(await realRoot, root, requested).catch((err: unknown) => fsError(requested, err));
  };

  const tools: BatonTool[] = [
    defineTool({
      name: `${prefix}_read`,
      description: `Reads a text file. Paths are relative to the tool's folder.`,
      input: z.object({ path: z.string().min(1).describe('Relative path of the file') }),
      async execute({ path: requested }) {
        const file = await resolve(requested);
        // O_NOFOLLOW: a link swapped in after the check is not followed.
        const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: unknown) => fsError(requested, err));
        try {
          const info = await handle.stat();
          if (!info.isFile()) throw new ToolError(`not a file: ${requested}`);
          if (info.size > maxBytes) throw new ToolError(`${requested} is ${info.size} bytes, over the limit of ${maxBytes}`);
          return await handle.readFile('utf8');
        } finally {
          await handle.close();
        }
      },
    }),
    defineTool({
      name: `${prefix}_list`,
      description: `Lists a folder: names, types and sizes. Paths are relative to the tool's folder.`,
      input: z.object({ path: z.string().default('.').describe('Relative path of the folder (default: the tool\'s folder)') }),
      async execute({ path: requested }) {
        const dir = await resolve(requested);
        const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => fsError(requested, err));
        // lstat, not stat: a link is listed as a link and never followed.
        return Promise.all(
          entries.sort((a, b) => a.name.localeCompare(b.name)).map(async (entry) => ({
            name: entry.name,
            type: entry.isFile() ? 'file' : entry.isDirectory() ? 'dir' : entry.isSymbolicLink() ? 'symlink' : 'other',
            size: entry.isFile() ? ((await lstat(path.join(dir, entry.name)).catch(() => undefined))?.size ?? null) : null,
          })),
        );
      },
    }),
  ];
  if (options.allowWrite) {
    tools.push(
      defineTool({
        name: `${prefix}_write`,
        description: `Writes a text file, creating folders as needed. Paths are relative to the tool's folder.`,
        input: z.object({ path: z.string().min(1), content: z.string() }),
        risk: 'medium',
        async execute({ path: requested, content }) {
          const bytes = Buffer.byteLength(content);
          if (bytes > maxBytes) throw new ToolError(`the content is ${bytes} bytes, over the limit of ${maxBytes}; nothing was written`, 'refused');
          const file = await resolve(requested);
          await mkdir(path.dirname(file), { recursive: true }).catch((err: unknown) => fsError(requested, err));
          const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644).catch((err: unknown) =>
            fsError(requested, err),
          );
          try {
            await handle.writeFile(content, 'utf8');
          } finally {
            await handle.close();
          }
          return { path: requested, bytes };
        },
      }),
    );
  }
  return tools;
}
