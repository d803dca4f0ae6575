/**
 * Names every plain JavaScript object already has (`constructor`, `__proto__`, `toString`,
 * `valueOf`, `hasOwnProperty`…). Such a name used as an agent, provider or route name would
 * find a built-in through a plain-object lookup, so validation refuses them. Pure, no zod:
 * workflows use it too.
 */
const reserved: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype']);

/** True for a name a plain object inherits; refused as a name anywhere data becomes a key. */
export function isReservedName(name: string): boolean {
  return reserved.has(name);
}

/** The message validation gives for a reserved name (the path says where it is). */
export const reservedNameMessage = 'is a reserved name (a built-in property of JavaScript objects, such as constructor or __proto__); choose another name';

/** `record[key]` only when `key` is the record's own property, never an inherited built-in. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * The path of the first own `__proto__` key in plain data (a JSON or YAML spec or config), or
 * undefined. Zod drops such keys silently; this lets validation refuse them by path instead.
 * Iterative, bounded, and never throws (unreadable data is left to other checks).
 */
export function protoKeyPath(raw: unknown, maxObjects = 100_000): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value: raw, path: '' }];
  let seen = 0;
  try {
    while (stack.length && seen++ < maxObjects) {
      const { value, path } = stack.pop() as { value: unknown; path: string };
      if (typeof value !== 'object' || value === null) continue;
      if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return path ? `${path}.__proto__` : '__proto__';
      const proto = Object.getPrototypeOf(value) as unknown;
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) continue;
      for (const key of Object.keys(value).reverse()) stack.push({ value: (value as Record<string, unknown>)[key], path: Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key });
    }
  } catch {
    return undefined;
  }
  return undefined;
}
