/** The `baton` CLI. Every error is one clear line and a non-zero exit, never a stack trace. */
import { Command, CommanderError } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ConfigError } from '../../config/define-config';
import { UnreachableServerError } from '../connection';
import { configFor, UsageError, type GlobalFlags } from './context';
import { runCommand } from './commands/run';
import { statusCommand } from './commands/status';
import { inspectCommand } from './commands/inspect';
import { resultCommand } from './commands/result';
import { watchCommand } from './commands/watch';
import { listCommand } from './commands/list';
import { cancelCommand } from './commands/cancel';
import { approveCommand, pendingCommand } from './commands/approvals';
import { toolsDescribeCommand, toolsListCommand, toolsSearchCommand } from './commands/tools';
import { agentsListCommand, agentsShowCommand } from './commands/agents';
import { poolsCommand } from './commands/pools';
import { storePruneCommand } from './commands/store';
import { historyExportCommand, replayCommand } from './commands/replay';
import { auditExportCommand, auditVerifyCommand } from './commands/audit';
import { codecServerCommand } from './commands/codec-server';
import { mcpCommand } from '../mcp-server/command';
import { initCommand } from './commands/init';
import { runWorker } from '../../workers/run-worker';

/** Exit codes: 0 ok, 1 failed, 2 wrong usage or config, 3 not finished yet. */
function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError) return 2;
  return 1;
}

function describeError(err: unknown): string {
  if (err instanceof WorkflowNotFoundError) return `no run with id ${err.workflowId ?? ''}`.trim();
  if (err instanceof ConfigError || err instanceof UsageError || err instanceof UnreachableServerError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Builds the command tree; `onExit` receives each command's exit code. */
export function buildProgram(onExit: (code: number) => void): Command {
  const program = new Command('baton')
    .description('Durable multi-agent LLM workflows on Temporal')
    .option('-c, --config <file>', 'config file (default: baton.config.ts, or $BATON_CONFIG)')
    .option('--address <host:port>', 'Temporal frontend (default: $TEMPORAL_ADDRESS, the config, or 127.0.0.1:7233)')
    .option('--namespace <name>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE, the config, or "default")')
    .option('--profile <name>', 'temporal.toml connection profile (default: $TEMPORAL_PROFILE, or "default" if the file has it; file: $TEMPORAL_CONFIG_FILE or ~/.config/temporalio/temporal.toml)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const globals = (): GlobalFlags => program.opts<GlobalFlags>();
  const set = (promise: Promise<number>) => promise.then(onExit);

  program.command('init [dir]').description('scaffold a project in dir (default: here): package.json, baton.config.ts with a two-agent team and a tool, a workflow spec, a test on the scripted model; never overwrites a file')
    .option('--baton <spec>', 'the baton dependency: a version range, or a path to a baton tarball or folder (default: ^ this version)')
    .option('--name <name>', 'the package name (default: the folder\'s name)')
    .action((dir: string | undefined, flags) => set(initCommand(dir, flags)));
  program.command('worker').description('run a worker for the configured agents and tools until Ctrl-C')
    .option('-q, --task-queue <queue>', 'task queue to poll (default: the config\'s)')
    .option('--metrics <host:port>', 'serve Prometheus metrics at http://<host:port>/metrics (a port alone: 127.0.0.1; default: the config\'s worker.metrics, or off)')
    .option('--health <host:port>', 'serve /healthz and /readyz for Kubernetes probes (a port alone: 127.0.0.1; default: the config\'s worker.health, or off)')
    .option('-p, --pool <name>', 'serve this pool only: its task queue, limits and MCP servers (default: the pool "default")')
    .action(async (flags: { taskQueue?: string; metrics?: string; health?: string; pool?: string }) => {
      const config = await configFor(globals(), true);
      await runWorker(config as NonNullable<typeof config>, { ...globals(), taskQueue: flags.taskQueue, pool: flags.pool, metrics: flags.metrics, health: flags.health });
    });
  program.command('run [agent]').description('start a run of a configured agent, or of a workflow spec; prints its id and Web UI link')
    .option('-s, --spec <file>', 'run a declarative workflow spec (YAML or JSON) instead of one agent')
    .option('-i, --input <text|@file>', 'the input text, or @path to read it from a file')
    .option('-w, --wait', 'wait for the result, showing progress')
    .option('--id <workflowId>', 'workflow id to use (default: baton-<agent>-<random>)')
    .option('-q, --task-queue <queue>', 'task queue of the workers to use')
    .option('--max-tokens <n>', 'run-wide budget: tokens of the whole run, child runs included')
    .option('--max-cost <usd>', 'run-wide budget: cost in US dollars of the whole run, child runs included')
    .action((agent: string | undefined, flags) => set(runCommand(agent, flags, globals())));
  program.command('status <id>').description('show where a run is: status, turn, last step, usage')
    .action((id: string) => set(statusCommand(id, globals())));
  program.command('inspect <id>').description('print a run as a tree from its history: agents, turns, tool calls, hand-offs, child runs, approvals, usage, durations')
    .option('--run-id <runId>', 'a specific run of the workflow id (default: the latest)')
    .option('--json', 'print the tree as JSON')
    .option('--depth <n>', 'levels of child runs to include', '5')
    .action((id: string, flags) => set(inspectCommand(id, flags, globals())));
  program.command('watch <id>').description('follow a run live until it ends: each agent\'s text as it streams, tool calls, hand-offs, approvals')
    .option('--json', 'print each event as a JSON line')
    .action((id: string, flags) => set(watchCommand(id, flags, globals())));
  program.command('result <id>').description('print the result of a finished run')
    .option('-w, --wait', 'wait for the run to finish')
    .option('--json', 'print the whole result as JSON')
    .action((id: string, flags) => set(resultCommand(id, flags, globals())));
  program.command('list').description('list recent Baton runs')
    .option('--agent <name>', 'only runs of this agent')
    .option('--status <status>', 'only runs in this status (running, completed, failed, cancelled)')
    .option('--limit <n>', 'at most this many runs', '20')
    .action((flags) => set(listCommand(flags, globals())));
  program.command('cancel <id>').description('cancel a run and its in-flight model and tool calls')
    .action((id: string) => set(cancelCommand(id, globals())));
  program.command('pending').description('list tool calls waiting for approval')
    .action(() => set(pendingCommand(globals())));
  program.command('approve <id> [approval]').description('approve (or --reject) a pending tool call of a run')
    .option('--reject', 'reject the call instead; the reason goes back to the model')
    .option('--reason <text>', 'why, recorded in history and shown to the model')
    .option('--as <name>', 'who decides, recorded with the decision (default: your OS user name)')
    .action((id: string, approval: string | undefined, flags) => set(approveCommand(id, approval, flags, globals())));
  const tools = program.command('tools').description('list, describe and search the configured tools');
  tools.command('list').description('every tool, with its source, risk level and error policy')
    .action(() => set(toolsListCommand(globals())));
  tools.command('describe <name>').description('a tool\'s full spec: input JSON Schema, timeouts, retries')
    .action((name: string) => set(toolsDescribeCommand(name, globals())));
  tools.command('search <words...>').description('tools whose name or description match the words')
    .action((words: string[]) => set(toolsSearchCommand(words, globals())));
  const agents = program.command('agents').description('the configured agents, and what their runs are doing');
  agents.command('list').description('every agent: pool, provider and model, tools, spec hash')
    .option('--json', 'print as JSON')
    .action((flags) => set(agentsListCommand(flags, globals())));
  agents.command('show <name>').description('an agent\'s full spec, the spec hashes of its open runs, its runs of the last hour and their tokens and cost')
    .option('--json', 'print as JSON')
    .option('--limit <n>', 'read at most this many runs', '200')
    .action((name: string, flags) => set(agentsShowCommand(name, flags, globals())));
  program.command('pools').description('every worker pool: its workers, backlog and dispatch rate; exit 1 when a pool has a backlog and no workers')
    .option('--json', 'print as JSON')
    .action((flags) => set(poolsCommand(flags, globals())));
  const store = program.command('store').description('maintain the content store and the tool cache');
  store.command('prune').description('remove entries older than each store\'s retention (default 30d); prints what it removed')
    .option('--older-than <duration>', 'use this age instead of the configured retention, e.g. 7d')
    .option('--dry-run', 'only report what would be removed')
    .action((flags) => set(storePruneCommand(flags, globals())));
  program.command('replay <id>').description('replay a run\'s history against this checkout\'s workflow code: "replays cleanly", or where it diverged')
    .option('--run-id <runId>', 'a specific run of the workflow id (default: the latest)')
    .option('--children', 'replay its child runs too')
    .option('--workflows <file>', 'replay against another workflows module instead of this checkout\'s')
    .action((id: string, flags) => set(replayCommand(id, flags, globals())));
  program.command('history').description('export run histories').command('export <id>').description('save a run\'s history as JSON, e.g. for a replay test fixture')
    .requiredOption('-o, --out <file>', 'the JSON file to write')
    .option('--run-id <runId>', 'a specific run of the workflow id (default: the latest)')
    .action((id: string, flags) => set(historyExportCommand(id, flags, globals())));
  const audit = program.command('audit').description('export runs as a tamper-evident audit trail, and check one');
  audit.command('export').description('write runs as redacted, hash-chained JSON Lines read from their histories (children included)')
    .option('--run <id>', 'one run (workflow id) and its child runs (default: every Baton run)')
    .option('--since <time>', 'only runs started since an ISO 8601 time or a duration back from now (24h, 7d)')
    .option('--agent <name>', 'only runs of this agent')
    .option('-o, --out <file>', 'the file to write (default: stdout)')
    .action((flags) => set(auditExportCommand(flags, globals())));
  audit.command('verify <file>').description('check an export\'s hash chain; names the first changed, dropped or reordered record')
    .action((file: string) => set(auditVerifyCommand(file)));
  program.command('codec-server').description('serve the payload encryption codec to the Web UI (Temporal\'s codec server protocol)')
    .requiredOption('-p, --port <port>', 'port to listen on')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--ui-origin <origin...>', 'Web UI origins allowed by CORS (default: the config\'s, or http://localhost:8233)')
    .option('--resolve-content', 'show stored conversations and tool results in place of their content-store references (display only)')
    .action((flags) => set(codecServerCommand(flags, globals())));
  program.command('mcp').description('serve Baton to IDEs and coding agents over MCP: stdio, or Streamable HTTP with --http')
    .option('--http <host:port>', 'serve Streamable HTTP at http://<host:port>/mcp instead (a port alone: 127.0.0.1); off loopback, $BATON_MCP_TOKEN is required')
    .option('--session-idle <duration>', 'with --http: end a session after this long without a request or open stream (30s, 10m, 2h)', '30m')
    .option('--print-config <client>', 'print the setup for claude, cursor or vscode, and exit')
    .action((flags) => set(mcpCommand(flags, globals())));
  return program;
}

/** Parses argv and runs one command; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    console.error(`baton: ${describeError(err)}`);
    if (process.env.BATON_DEBUG) console.error(err);
    return exitCodeFor(err);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
