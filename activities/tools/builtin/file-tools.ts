/**
 * Built-in file tools, confined to one folder. Paths are relative to the root; absolute
 * paths, `..` that leaves the root, NUL bytes and links that lead out of the root are
 * refused. Files are opened component by component without following links (see
 * ./confined-open.ts), so a folder swapped for a symlink mid-call cannot lead outside;
 * only regular files with one hard link, and folders, are used. Every error names the
 * relative path only, never the real root.
 */
import { lstat, readdir, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ToolError, defineTool, type BatonTool } from '../define-tool';
import { fileErrorAsToolError, inFolder, openConfined, type OpenPurpose } from './confined-open';

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

/** Checks a model-supplied relative path lexically; returns its components under the root. */
function lexicalComponents(requested: string): string[] {
  if (requested.includes('\0')) refuse('refused: the path contains a NUL byte');
  if (path.isAbsolute(requested) || path.win32.isAbsolute(requested) || /^[a-zA-Z]:/.test(requested)) {
    refuse(`refused: "${requested}" is absolute; use a path relative to the tool's folder`);
  }
  const normalized = path.posix.normalize(requested.replace(/\\/g, '/'));
  if (normalized === '..' || normalized.startsWith('../')) refuse(`refused: "${requested}" leads outside the tool's folder`);
  return normalized.split('/').filter((c) => c !== '' && c !== '.');
}

/** Reads at most `limit + 1` bytes, so a file that grows after its size was checked is still bounded. */
async function readBounded(handle: FileHandle, limit: number): Promise<Buffer> {
  const buffer = Buffer.alloc(limit + 1);
  let filled = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
    if (bytesRead === 0 || filled + bytesRead >= buffer.length) return buffer.subarray(0, filled + bytesRead);
    filled += bytesRead;
  }
}

/** File tools over `options.root`: read, list, and (if allowed) write. */
export function fileTools(options: FileToolsOptions): BatonTool[] {
  const prefix = options.prefix ?? 'file';
  const root = path.resolve(options.root);
  const maxBytes = options.maxBytes ?? 1_000_000;
  let realRoot: Promise<string> | undefined;
  /** Opens `requested` confined to the root, runs `use` on it, closes it; every error is a ToolError. */
  const withConfined = async <T>(requested: string, purpose: OpenPurpose, use: (handle: FileHandle) => Promise<T>): Promise<T> => {
    try {
      const components = lexicalComponents(requested);
      realRoot ??= realpath(root).catch((err: unknown) => {
        realRoot = undefined;
        throw err;
      });
      const handle = await openConfined(root, [root, await realRoot], components, purpose, requested);
      try {
        return await use(handle);
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw fileErrorAsToolError(requested, err);
    }
  };

  const tools: BatonTool[] = [
    defineTool({
      name: `${prefix}_read`,
      description: `Reads a text file. Paths are relative to the tool's folder.`,
      input: z.object({ path: z.string().min(1).describe('Relative path of the file') }),
      execute: ({ path: requested }) =>
        withConfined(requested, 'read', async (handle) => {
          const content = await readBounded(handle, maxBytes);
          if (content.length > maxBytes) {
            const { size } = await handle.stat();
            throw new ToolError(`${requested} is ${Math.max(size, content.length)} bytes, over the limit of ${maxBytes}`);
          }
          return content.toString('utf8');
        }),
    }),
    defineTool({
      name: `${prefix}_list`,
      description: `Lists a folder: names, types and sizes. Paths are relative to the tool's folder.`,
      input: z.object({ path: z.string().default('.').describe('Relative path of the folder (default: the tool\'s folder)') }),
      execute: ({ path: requested }) =>
        withConfined(requested, 'list', async (folder) => {
          const entries = await readdir(`/proc/self/fd/${folder.fd}`, { withFileTypes: true });
          // lstat, not stat: a link is listed as a link and never followed.
          return Promise.all(
            entries.sort((a, b) => a.name.localeCompare(b.name)).map(async (entry) => ({
              name: entry.name,
              type: entry.isFile() ? 'file' : entry.isDirectory() ? 'dir' : entry.isSymbolicLink() ? 'symlink' : 'other',
              size: entry.isFile() ? ((await lstat(inFolder(folder, entry.name)).catch(() => undefined))?.size ?? null) : null,
            })),
          );
        }),
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
          // Opened without O_TRUNC; emptied only after openConfined checked what it is.
          await withConfined(requested, 'write', async (handle) => {
            await handle.truncate(0);
            await handle.writeFile(content, 'utf8');
          });
          return { path: requested, bytes };
        },
      }),
    );
  }
  return tools;
}
