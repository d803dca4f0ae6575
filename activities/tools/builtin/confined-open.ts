/**
 * Opens a path under a root without the operating system ever following a link: each
 * component is opened relative to the folder already opened before it, through
 * `/proc/self/fd/<fd>/<name>` with `O_NOFOLLOW` (openat semantics on Linux), so swapping a
 * folder for a symlink between a check and an open has nothing to race. Links are read and
 * resolved here, lexically, and only while they stay inside the root. Only regular files
 * with one hard link and folders are ever returned; named pipes are opened non-blocking so
 * they are refused instead of hanging, and a write never truncates or creates anything
 * before the checks pass.
 */
import { constants, existsSync } from 'node:fs';
import { mkdir, open, readlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '../define-tool';

const { O_RDONLY, O_WRONLY, O_CREAT, O_NOFOLLOW, O_DIRECTORY, O_NONBLOCK } = constants;
/** As many links as Linux follows in one path before it answers ELOOP. */
const maxLinks = 40;
/** Whether this system has /proc/self/fd (checked once). */
let hasProcFd: boolean | undefined;

/** What the caller will do with the handle: a file to read or write, or a folder to list. */
export type OpenPurpose = 'read' | 'write' | 'list';

const refuse = (why: string): never => {
  throw new ToolError(why, 'refused');
};

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** The path of `name` inside an open folder, resolved by the kernel from the descriptor. */
export const inFolder = (folder: FileHandle, name: string): string => `/proc/self/fd/${folder.fd}/${name}`;

/** The components of `link`'s target relative to the root, or undefined if it leads outside. */
function linkTargetInRoot(target: string, roots: readonly string[]): string[] | undefined {
  if (!path.isAbsolute(target)) return target.split('/');
  const normalized = path.normalize(target);
  for (const root of roots) {
    const relative = path.relative(root, normalized);
    if (relative === '') return [];
    if (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)) return relative.split(path.sep);
  }
  return undefined;
}

async function openComponent(target: string, last: boolean, purpose: OpenPurpose): Promise<FileHandle> {
  if (last && purpose === 'read') return open(target, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  // No O_TRUNC: the file is truncated only after it has been checked.
  if (last && purpose === 'write') return open(target, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o644);
  if (!last && purpose === 'write') {
    // Created inside the already-opened parent; an existing link here gives EEXIST and is read below.
    await mkdir(target).catch((err: unknown) => {
      if (errnoOf(err) !== 'EEXIST') throw err;
    });
  }
  return open(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

async function checkFinal(handle: FileHandle, requested: string, purpose: OpenPurpose): Promise<void> {
  const info = await handle.stat();
  if (purpose === 'list') return; // O_DIRECTORY already guarantees a folder
  if (info.isDirectory()) throw new ToolError(`is a folder: ${requested}`);
  if (!info.isFile()) refuse(`refused: "${requested}" is not a regular file`);
  // A second name for the same file may live outside the root.
  if (info.nlink > 1) refuse(`refused: "${requested}" has more than one hard link`);
}

/**
 * Opens `components` (already checked lexically: no `..` that leaves the root) under `root`.
 * `roots` are the spellings of the root an absolute link target may start with. The caller
 * closes the returned handle. Errno errors are thrown as they are; see `fileErrorAsToolError`.
 */
export async function openConfined(root: string, roots: readonly string[], components: readonly string[], purpose: OpenPurpose, requested: string): Promise<FileHandle> {
  hasProcFd ??= existsSync('/proc/self/fd');
  if (!hasProcFd) refuse('refused: the file tools need /proc/self/fd (Linux) to open files without following links');
  const folders: FileHandle[] = [await open(root, O_RDONLY | O_DIRECTORY)];
  const queue = components.filter((c) => c !== '' && c !== '.');
  let links = 0;
  let result: FileHandle | undefined;
  try {
    while (queue.length) {
      const name = queue.shift() as string;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        if (folders.length === 1) refuse(`refused: "${requested}" goes through a link that leads outside the tool's folder`);
        await folders.pop()?.close();
        continue;
      }
      const folder = folders[folders.length - 1] as FileHandle;
      const target = inFolder(folder, name);
      const last = !queue.some((c) => c !== '' && c !== '.');
      let handle: FileHandle;
      try {
        handle = await openComponent(target, last, purpose);
      } catch (err) {
        const code = errnoOf(err);
        if (code !== 'ELOOP' && code !== 'ENOTDIR') throw err;
        const link = await readlink(target).catch(() => undefined);
        if (link === undefined) throw err;
        if (++links > maxLinks) throw err;
        const next = linkTargetInRoot(link, roots);
        if (!next) return refuse(`refused: "${requested}" goes through a link that leads outside the tool's folder`);
        if (path.isAbsolute(link)) while (folders.length > 1) await folders.pop()?.close();
        queue.unshift(...next);
        continue;
      }
      if (last) result = handle;
      else folders.push(handle);
    }
    if (!result) {
      // The root itself (or a link back to it): hand over its folder handle.
      result = folders.pop() as FileHandle;
    }
    await checkFinal(result, requested, purpose);
    return result;
  } catch (err) {
    await result?.close();
    throw err;
  } finally {
    await Promise.all(folders.map((f) => f.close()));
  }
}

const errnoMessages = new Map<string, (requested: string) => string>(Object.entries({
  ENOENT: (p) => `no such file: ${p}`,
  ENOTDIR: (p) => `not a folder (or a path through a file): ${p}`,
  EISDIR: (p) => `is a folder: ${p}`,
  EEXIST: (p) => `a file is in the way of a folder on the path: ${p}`,
  EACCES: (p) => `permission denied: ${p}`,
  EPERM: (p) => `permission denied: ${p}`,
  ENAMETOOLONG: (p) => `a name in "${p}" is too long for the file system`,
  ELOOP: (p) => `refused: "${p}" goes through too many links`,
  ENXIO: (p) => `refused: "${p}" is not a regular file`,
  ENOSPC: (p) => `the disk is full; nothing more can be written to ${p}`,
  EROFS: (p) => `the tool's folder is read-only; cannot write ${p}`,
}));

/**
 * Any error from opening or using `requested` as a ToolError that names only the relative
 * path: an errno never reaches the model or history with the real path in its message.
 */
export function fileErrorAsToolError(requested: string, err: unknown): ToolError {
  if (err instanceof ToolError) return err;
  const code = errnoOf(err) ?? 'an unexpected error';
  const message = errnoMessages.get(code)?.(requested) ?? `the file system refused ${requested} (${code})`;
  return new ToolError(message, message.startsWith('refused:') ? 'refused' : 'failed');
}
