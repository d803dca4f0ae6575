/**
 * The audit file's hash chain. Each line is one JSON record ending in
 * `"prev":"<hash of the record before>","hash":"<SHA-256 of this line up to the hash field>"}`;
 * the first record's `prev` is the genesis value and the last record is `export.completed`,
 * so a changed, dropped, reordered or truncated record is found by line number.
 */
import { createHash } from 'node:crypto';

/** The `prev` of the first record: 64 zeros. */
export const genesisHash = '0'.repeat(64);

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hashed = /^(\{.*),"hash":"([0-9a-f]{64})"\}$/;

/** Chains records as they are written: each line carries its number (`seq`), `prev` and `hash`. */
export class AuditChain {
  private prev = genesisHash;
  private seq = 0;

  /** The JSON line for `record` (without a trailing newline). */
  line(record: Record<string, unknown>): string {
    const { seq: _s, prev: _p, hash: _h, ...fields } = record;
    const body = JSON.stringify({ seq: ++this.seq, ...fields, prev: this.prev });
    const hash = sha256(body);
    this.prev = hash;
    return `${body.slice(0, -1)},"hash":"${hash}"}`;
  }

  /** The closing record: how many records came before it. */
  close(at = new Date().toISOString()): string {
    return this.line({ type: 'export.completed', at, records: this.seq });
  }
}

/** The outcome of `verifyAuditLines`: ok, or the first bad line and what is wrong with it. */
export type AuditVerdict = { ok: true; records: number } | { ok: false; line: number; problem: string };

/** Checks every line's own hash, its sequence number, its link to the line before, and the closing record. */
export function verifyAuditLines(lines: string[]): AuditVerdict {
  const seqs = lines.map((text) => {
    try {
      return (JSON.parse(text) as { seq?: unknown }).seq;
    } catch {
      return undefined;
    }
  });
  let prev = genesisHash;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const text = lines[i] as string;
    const m = hashed.exec(text);
    if (!m || sha256(`${m[1]}}`) !== m[2]) return { ok: false, line, problem: 'changed: the record does not match its own hash' };
    const record = JSON.parse(text) as { seq?: unknown; prev?: unknown; type?: unknown; records?: unknown };
    if (record.seq !== line) {
      const found = seqs.indexOf(line);
      if (typeof record.seq === 'number' && record.seq < line) return { ok: false, line, problem: `reordered: holds record ${record.seq}, which belongs on line ${record.seq}` };
      return found > i
        ? { ok: false, line, problem: `reordered: holds record ${String(record.seq)}; record ${line} is on line ${found + 1}` }
        : { ok: false, line, problem: `dropped: record ${line} is missing (this line holds record ${String(record.seq)})` };
    }
    // A record whose own hash checks out but that the next one does not link to was altered and rehashed.
    if (record.prev !== prev) return { ok: false, line: line - 1, problem: `changed: the record was altered and its hash recomputed (line ${line} links to a different record)` };
    prev = m[2] as string;
  }
  const last = lines.length ? (JSON.parse(lines[lines.length - 1] as string) as { type?: unknown; records?: unknown }) : undefined;
  if (last?.type !== 'export.completed' || last.records !== lines.length - 1) {
    return { ok: false, line: lines.length + 1, problem: 'dropped: the file ends without its closing export.completed record (records at the end were removed)' };
  }
  return { ok: true, records: lines.length - 1 };
}
