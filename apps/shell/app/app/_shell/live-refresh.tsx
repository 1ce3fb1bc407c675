'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import type { StreamEventName } from '@afenda/contracts';

import { useLiveEvent } from './live-provider';

/**
 * Re-renders the page's server components (no reload, no lost scroll or focus) when a live event
 * of one of these kinds arrives; a burst of events costs one refresh.
 */
export function LiveRefresh({ on }: { on: StreamEventName[] }) {
  const router = useRouter();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const schedule = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => router.refresh(), 150);
  };
  return on.map((name) => <Subscription key={name} name={name} onEvent={schedule} />);
}

function Subscription({ name, onEvent }: { name: StreamEventName; onEvent: () => void }) {
  useLiveEvent(name, onEvent);
  return null;
}
