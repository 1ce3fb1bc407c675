'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { StreamEventName } from '@afenda/contracts';

import { refreshSchedule } from '@/lib/live/refresh-schedule';
import { useLiveEvent } from './live-provider';

/**
 * Re-renders the page's server components (no reload, no lost scroll or focus) when a live event
 * of one of these kinds arrives: a burst costs one render, a steady stream one every two seconds
 * (lib/live/refresh-schedule.ts).
 */
export function LiveRefresh({ on }: { on: StreamEventName[] }) {
  const router = useRouter();
  const [schedule] = useState(() => refreshSchedule(() => router.refresh()));
  useEffect(() => () => schedule.cancel(), [schedule]);
  return on.map((name) => (
    <Subscription key={name} name={name} onEvent={() => schedule.schedule()} />
  ));
}

function Subscription({ name, onEvent }: { name: StreamEventName; onEvent: () => void }) {
  useLiveEvent(name, onEvent);
  return null;
}
