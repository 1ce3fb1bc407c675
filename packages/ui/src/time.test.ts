import { describe, expect, it } from 'vitest';

import { formatUtc, relativeTime } from './time';

const NOW = Date.parse('2026-07-13T10:00:00.000Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();

describe('times as people read them', () => {
  it('says how long ago or until, in minutes, hours, then days', () => {
    expect(relativeTime(at(0), NOW)).toBe('less than a minute ago');
    expect(relativeTime(at(0.5), NOW)).toBe('in less than a minute');
    // Another process's clock a moment ahead: still "ago", never "in" for what just happened.
    expect(relativeTime(new Date(NOW + 800).toISOString(), NOW)).toBe('less than a minute ago');
    expect(relativeTime(at(-5), NOW)).toBe('5 min ago');
    expect(relativeTime(at(80), NOW)).toBe('in 1 h 20 min');
    expect(relativeTime(at(-120), NOW)).toBe('2 h ago');
    expect(relativeTime(at(-3 * 24 * 60), NOW)).toBe('3 days ago');
  });

  it('gives the exact time in UTC', () => {
    expect(formatUtc('2026-07-13T10:05:00.000Z')).toBe('13 Jul 2026, 10:05 UTC');
  });
});
