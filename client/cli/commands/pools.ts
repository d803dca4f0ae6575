/** `baton pools`: every pool's workers, backlog and dispatch rate, from DescribeTaskQueue. */
import { poolReports, type PoolReport } from '../../ops/registry';
import { connect, UsageError, type GlobalFlags } from '../context';
import { formatDate, table } from '../format';

const age = (ms: number) => (ms <= 0 ? '-' : ms < 60_000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms / 60_000)}m`);

function workerLines(pool: PoolReport): string[] {
  return pool.workers.map((w) => `  ${pool.name}: ${w.identity} · last poll ${formatDate(w.lastAccessTime)}${w.buildId ? ` · build ${w.buildId}` : ''}`);
}

/** Prints one row per pool, its workers below, and a warning for each pool with a backlog and no pollers. */
export async function poolsCommand(flags: { json?: boolean }, globals: GlobalFlags): Promise<number> {
  const { client, config } = await connect(globals);
  if (!config) throw new UsageError('baton pools needs a config file (--config or baton.config.ts)');
  const pools = await poolReports(client, config);
  if (flags.json) {
    console.log(JSON.stringify(pools, null, 2));
    return pools.some((p) => p.warning) ? 1 : 0;
  }
  const rows = pools.map((p) => [p.name, p.taskQueue, String(p.workers.length), String(p.backlog.workflow + p.backlog.activity), age(p.backlog.ageMs), p.dispatchPerSecond.toFixed(1), p.agents.join(', ') || '-']);
  console.log(table([['POOL', 'TASK QUEUE', 'WORKERS', 'BACKLOG', 'AGE', 'DISPATCH/S', 'AGENTS'], ...rows]));
  const workers = pools.flatMap(workerLines);
  if (workers.length) console.log(`\nworkers:\n${workers.join('\n')}`);
  for (const pool of pools) if (pool.warning) console.log(`\n! pool ${pool.name}: ${pool.warning}`);
  return pools.some((p) => p.warning) ? 1 : 0;
}
