/** `baton audit export` and `baton audit verify <file>`. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { DurationSchema, durationToMs } from '../../../core/durations';
import { defaultAuditSettings } from '../../ops/audit-settings';
import { exportAudit } from '../../ops/audit-export';
import { verifyAuditFile } from '../../ops/audit-verify';
import { connect, UsageError, type GlobalFlags } from '../context';

/** The flags of `baton audit export`. */
export interface AuditExportFlags {
  run?: string;
  since?: string;
  agent?: string;
  out?: string;
}

/** `--since`: an ISO 8601 time, or a duration back from now (`24h`, `7d`). */
export function parseSince(value: string, now = Date.now()): Date {
  const duration = DurationSchema.safeParse(value);
  if (duration.success) return new Date(now - durationToMs(duration.data));
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime())) {
    throw new UsageError(`--since: expected an ISO 8601 time (2026-11-25T14:00:00Z) or a duration back from now (24h, 7d), got "${value}"`);
  }
  return time;
}

/** Writes JSON Lines to `--out` (created with mode 0600, replaced if present) or to stdout. */
export async function auditExportCommand(flags: AuditExportFlags, globals: GlobalFlags): Promise<number> {
  if (flags.run && (flags.since || flags.agent)) throw new UsageError('--run exports one run and its children; --since and --agent filter the other runs, so use one or the other');
  const since = flags.since === undefined ? undefined : parseSince(flags.since);
  const { client, config } = await connect(globals);
  const fd = flags.out ? openSync(flags.out, 'w', 0o600) : undefined;
  try {
    const write = (line: string) => void (fd === undefined ? process.stdout.write(`${line}\n`) : writeSync(fd, `${line}\n`));
    const { runs, records } = await exportAudit(client, config?.audit ?? defaultAuditSettings, { workflowId: flags.run, since, agent: flags.agent }, write);
    console.error(`exported ${records} records of ${runs} runs${flags.out ? ` to ${flags.out}` : ''}; check it with: baton audit verify ${flags.out ?? '<file>'}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return 0;
}

/** Exit 0 when the chain is intact, 1 naming the first bad line. */
export async function auditVerifyCommand(file: string): Promise<number> {
  const verdict = verifyAuditFile(file);
  if (verdict.ok) {
    console.log(`${file}: ${verdict.records} records, hash chain intact`);
    return 0;
  }
  console.log(`${file}: line ${verdict.line}: ${verdict.problem}`);
  return 1;
}
