/**
 * `baton init [dir]`: scaffolds a project that works at once — a two-agent team with a
 * hand-off and a tool, a workflow spec, a test on the scripted model, and the scripts to run
 * them. The files come from the package's `templates/init/`; package.json is made here.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { searchAttributeFlags } from '../../../core/search-attributes';
import { packageRoot } from '../../package-root';
import { UsageError } from '../context';

export interface InitFlags {
  /** The `baton` dependency: a version range, or a tarball or folder path (default `^<this version>`). */
  baton?: string;
  /** The package name (default: the folder's name, made a valid npm name). */
  name?: string;
}

/** Template files whose real names npm would drop from a tarball. */
const renamed = new Map([['gitignore', '.gitignore']]);

interface BatonManifest {
  version: string;
  engines?: { node?: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

function templateFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? templateFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]);
}

/** A valid npm package name from a folder name (`My Agents` → `my-agents`). */
export function packageNameFor(folder: string): string {
  const name = folder.toLowerCase().replace(/[^a-z0-9._~-]+/g, '-').replace(/^[._-]+|-+$/g, '');
  return name || 'baton-agents';
}

/** `--baton`: a path that exists becomes an absolute `file:` spec (npm reads relative ones from the project). */
function batonDependency(spec: string | undefined, version: string, cwd: string): string {
  if (spec === undefined) return `^${version}`;
  if (!spec.trim()) throw new UsageError('--baton needs a version range or a path to a baton tarball or folder');
  const local = path.resolve(cwd, spec.replace(/^file:/, ''));
  return existsSync(local) ? `file:${local}` : spec;
}

/** Pins a dependency to Baton's own range for it, so the project's copy matches what Baton was built with. */
function range(manifest: BatonManifest, name: string): string {
  const found = manifest.dependencies[name] ?? manifest.devDependencies[name];
  if (!found) throw new Error(`Baton's package.json has no ${name}: its files are incomplete`);
  return found;
}

function projectManifest(name: string, baton: string, manifest: BatonManifest): string {
  return `${JSON.stringify({
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: manifest.engines?.node ?? '>=20.9.0' },
    scripts: {
      dev: ['temporal server start-dev', ...searchAttributeFlags.map((flag) => `--search-attribute ${flag}`)].join(' '),
      worker: 'baton worker',
      test: 'vitest run',
      typecheck: 'tsc --noEmit',
    },
    dependencies: { baton, zod: range(manifest, 'zod') },
    devDependencies: { '@types/node': range(manifest, '@types/node'), typescript: range(manifest, 'typescript'), vitest: range(manifest, 'vitest') },
  }, null, 2)}\n`;
}

/** Every file of the scaffold (path in the project → content). */
export function scaffoldFiles(name: string, batonSpec: string, root = packageRoot()): Map<string, string> {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as BatonManifest;
  const templates = path.join(root, 'templates', 'init');
  const files = new Map<string, string>([['package.json', projectManifest(name, batonSpec, manifest)]]);
  for (const file of templateFiles(templates).sort()) {
    const content = readFileSync(path.join(templates, file), 'utf8').replaceAll('{{name}}', name);
    files.set(renamed.get(file) ?? file, content);
  }
  return files;
}

export async function initCommand(dir: string | undefined, flags: InitFlags): Promise<number> {
  const target = path.resolve(dir ?? '.');
  const manifest = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as BatonManifest;
  const name = flags.name ?? packageNameFor(path.basename(target));
  if (!/^(@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/.test(name)) throw new UsageError(`--name "${name}" is not a valid npm package name (lower case letters, digits, - . _ ~, optionally @scope/)`);
  const files = scaffoldFiles(name, batonDependency(flags.baton, manifest.version, process.cwd()));
  const existing = [...files.keys()].filter((file) => existsSync(path.join(target, file)));
  if (existing.length) {
    console.error(`baton init: ${target} already has ${existing.join(', ')}; nothing was written (move ${existing.length === 1 ? 'it' : 'them'} away, or init another folder)`);
    return 1;
  }
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    writeFileSync(path.join(target, file), content, { flag: 'wx' });
  }
  const where = path.relative(process.cwd(), target) || '.';
  console.log(`created ${name} in ${where}: ${[...files.keys()].join(', ')}`);
  console.log(`next: ${where === '.' ? '' : `cd ${where} && `}npm install && npm test   (then README.md: npm run dev, npm run worker, npx baton run)`);
  return 0;
}
