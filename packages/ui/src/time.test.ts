import { describe, expect, it } from 'vitest';

import { formatExact, formatTime, formatUtc, relativeTime, validTimeZone } from './time-format';

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

  it('is relative within a week, a date beyond (with the year when it is another), in the reader’s zone', () => {
    expect(formatTime(at(-6 * 24 * 60), NOW, 'Europe/Berlin')).toBe('6 days ago');
    expect(formatTime('2026-06-01T23:30:00.000Z', NOW, 'UTC')).toBe('1 Jun');
    // 23:30 UTC is the next day in Berlin.
    expect(formatTime('2026-06-01T23:30:00.000Z', NOW, 'Europe/Berlin')).toBe('2 Jun');
    expect(formatTime('2025-12-24T12:00:00.000Z', NOW, 'UTC')).toBe('24 Dec 2025');
  });

  it('gives the exact time, day and zone, on hover', () => {
    expect(formatExact('2026-07-13T10:05:00.000Z', 'Europe/Berlin')).toBe(
      'Monday, 13 July 2026 at 12:05 CEST',
    );
    expect(formatExact('2026-07-13T10:05:00.000Z', 'UTC')).toBe(
      'Monday, 13 July 2026 at 10:05 UTC',
    );
    expect(formatUtc('2026-07-13T10:05:00.000Z')).toBe('13 Jul 2026, 10:05 UTC');
  });

  it('falls back to UTC for a zone the platform does not know (a forged cookie)', () => {
    expect(validTimeZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(validTimeZone(undefined)).toBe('UTC');
    expect(formatExact('2026-07-13T10:05:00.000Z', '<script>')).toBe(
      'Monday, 13 July 2026 at 10:05 UTC',
    );
  });
});
