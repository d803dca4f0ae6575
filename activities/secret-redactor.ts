/**
 * Keeps configured secrets out of failures. Provider API keys and the expanded `${NAME}`
 * values of MCP server headers and env are registered here when a worker builds its
 * providers and opens its MCP connections; provider and MCP errors pass through
 * {@link redactSecrets} before they leave the activity, so a server that echoes a key in an
 * error message does not get it into the failure, the history, the server's database or
 * the worker's log. Each value is replaced by `[redacted <NAME>]`.
 */

/** Shorter values are not redacted: no real key is that short, and redacting "1" or "true" would garble every message. */
export const minSecretLength = 6;

/** The registered secrets, longest first, each with the spellings a message may carry. */
const secrets: Array<{ variants: string[]; label: string }> = [];

function spellings(value: string): string[] {
  const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
  return [...forms].filter((form) => form.length >= minSecretLength);
}

/** Remembers `value` (from the variable or setting `name`) as a secret for this worker process. */
export function registerSecret(name: string, value: string | undefined): void {
  if (value === undefined || value.length < minSecretLength) return;
  if (secrets.some((s) => s.variants[0] === value)) return;
  secrets.push({ variants: spellings(value), label: `[redacted ${name}]` });
  secrets.sort((a, b) => (b.variants[0]?.length ?? 0) - (a.variants[0]?.length ?? 0));
}

/** `text` with every registered secret (raw, JSON-escaped or URL-encoded) replaced by its label. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const { variants, label } of secrets) {
    for (const variant of variants) if (out.includes(variant)) out = out.split(variant).join(label);
  }
  return out;
}

/**
 * Redacts an error in place (message, stack, and its causes), keeping its class, so retry
 * decisions and `instanceof` checks still see the same error. Returns it for `throw`.
 */
export function redactError<E>(err: E): E {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const error: Error = current;
    try {
      error.message = redactSecrets(error.message);
      if (error.stack) error.stack = redactSecrets(error.stack);
    } catch {
      // a frozen error cannot be changed in place; none of the SDKs Baton uses throws one
    }
    current = error.cause;
  }
  if (!(err instanceof Error)) return (typeof err === 'string' ? redactSecrets(err) : err) as E;
  return err;
}
