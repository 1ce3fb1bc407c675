import { z } from 'zod';

/**
 * What PostgreSQL can store, as one rule for every request: its `text` and `jsonb` refuse the
 * NUL character (U+0000) and UTF-8 has no encoding for an unpaired surrogate, so a string
 * holding either can never be saved and is refused where input enters (the orchestrator's
 * validation step walks every body, query and path parameter with `findUnstorableText`).
 * Integer columns are 32-bit: integers on the wire that reach one are bounded by `INT32_MAX`.
 */
export const INT32_MAX = 2 ** 31 - 1;

/** A non-negative integer for a PostgreSQL `integer` column, from a path or query parameter. */
export const int32Param = () => z.coerce.number().int().min(0).max(INT32_MAX);

// With the u flag a paired surrogate is one code point: \p{Cs} matches only unpaired ones.
const storable = (s: string): boolean => !s.includes('\u0000') && !/\p{Cs}/u.test(s);

export interface UnstorableText {
  /** Dotted path of the offending value ('' for the value itself); keys are named as such. */
  path: string;
  message: string;
}

/**
 * The first string (or object key) in a parsed JSON-like value PostgreSQL cannot store, or
 * undefined. Iterative, so a deeply nested body cannot exhaust the stack.
 */
export function findUnstorableText(value: unknown): UnstorableText | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (!storable(current)) return { path, message: problem(current) };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        stack.push([current[i], path ? `${path}.${i}` : String(i)]);
    } else if (current !== null && typeof current === 'object' && !ArrayBuffer.isView(current)) {
      for (const [key, child] of Object.entries(current)) {
        const at = path ? `${path}.${key}` : key;
        if (!storable(key)) return { path: at, message: `has a key that ${problem(key)}` };
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}

const problem = (s: string): string =>
  s.includes('\u0000')
    ? 'must not contain the NUL character (\\u0000)'
    : 'must not contain an unpaired UTF-16 surrogate';
