'use client';

import Script from 'next/script';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { Loader2, RotateCw } from 'lucide-react';
import type { RoomJoin } from '@afenda/contracts';
import { Button, Card, CardDescription, CardFooter, CardHeader, CardTitle } from '@afenda/ui';

/** The part of the IFrame API we use (docs/video.md; its events in packages/test-utils/contracts/jitsi/). */
interface JitsiApi {
  addListener(event: string, listener: (payload: unknown) => void): void;
  executeCommand(command: string, ...args: unknown[]): void;
  dispose(): void;
}
type JitsiApiConstructor = new (domain: string, options: Record<string, unknown>) => JitsiApi;
declare global {
  interface Window {
    JitsiMeetExternalAPI?: JitsiApiConstructor;
  }
}

type Phase = 'loading-script' | 'connecting' | 'in-meeting' | 'failed';

/**
 * The meeting, inside the Shell: Jitsi's own external_api.js (loaded from the deployment with
 * next/script, so its version always matches the server's) builds the iframe with the user's
 * token. Hanging up (readyToClose) disposes of it and returns to the list.
 */
export function JitsiCall({
  join,
  user,
}: {
  join: RoomJoin;
  user: { displayName: string; email: string | null };
}) {
  const router = useRouter();
  const parent = useRef<HTMLDivElement>(null);
  const [scriptReady, setScriptReady] = useState(
    () => typeof window !== 'undefined' && Boolean(window.JitsiMeetExternalAPI),
  );
  const [phase, setPhase] = useState<Phase>(scriptReady ? 'connecting' : 'loading-script');
  const [failure, setFailure] = useState<string | null>(null);
  const scriptUrl = `${join.jitsiUrl}/external_api.js`;
  const { domain, roomName, token, topic } = join;
  const { displayName, email } = user;

  // One meeting per script load and token: a phase change must not rebuild the iframe.
  useEffect(() => {
    if (!scriptReady || !parent.current) return;
    const fail = (message: string) => {
      setFailure(message);
      setPhase('failed');
    };
    const Api = window.JitsiMeetExternalAPI;
    if (!Api) return fail('The Jitsi IFrame API did not load.');
    let api: JitsiApi | null;
    try {
      api = new Api(domain, {
        roomName,
        jwt: token,
        parentNode: parent.current,
        width: '100%',
        height: '100%',
        lang: 'en',
        userInfo: { displayName, ...(email ? { email } : {}) },
        configOverwrite: {
          subject: topic || 'Consultation',
          startWithAudioMuted: true,
          prejoinConfig: { enabled: true },
        },
      });
    } catch (err) {
      return fail(err instanceof Error ? err.message : 'The meeting could not start.');
    }
    setPhase('connecting');
    api.addListener('videoConferenceJoined', () => setPhase('in-meeting'));
    api.addListener('errorOccurred', (payload) => {
      const error = (payload as { error?: { name?: string; isFatal?: boolean } } | null)?.error;
      if (error?.isFatal) fail(error.name ?? 'Jitsi reported an error.');
    });
    api.addListener('readyToClose', () => {
      api?.dispose();
      api = null;
      router.push('/app/video');
    });
    return () => api?.dispose();
  }, [scriptReady, domain, roomName, token, topic, displayName, email, router]);

  return (
    <div className="space-y-3">
      <Script
        src={scriptUrl}
        strategy="afterInteractive"
        onReady={() => setScriptReady(true)}
        onError={() => {
          setFailure(
            `Could not load ${scriptUrl}. Is the Jitsi server reachable from your browser?`,
          );
          setPhase('failed');
        }}
      />
      {phase === 'failed' ? (
        <Card role="alert" data-testid="meeting-error">
          <CardHeader>
            <CardTitle>The meeting could not start</CardTitle>
            <CardDescription>{failure}</CardDescription>
          </CardHeader>
          <CardFooter>
            <Button onClick={() => router.refresh()}>
              <RotateCw aria-hidden />
              Try again
            </Button>
          </CardFooter>
        </Card>
      ) : null}
      {phase === 'loading-script' || phase === 'connecting' ? (
        <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
          <Loader2 aria-hidden className="size-4 animate-spin" />
          {phase === 'loading-script' ? 'Loading Jitsi Meet…' : 'Connecting to the room…'}
        </p>
      ) : null}
      <div
        ref={parent}
        data-testid="jitsi-frame"
        data-phase={phase}
        hidden={phase === 'failed'}
        className="h-[70dvh] min-h-96 w-full overflow-hidden rounded-lg border bg-muted"
      />
    </div>
  );
}
