'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { ExternalLink, LoaderCircle, RotateCw, ShieldAlert } from 'lucide-react';
import { Button } from '@afenda/ui';

import { isFromFrame, parseBridgeMessage } from '@/lib/modules/bridge';
import type { FrameVerdict } from '@/lib/modules/frame-probe';

/** The fewest sandbox permissions a tool's own web app needs to run and sign in. */
const DEFAULT_SANDBOX = ['allow-scripts', 'allow-same-origin', 'allow-forms', 'allow-popups'];

/**
 * A tool's own UI inside the Shell: a sandboxed iframe (only the listed permissions, no referrer,
 * no camera or microphone unless asked), a loading state, a message bridge that reads only the
 * tool's own origin, and a fallback (open in a new tab) when the tool is unreachable or refuses
 * to be framed: told by the server's probe, or by the frame not loading in time.
 */
export function ModuleEmbed({
  src,
  title,
  verdict,
  sandbox = DEFAULT_SANDBOX,
  allow = '',
  loadTimeoutMs = 15_000,
}: {
  src: string;
  title: string;
  verdict: FrameVerdict;
  sandbox?: string[];
  allow?: string;
  loadTimeoutMs?: number;
}) {
  const router = useRouter();
  const frame = useRef<HTMLIFrameElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'timeout'>('loading');
  const [attempt, setAttempt] = useState(0);
  const origin = new URL(src).origin;

  useEffect(() => {
    if (verdict.state !== 'ok') return;
    const timer = setTimeout(
      () => setState((s) => (s === 'loading' ? 'timeout' : s)),
      loadTimeoutMs,
    );
    const onMessage = (event: MessageEvent) => {
      if (!isFromFrame(event, origin, frame.current?.contentWindow)) return;
      const message = parseBridgeMessage(event.data);
      if (message?.type === 'afenda:navigate') router.push(message.path);
      if (message?.type === 'afenda:ready') setState('ready');
    };
    window.addEventListener('message', onMessage);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
    };
  }, [origin, verdict.state, loadTimeoutMs, router, attempt]);

  if (verdict.state !== 'ok' || state === 'timeout') {
    const reason =
      verdict.state !== 'ok'
        ? verdict.reason
        : 'It did not finish loading. It may be down, or refuse to be shown inside another site.';
    return (
      <div
        role="alert"
        className="flex flex-col items-center gap-3 rounded-lg border px-6 py-12 text-center"
        data-testid="embed-fallback"
      >
        <ShieldAlert aria-hidden className="size-8 text-muted-foreground" />
        <p className="font-medium">
          {verdict.state === 'refused'
            ? `${title} can't be shown here`
            : `${title} is not reachable`}
        </p>
        <p className="max-w-md text-sm text-muted-foreground">{reason}</p>
        <div className="flex flex-wrap justify-center gap-2">
          <Button asChild>
            <a href={src} target="_blank" rel="noopener noreferrer">
              <ExternalLink aria-hidden />
              Open in a new tab
            </a>
          </Button>
          {verdict.state === 'ok' ? (
            <Button
              variant="outline"
              onClick={() => {
                setState('loading');
                setAttempt((a) => a + 1);
              }}
            >
              <RotateCw aria-hidden />
              Try again
            </Button>
          ) : null}
        </div>
      </div>
    );
  }

  return (
    <div className="relative h-[calc(100dvh-12rem)] min-h-96 overflow-hidden rounded-lg border">
      {state === 'loading' ? (
        <div
          className="absolute inset-0 flex items-center justify-center gap-2 bg-background text-sm text-muted-foreground"
          role="status"
        >
          <LoaderCircle aria-hidden className="size-4 animate-spin" />
          Loading {title}…
        </div>
      ) : null}
      <iframe
        key={attempt}
        ref={frame}
        src={src}
        title={title}
        sandbox={sandbox.join(' ')}
        allow={allow}
        referrerPolicy="no-referrer"
        loading="lazy"
        className="size-full"
        onLoad={() => {
          setState('ready');
          frame.current?.contentWindow?.postMessage({ type: 'afenda:hello', version: 1 }, origin);
        }}
      />
    </div>
  );
}
