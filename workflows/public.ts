/**
 * `baton/workflows`: for clients and for your own Temporal workflows around Baton's. The
 * workflows a Baton worker registers (start them as child workflows on its task queue),
 * their queries, Updates and signals, and `fanOut`, the concurrency-limited fan-out the
 * patterns use. Kept apart from `index.ts` (the worker's workflowsPath), because every
 * function exported there is registered as a workflow type. Runs in the workflow sandbox.
 */
export * from './index';
export { fanOut, type BranchOutcome, type FanOutOptions } from './patterns/fan-out';
