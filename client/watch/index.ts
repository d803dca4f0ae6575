export * from './events';
export { watchRun, RunNotFoundError } from './watch-run';
