/**
 * Finds the field of a config or spec object that cannot be read as data: a getter that throws, or a Proxy
 * whose trap throws. Zod would let such an exception escape with no path; this names it.
 */
import { isProxy } from 'node:util/types';

/** Formats a key path as `agents.writer.tools[0]`, or `(root)`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '') || '(root)';
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The first field (depth-first, without recursion) whose read throws, with the reason.
 * Reads every own field of plain objects and arrays, and the own fields of other objects
 * (tool and provider instances) without descending into them. At most `maxObjects` objects.
 */
export function unreadableField(raw: unknown, maxObjects = 100_000): { path: string; message: string } | undefined {
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value: raw, path: [] }];
  const seen = new Set<object>();
  while (stack.length && seen.size < maxObjects) {
    const { value, path } = stack.pop() as { value: unknown; path: PropertyKey[] };
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    // A Proxy's traps can throw on any look at it, in ways no probe can foresee.
    if (isProxy(value)) return { path: issuePath(path), message: 'is a Proxy object; use plain data' };
    let keys: PropertyKey[];
    let descend: boolean;
    try {
      descend = isPlainContainer(value);
      keys = Reflect.ownKeys(value).filter((k) => typeof k !== 'symbol');
    } catch (err) {
      return { path: issuePath(path), message: `cannot be read (${describe(err)}); use plain data` };
    }
    const keyOf = (key: PropertyKey) => (Array.isArray(value) && /^\d+$/.test(String(key)) ? Number(key) : key);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as PropertyKey;
      let child: unknown;
      try {
        // Every way a validator may look at a field: its descriptor, `in`, and its value.
        Object.getOwnPropertyDescriptor(value, key);
        void (key in value);
        child = (value as Record<PropertyKey, unknown>)[key];
      } catch (err) {
        return { path: issuePath([...path, keyOf(key)]), message: `reading it threw "${describe(err)}"; use plain data (no getters that throw, no Proxy objects)` };
      }
      if (descend && typeof child === 'object' && child !== null) stack.push({ value: child, path: [...path, keyOf(key)] });
    }
  }
  return undefined;
}
