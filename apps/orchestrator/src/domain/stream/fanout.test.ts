import { describe, expect, it } from 'vitest';
import { coalesce } from './fanout.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fan-out signals', () => {
  it('go at once, then at most one per interval; an urgent one within 2 ms whatever the interval', async () => {
    let sent = 0;
    const notifier = coalesce(200, () => {
      sent += 1;
      return Promise.resolve();
    });
    notifier.signal();
    expect(sent).toBe(1);
    notifier.signal();
    notifier.signal();
    expect(sent).toBe(1); // one more is due at the end of the interval
    await sleep(10);
    notifier.signal(true);
    expect(sent).toBe(2); // the bell rang: now, and it stands for the one that was waiting
    notifier.signal(true);
    expect(sent).toBe(2); // a second within 2 ms of the last waits for them
    await sleep(20);
    expect(sent).toBe(3);
    await sleep(260);
    expect(sent).toBe(3);
    notifier.signal();
    expect(sent).toBe(4);
    notifier.signal();
    await sleep(260);
    expect(sent).toBe(5); // the trailing one, at the end of its interval
    notifier.stop();
  });
});
