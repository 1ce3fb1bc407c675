/**
 * Interactive first. A pool of its own keeps the job workers from taking the connections a
 * person's write waits for, but not from taking the event loop and the CPU: under a webhook burst
 * an escalation's every round trip waited its turn behind the drain's callbacks
 * (bench/live-stream: the write itself p50 38 ms with the drain on the same process, 12 ms
 * without). While a person's write is in flight in this process, the workers start no new job;
 * jobs already running go on. A job waits at most `maxWaitMs`, so a stuck request cannot starve
 * the queue.
 */
export class InteractiveGate {
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  /** Jobs that waited for a write, and for how long in all (ms). */
  readonly stats = { waited: 0, waitedMs: 0 };

  constructor(private readonly maxWaitMs = 250) {}

  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** A write begins; call what is returned when it is over (more than once is harmless). */
  enter(): () => void {
    this.inFlight += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inFlight -= 1;
      if (this.inFlight === 0) this.release();
    };
  }

  /** Undefined when no write is in flight; else settles when none is, or after maxWaitMs. */
  idle(): Promise<void> | undefined {
    if (this.inFlight === 0 || this.maxWaitMs <= 0) return undefined;
    const started = Date.now();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stats.waited += 1;
        this.stats.waitedMs += Date.now() - started;
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        done();
      }, this.maxWaitMs);
      this.waiters.push(done);
    });
  }

  private release(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const done of waiting) done();
  }
}
