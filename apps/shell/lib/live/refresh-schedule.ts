/**
 * When a page re-renders for live events: shortly after the first one (so a burst's events land
 * in one render), and at most once per `minGapMs`. A plain debounce never fires while events keep
 * coming closer together than its delay, and a render per burst would spend the reader's read
 * budget: each render is five or more reads of the orchestrator's API (the layout's workspace,
 * modules and unread counts, then the page's own), against 600 a minute by default.
 */
export interface RefreshTiming {
  /** From the first event to the render, when the page has not rendered for a while. */
  quietMs: number;
  /** Between two renders, at least. */
  minGapMs: number;
}

export const LIVE_REFRESH: RefreshTiming = { quietMs: 150, minGapMs: 2_000 };

export interface RefreshSchedule {
  /** An event arrived: a render is due (one that is already scheduled covers it). */
  schedule(): void;
  cancel(): void;
}

export function refreshSchedule(render: () => void, timing = LIVE_REFRESH): RefreshSchedule {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = Number.NEGATIVE_INFINITY;
  return {
    schedule() {
      if (timer !== undefined) return;
      const now = Date.now();
      const at = Math.max(now + timing.quietMs, last + timing.minGapMs);
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        render();
      }, at - now);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
