'use client';

import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useRouter } from 'next/navigation';
import type { StreamEventName } from '@afenda/contracts';

import { reconnectDelay } from '@/lib/live/backoff';

// The contract's names, spelled here: importing the contracts' values would ship zod to the browser.
const STREAM_EVENT_NAMES = [
  'notification',
  'activity',
  'approval',
  'conversation',
] as const satisfies readonly StreamEventName[];

type Listener = (data: unknown) => void;
/**
 * connecting: the first connection is being made; live: events arrive as they happen;
 * reconnecting: the stream dropped and the browser is reconnecting (with what it missed, by
 * Last-Event-ID); offline: the browser has no network, or the workspace service refused the
 * stream: pages refresh on a timer meanwhile.
 */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

interface LiveContextValue {
  subscribe(name: StreamEventName, listener: Listener): () => void;
  status: LiveStatus;
}

const LiveContext = createContext<LiveContextValue | null>(null);

/** Without the stream, pages still catch up: a refresh of the server data this often. */
const BACKSTOP_MS = 3_000;

/**
 * One EventSource per page, to the Shell's /app/stream (which relays the orchestrator's stream
 * with the server-side token). Reconnects on its own (the browser resends Last-Event-ID); when the
 * connection is refused it retries with backoff, passing the last id it saw. A new tenant is a
 * new stream. While the stream is down, a polling backstop refreshes the page's server data
 * (only while the page is visible), so nothing waits for a reload.
 */
export function LiveProvider({
  tenantId,
  children,
}: {
  tenantId: string | null;
  children: ReactNode;
}) {
  const listeners = useRef(new Map<StreamEventName, Set<Listener>>());
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [value] = useState(() => ({
    subscribe(name: StreamEventName, listener: Listener) {
      const set = listeners.current.get(name) ?? new Set<Listener>();
      listeners.current.set(name, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  }));

  useEffect(() => {
    if (!tenantId || typeof EventSource === 'undefined') return;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let lastId: string | undefined;
    let stopped = false;
    let wasLive = false;

    const connect = () => {
      const query = lastId ? `?${new URLSearchParams({ lastEventId: lastId })}` : '';
      const current = new EventSource(`/app/stream${query}`);
      source = current;
      current.onopen = () => {
        attempt = 0;
        wasLive = true;
        setStatus(navigator.onLine === false ? 'offline' : 'live');
      };
      for (const name of STREAM_EVENT_NAMES) {
        current.addEventListener(name, (event) => {
          const message = event as MessageEvent<string>;
          if (message.lastEventId) lastId = message.lastEventId;
          let data: unknown;
          try {
            data = JSON.parse(message.data);
          } catch {
            return;
          }
          for (const listener of listeners.current.get(name) ?? []) listener(data);
        });
      }
      current.onerror = () => {
        if (current.readyState !== EventSource.CLOSED) {
          setStatus(
            navigator.onLine === false ? 'offline' : wasLive ? 'reconnecting' : 'connecting',
          );
          return;
        }
        // Refused (not 200, not an event stream): the browser won't retry; we do, slower each time.
        setStatus('offline');
        current.close();
        if (!stopped) timer = setTimeout(connect, reconnectDelay(attempt++));
      };
    };
    connect();
    // The browser knows before the stream does when the network is gone, and when it is back.
    const offline = () => setStatus('offline');
    const online = () => {
      if (source?.readyState === EventSource.OPEN) setStatus('live');
      else {
        clearTimeout(timer);
        source?.close();
        attempt = 0;
        setStatus('reconnecting');
        connect();
      }
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
    };
  }, [tenantId]);

  const router = useRouter();
  useEffect(() => {
    if (!tenantId || status === 'live') return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh();
    }, BACKSTOP_MS);
    return () => clearInterval(timer);
  }, [tenantId, status, router]);

  return <LiveContext value={{ ...value, status }}>{children}</LiveContext>;
}

/** Calls `handler` with each live event of that name (the latest handler, without resubscribing). */
export function useLiveEvent<T = unknown>(name: StreamEventName, handler: (data: T) => void) {
  const subscribe = useContext(LiveContext)?.subscribe;
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    if (!subscribe) return;
    return subscribe(name, (data) => latest.current(data as T));
  }, [subscribe, name]);
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext)?.status ?? 'offline';
}
