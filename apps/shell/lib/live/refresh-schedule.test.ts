import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { refreshSchedule } from './refresh-schedule';

describe('refreshSchedule', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  const timing = { quietMs: 150, minGapMs: 2_000 };

  it('renders once shortly after a burst', () => {
    const render = vi.fn();
    const s = refreshSchedule(render, timing);
    for (let i = 0; i < 5; i++) {
      s.schedule();
      vi.advanceTimersByTime(20);
    }
    expect(render).not.toHaveBeenCalled();
    vi.advanceTimersByTime(50); // 150 ms after the first event
    expect(render).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(render).toHaveBeenCalledTimes(1);
  });

  it('keeps rendering under a steady stream of events, at most once per gap', () => {
    const render = vi.fn();
    const s = refreshSchedule(render, timing);
    // An event every 100 ms for ten seconds: a debounce of 150 ms would never have fired.
    for (let t = 0; t < 10_000; t += 100) {
      s.schedule();
      vi.advanceTimersByTime(100);
    }
    expect(render.mock.calls.length).toBeGreaterThanOrEqual(5);
    expect(render.mock.calls.length).toBeLessThanOrEqual(6);
  });

  it('an event after a quiet spell renders after the short delay again', () => {
    const render = vi.fn();
    const s = refreshSchedule(render, timing);
    s.schedule();
    vi.advanceTimersByTime(150);
    expect(render).toHaveBeenCalledTimes(1);
    // Soon after a render: waits out the gap.
    vi.advanceTimersByTime(500);
    s.schedule();
    vi.advanceTimersByTime(1_000);
    expect(render).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    expect(render).toHaveBeenCalledTimes(2);
    // Long after: the short delay.
    vi.advanceTimersByTime(5_000);
    s.schedule();
    vi.advanceTimersByTime(150);
    expect(render).toHaveBeenCalledTimes(3);
  });

  it('cancel drops the pending render', () => {
    const render = vi.fn();
    const s = refreshSchedule(render, timing);
    s.schedule();
    s.cancel();
    vi.advanceTimersByTime(5_000);
    expect(render).not.toHaveBeenCalled();
  });
});
