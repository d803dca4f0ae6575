// Lint: the recommended TypeScript rules everywhere, plus the sandbox boundary:
// code that runs in the Temporal workflow sandbox (workflows/, core/) may not import
// Node built-ins, SDK clients or anything that does I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const sandboxForbidden = {
  paths: [
    ...['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'dns', 'tls', 'worker_threads', 'process', 'stream', 'events', 'timers', 'zlib'].map((name) => ({
      name,
      message: 'Sandbox code must be deterministic: no Node built-ins in workflows/ or core/.',
    })),
    ...['openai', '@anthropic-ai/sdk', 'ajv', '@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'].map((name) => ({
      name,
      message: 'Sandbox code may not import SDK clients or worker-side packages; use `import type` for activities.',
      allowTypeImports: true,
    })),
  ],
  patterns: [
    { group: ['node:*'], message: 'Sandbox code must be deterministic: no node:* modules.' },
    { group: ['@modelcontextprotocol/*', '@temporalio/common/lib/internal-non-workflow*'], message: 'Not bundle-safe in the workflow sandbox.', allowTypeImports: true },
    { group: ['**/activities', '**/activities/*', '**/workers/*', '**/client/*', '**/config/*'], message: 'Sandbox code may import activities as types only.', allowTypeImports: true },
  ],
};

// zod and Baton's schemas cost ~14 ms to evaluate per workflow execution (each execution
// has its own module cache), so workflow files and the core modules they use import them
// as types only; workflows/schemas.ts holds the schemas and loads lazily.
const schemaModules = ['agent-spec', 'tool-spec', 'messages', 'durations', 'run', 'workflow-spec', 'tool-plan', 'run-budget-schema'];
const zodFreeMessage = 'Keep zod off the workflow path: import values from zod-free core modules (usage, hash, steps, …) and schemas through schemas() (workflows/lazy-schemas.ts).';
const workflowsForbidden = {
  paths: [...sandboxForbidden.paths, { name: 'zod', message: zodFreeMessage, allowTypeImports: true }],
  patterns: [
    ...sandboxForbidden.patterns,
    { regex: `^(\\.\\./)+core(/index|/${schemaModules.join('|/')})?$`, message: zodFreeMessage, allowTypeImports: true },
  ],
};
const zodFreeCoreFiles = ['usage', 'tool-definition', 'steps', 'tool-plan-run', 'run-input', 'failures', 'hash', 'conversation', 'tool-search', 'search-attributes', 'spec-run', 'model-contract', 'tool-contract', 'run-budget', 'served-by'].map((m) => `core/${m}.ts`);
const zodFreeCore = {
  paths: workflowsForbidden.paths,
  patterns: [...sandboxForbidden.patterns, { regex: `^\\./(${schemaModules.join('|')})$`, message: zodFreeMessage, allowTypeImports: true }],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.temporal/**', '.baton/**', 'test/fixtures/histories/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', sandboxForbidden],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'No process.env in sandbox code.' },
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Not deterministic.' },
        { name: 'fetch', message: 'No I/O in sandbox code.' },
        { name: 'require', message: 'Use static imports.' },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/schemas.ts'],
    rules: { 'no-restricted-imports': ['error', workflowsForbidden] },
  },
  {
    files: zodFreeCoreFiles,
    rules: { 'no-restricted-imports': ['error', zodFreeCore] },
  },
  {
    // baton/testing ships to projects that may use another test runner (jest, mocha, node:test).
    files: ['testing/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['vitest', 'jest', '@jest/globals', 'mocha', 'node:test', '@temporalio/testing'].map((name) => ({ name, message: 'The testing kit must work with any runner and without devDependencies.' })),
        patterns: [{ group: ['vitest/*', '**/test/*', '../test'], message: 'The testing kit ships in the package; test/ does not.' }],
      }],
    },
  },
  {
    files: ['bin/**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
