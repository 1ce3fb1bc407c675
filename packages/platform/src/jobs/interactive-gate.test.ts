import { describe, expect, it } from 'vitest';
import { InteractiveGate } from './interactive-gate.ts';

const settled = async (p: Promise<void> | undefined) => {
  let done = p === undefined;
  void p?.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 5));
  return done;
};

describe('the interactive gate', () => {
  it('lets a job start at once when no write is in flight', () => {
    expect(new InteractiveGate().idle()).toBeUndefined();
  });

  it('holds new jobs while writes are in flight and lets them go when the last one ends', async () => {
    const gate = new InteractiveGate(10_000);
    const first = gate.enter();
    const second = gate.enter();
    const job = gate.idle();
    expect(await settled(job)).toBe(false);
    first();
    first(); // twice is harmless
    expect(await settled(job)).toBe(false);
    second();
    expect(await settled(job)).toBe(true);
    expect(gate.busy).toBe(false);
    expect(gate.stats.waited).toBe(1);
  });

  it('never holds a job longer than its limit (a stuck request cannot starve the queue)', async () => {
    const gate = new InteractiveGate(30);
    gate.enter();
    const started = Date.now();
    await gate.idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(gate.busy).toBe(true);
  });
});
