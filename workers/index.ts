/**
 * `baton/worker`: run Baton's workflows and activities in your own process. `runWorker`
 * is what `baton worker` runs (connect, serve, drain on SIGTERM); `createBatonWorker`
 * gives a Temporal Worker to run alongside your own.
 */
export { createBatonWorker, type BatonWorkerOptions } from './create-worker';
export { runWorker, type RunWorkerOptions } from './run-worker';
