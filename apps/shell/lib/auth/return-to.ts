/**
 * Where to send someone after signing in. Only a path on this origin is ever trusted: anything
 * that could make a browser leave it (`//host`, `/\host`, `https://host`, control characters
 * that browsers strip, ...) falls back to the default.
 */
export const DEFAULT_RETURN_TO = '/app';
const MAX_LENGTH = 2048;
const BASE = 'http://shell.invalid';

export function sanitizeReturnTo(
  value: string | null | undefined,
  fallback: string = DEFAULT_RETURN_TO,
): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return fallback;
  // A path, not a scheme-relative URL: browsers read `//x` and `/\x` as another host.
  if (!value.startsWith('/') || value[1] === '/' || value[1] === '\\') return fallback;
  // Browsers drop tabs and newlines inside URLs (`/\t/evil.example` becomes `//evil.example`),
  // and backslashes become slashes; refuse them and every other control character outright.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Never back into the sign-in machinery itself.
  if (url.pathname === '/auth' || url.pathname.startsWith('/auth/')) return fallback;
  if (!path.startsWith('/') || path.startsWith('//')) return fallback;
  return path;
}
