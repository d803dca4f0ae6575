/** `baton agents list | show <name>`: the configured agents, with what their runs are doing. */
import { agentReport, registeredAgents } from '../../ops/registry';
import { configFor, connect, UsageError, type GlobalFlags } from '../context';
import { formatUsage, table } from '../format';

/** Prints every configured agent: pool, provider and model, tools, spec hash. */
export async function agentsListCommand(flags: { json?: boolean }, globals: GlobalFlags): Promise<number> {
  const config = await configFor(globals, true);
  const agents = config ? registeredAgents(config) : [];
  if (flags.json) console.log(JSON.stringify(agents, null, 2));
  else if (!agents.length) console.log('no agents are configured');
  else console.log(table([['AGENT', 'POOL', 'MODEL', 'TOOLS', 'SPEC HASH'], ...agents.map((a) => [a.name, a.pool, `${a.provider}/${a.model}`, a.tools.join(', ') || '-', a.specHash])]));
  return 0;
}

/** Prints one agent's full spec, the spec hashes its open runs use, its runs of the last hour and their usage. */
export async function agentsShowCommand(name: string, flags: { json?: boolean; limit?: string }, globals: GlobalFlags): Promise<number> {
  const limit = Number(flags.limit ?? 200);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit takes a whole number above 0');
  const { client, config } = await connect(globals);
  if (!config) throw new UsageError('baton agents show needs a config file (--config or baton.config.ts)');
  if (!Object.hasOwn(config.agents, name)) throw new UsageError(`no agent named "${name}"; configured agents: ${Object.keys(config.agents).join(', ') || 'none'}`);
  const report = await agentReport(client, config, name, { limit });
  if (flags.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  const hashes = Object.entries(report.openSpecHashes).map(([hash, n]) => `${hash} × ${n}${hash === report.specHash ? ' (current)' : hash === 'unknown' ? ' (no worker answered)' : ' (older spec)'}`);
  const closed = Object.entries(report.closedLastHour).map(([status, n]) => `${n} ${status.toLowerCase()}`);
  console.log(table([
    ['agent', report.name],
    ['pool', `${report.pool} (task queue ${report.taskQueue})`],
    ['model', `${report.provider}/${report.model}`],
    ['spec hash', report.specHash],
    ['open runs', `${report.openRuns}${hashes.length ? ` · ${hashes.join(', ')}` : ''}`],
    ['closed last hour', closed.join(', ') || 'none'],
    ['usage', formatUsage(report.usage)],
  ]));
  if (report.truncated) console.log(`(read the first ${limit} runs only; raise --limit to read more)`);
  console.log(`\nspec:\n${JSON.stringify(report.spec, null, 2)}`);
  return 0;
}
