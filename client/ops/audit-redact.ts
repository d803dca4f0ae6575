/**
 * Redaction of audit records before they are written: configured regular expressions and
 * JSON field paths, plus built-in rules for e-mail addresses, API-key shapes and card numbers.
 */
import type { AuditSettings } from './audit-settings';

interface PatternRule { pattern: RegExp; replacement: string | ((match: string) => string) }

/** True when a run of digits passes the Luhn check that every payment card number passes. */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** The built-in rules: on by default (`audit.redact.builtIn: false` turns them off). */
export const builtInRules: PatternRule[] = [
  { pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, replacement: '[redacted email]' },
  // Provider and platform key shapes: OpenAI/Anthropic/Stripe-style sk-/pk-/rk-, AWS access key ids,
  // GitHub, Slack and Google API keys, and bearer tokens.
  { pattern: /\b(?:sk|pk|rk)[-_](?:[A-Za-z0-9]+[-_])*[A-Za-z0-9]{16,}\b/g, replacement: '[redacted api key]' },
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replacement: '[redacted api key]' },
  { pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b/g, replacement: '[redacted api key]' },
  { pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, replacement: '[redacted api key]' },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g, replacement: '[redacted api key]' },
  { pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*/g, replacement: 'Bearer [redacted api key]' },
  // 13 to 19 digits, optionally grouped by spaces or dashes, that pass the Luhn check.
  { pattern: /\b\d(?:[ -]?\d){12,18}\b/g, replacement: (m) => (luhn(m.replace(/[ -]/g, '')) ? '[redacted card number]' : m) },
];

/** Applies the configured rules to any JSON value; returns a redacted copy. */
export class AuditRedactor {
  private readonly rules: PatternRule[];
  private readonly fields: string[][];

  constructor(settings: AuditSettings['redact']) {
    this.rules = [
      ...(settings.builtIn ? builtInRules : []),
      ...settings.patterns.map((source) => ({ pattern: new RegExp(source, 'g'), replacement: '[redacted]' })),
    ];
    this.fields = settings.fields.map((f) => f.split('.'));
  }

  /** A copy of `value` with matching fields replaced whole and every string run through the patterns. */
  redact<T>(value: T): T {
    return this.walk(value, []) as T;
  }

  private walk(value: unknown, path: string[]): unknown {
    if (path.length && this.fields.some((f) => matches(f, path))) return '[redacted]';
    if (typeof value === 'string') return this.redactText(value);
    if (Array.isArray(value)) return value.map((v, i) => this.walk(v, [...path, String(i)]));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.walk(v, [...path, k])]));
    return value;
  }

  private redactText(text: string): string {
    let out = text;
    for (const rule of this.rules) out = out.replace(rule.pattern, rule.replacement as (m: string) => string);
    return out;
  }
}

/** Glob match of a field path: `*` is any one key (or array index), `**` any number of them. */
function matches(pattern: string[], path: string[]): boolean {
  if (!pattern.length) return !path.length;
  const [head, ...rest] = pattern;
  if (head === '**') return matches(rest, path) || (path.length > 0 && matches(pattern, path.slice(1)));
  if (!path.length) return false;
  return (head === '*' || head === path[0]) && matches(rest, path.slice(1));
}
