/** The config's `audit` section: how `baton audit export` redacts records before writing them. */
import { z } from 'zod';

function compiles(source: string): boolean {
  try {
    new RegExp(source, 'g');
    return true;
  } catch {
    return false;
  }
}

/**
 * `audit.redact`: `patterns` are regular expressions (JavaScript syntax) replaced in every
 * string; `fields` are JSON field paths (`arguments.password`, `*` for one level, `**` for
 * any depth) whose values are replaced whole; `builtIn` (default true) adds e-mail addresses,
 * API-key shapes and card numbers.
 */
export const AuditSettingsSchema = z
  .object({
    redact: z
      .object({
        builtIn: z.boolean().default(true),
        patterns: z.array(z.string().min(1).refine(compiles, 'not a valid regular expression')).default([]),
        fields: z.array(z.string().regex(/^(\*\*|\*|[^.*]+)(\.(\*\*|\*|[^.*]+))*$/, 'a JSON field path: keys separated by ".", "*" for any key, "**" for any depth')).default([]),
      })
      .strict()
      .default({ builtIn: true, patterns: [], fields: [] }),
  })
  .strict();

/** What an absent `audit` section means. */
export const defaultAuditSettings = { redact: { builtIn: true, patterns: [], fields: [] } };

/** The audit settings with defaults filled in. */
export type AuditSettings = z.output<typeof AuditSettingsSchema>;
