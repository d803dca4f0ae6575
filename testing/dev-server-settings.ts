/**
 * The settings every Baton dev server runs with, shipped with the package so a project's
 * tests get the same fast server as Baton's own. `devtools/dev-server.conf` holds the same
 * list for `temporal-dev.sh`; test/dev-server-script.test.ts checks that the two agree.
 */

/** `--dynamic-config-value` settings, each with why it is set. */
export const devServerDynamicConfig: ReadonlyArray<readonly [setting: string, why: string]> = [
  ['frontend.enableServerVersionCheck=false', 'offline: no call home to check the server version'],
  ['frontend.enableUpdateWorkflowExecution=true', 'Updates: approvals, sessions, replaceStep'],
  ['frontend.enableExecuteMultiOperation=true', 'update-with-start'],
  ['system.enableEagerWorkflowStart=true', 'the starting worker gets the first workflow task without a matching round trip'],
  ['system.enableActivityEagerExecution=true', 'the worker that completed a workflow task gets its first activity back at once'],
  ['matching.numTaskqueueReadPartitions=1', 'on one machine, partitions only split pollers and backlog'],
  ['matching.numTaskqueueWritePartitions=1', 'as above'],
  ['history.transferProcessorMaxPollRPS=1000', 'the default 20 makes every dispatch wait for the next 50 ms tick'],
  ['history.timerProcessorMaxPollRPS=1000', 'timers fire without that wait'],
  ['history.visibilityProcessorMaxPollRPS=1000', 'visibility (baton list) without that wait'],
];

/** `--sqlite-pragma` settings: WAL and no fsync per commit (a machine crash may lose a dev database's last writes). */
export const devServerSqlitePragmas: readonly string[] = ['journal_mode=WAL', 'synchronous=OFF'];

/** The flags every Baton dev server runs with, in `temporal server start-dev` syntax. */
export function devServerFlags(): string[] {
  return [
    ...devServerDynamicConfig.flatMap(([setting]) => ['--dynamic-config-value', setting]),
    ...devServerSqlitePragmas.flatMap((pragma) => ['--sqlite-pragma', pragma]),
  ];
}
