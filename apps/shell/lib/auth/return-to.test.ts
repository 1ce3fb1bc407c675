import { describe, expect, it } from 'vitest';

import { sanitizeReturnTo } from './return-to';

describe('sanitizeReturnTo', () => {
  it('keeps same-origin paths with their query and fragment', () => {
    expect(sanitizeReturnTo('/app')).toBe('/app');
    expect(sanitizeReturnTo('/app/somewhere?x=1')).toBe('/app/somewhere?x=1');
    expect(sanitizeReturnTo('/app/a/b?x=1&y=%2F#frag')).toBe('/app/a/b?x=1&y=%2F#frag');
    expect(sanitizeReturnTo('/')).toBe('/');
  });

  it('normalises dot segments without leaving the origin', () => {
    expect(sanitizeReturnTo('/app/../app/x')).toBe('/app/x');
    expect(sanitizeReturnTo('/../../etc')).toBe('/etc');
  });

  it.each([
    ['absent', null],
    ['undefined', undefined],
    ['empty', ''],
    ['relative', 'app'],
    ['absolute URL', 'https://evil.example/app'],
    ['scheme-relative', '//evil.example/app'],
    ['backslash host', '/\\evil.example'],
    ['backslash inside', '/app\\..\\..\\evil'],
    ['tab trick', '/\t/evil.example'],
    ['newline trick', '/\n/evil.example'],
    ['javascript URL', 'javascript:alert(1)'],
    ['data URL', 'data:text/html,hi'],
    ['sign-in machinery', '/auth/login?returnTo=/app'],
    ['callback', '/auth/callback?code=x'],
    ['too long', `/app/${'a'.repeat(3000)}`],
  ])('falls back to /app for %s', (_name, value) => {
    expect(sanitizeReturnTo(value)).toBe('/app');
  });

  it('treats encoded slashes as part of a path, not as a host', () => {
    expect(sanitizeReturnTo('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });

  it('uses the given fallback', () => {
    expect(sanitizeReturnTo('//evil.example', '/')).toBe('/');
  });
});
