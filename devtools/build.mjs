// `npm run build` (and `prepack`): compiles the package into dist/ (JavaScript and declaration
// files, CommonJS) with tsconfig.build.json, and copies the files tsc does not emit.
import { cpSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
/** Plain CommonJS the SDK loads by path (failureConverterPath), so it must sit beside the built codec. */
const copied = ['codec/encoded-failure-converter.cjs'];

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
for (const file of copied) cpSync(path.join(root, file), path.join(dist, file));
