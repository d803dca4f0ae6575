/** `baton audit verify <file>`: checks an export's hash chain line by line. */
import { readFileSync } from 'node:fs';
import { verifyAuditLines, type AuditVerdict } from './audit-chain';

/** Reads a JSON Lines export and verifies it (a trailing newline is allowed, blank lines are not). */
export function verifyAuditFile(file: string): AuditVerdict {
  const text = readFileSync(file, 'utf8');
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return verifyAuditLines(text.length ? lines : []);
}
