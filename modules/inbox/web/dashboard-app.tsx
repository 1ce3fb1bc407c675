'use client';

import {
  Badge,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
} from '@afenda/ui';
import { useCallback, useEffect, useState, useTransition } from 'react';

import type { DashboardConversation, InboxPublicShell } from './types';

type State =
  | { kind: 'waiting' }
  | { kind: 'looking' }
  | { kind: 'found'; conversation: DashboardConversation }
  | { kind: 'problem'; message: string; signedOut?: boolean };

/** Chatwoot's appContext message: a JSON string `{event: 'appContext', data: {conversation, ...}}`. */
function readAppContext(data: unknown): { accountId: number; displayId: number } | null {
  if (typeof data !== 'string') return null;
  try {
    const parsed = JSON.parse(data) as {
      event?: unknown;
      data?: { conversation?: { id?: unknown; account_id?: unknown } };
    };
    const c = parsed.event === 'appContext' ? parsed.data?.conversation : undefined;
    if (typeof c?.id === 'number' && typeof c.account_id === 'number')
      return { accountId: c.account_id, displayId: c.id };
  } catch {
    // not for us
  }
  return null;
}

/**
 * Beside a conversation in Chatwoot: reads the context Chatwoot posts (only from the allowed
 * origins), finds the conversation in the agent's organisation, and offers the escalation.
 */
export function DashboardApp({
  allowedOrigins,
  actions: { lookupConversation, escalateFromChatwoot },
}: {
  allowedOrigins: string[];
  /** The Shell's server actions for the Dashboard App. */
  actions: InboxPublicShell['actions']['chatwoot'];
}) {
  const [state, setState] = useState<State>({ kind: 'waiting' });
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const load = useCallback(
    (ref: { accountId: number; displayId: number }) => {
      setState({ kind: 'looking' });
      void lookupConversation(ref.accountId, ref.displayId).then((r) =>
        setState(
          r.ok
            ? { kind: 'found', conversation: r.conversation }
            : { kind: 'problem', message: r.message, signedOut: r.reason === 'signed-out' },
        ),
      );
    },
    [lookupConversation],
  );

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (!allowedOrigins.includes(event.origin)) return; // Chatwoot posts with target '*'
      const ref = readAppContext(event.data);
      if (ref) load(ref);
    };
    window.addEventListener('message', onMessage);
    // Ask again (Chatwoot also posts once when the frame loads): a plain string, by contract.
    if (window.parent !== window)
      window.parent.postMessage('chatwoot-dashboard-app:fetch-info', '*');
    return () => window.removeEventListener('message', onMessage);
  }, [allowedOrigins, load]);

  const escalate = (c: DashboardConversation) =>
    startTransition(async () => {
      const r = await escalateFromChatwoot(c.tenantId, c.id, note);
      if (!r.ok) {
        setOutcome(r.message);
        return;
      }
      setOutcome(
        r.created
          ? 'Escalated: the CEO has been asked.'
          : 'Already escalated: waiting for the CEO.',
      );
      setState({ kind: 'found', conversation: { ...c, pendingApprovalId: r.approvalId } });
    });

  return (
    <Card className="m-2">
      <CardHeader>
        <CardTitle className="text-base">Axis Afenda</CardTitle>
        <CardDescription>Escalate this conversation to CEO approval.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-3 text-sm" aria-live="polite">
        {state.kind === 'waiting' && <p>Waiting for Chatwoot to say which conversation is open…</p>}
        {state.kind === 'looking' && <p>Looking the conversation up…</p>}
        {state.kind === 'problem' && (
          <div className="space-y-2">
            <p role="alert">{state.message}</p>
            {state.signedOut && (
              <Button asChild size="sm">
                <a
                  href="/auth/login?returnTo=/chatwoot/dashboard-app/signed-in"
                  target="_blank"
                  rel="noopener"
                >
                  Sign in (opens a new tab)
                </a>
              </Button>
            )}
            <Button size="sm" variant="outline" onClick={() => window.location.reload()}>
              Try again
            </Button>
          </div>
        )}
        {state.kind === 'found' && (
          <div className="space-y-3">
            <p>
              #{state.conversation.displayId} · {state.conversation.contactName ?? 'a customer'} ·{' '}
              {state.conversation.organisation}{' '}
              <Badge variant="secondary">{state.conversation.status}</Badge>
            </p>
            {state.conversation.pendingApprovalId ? (
              <p>
                An escalation is waiting for a decision.{' '}
                <a
                  className="underline"
                  href={`/app/approvals/${state.conversation.pendingApprovalId}`}
                  target="_blank"
                  rel="noopener"
                >
                  Open it in Axis Afenda
                </a>
              </p>
            ) : (
              <>
                <label className="block space-y-1">
                  <span>Note for the CEO (optional)</span>
                  <textarea
                    className="border-input bg-background w-full rounded-md border p-2"
                    rows={3}
                    maxLength={2000}
                    value={note}
                    onChange={(e) => setNote(e.target.value)}
                  />
                </label>
                <Button disabled={pending} onClick={() => escalate(state.conversation)}>
                  {pending ? 'Escalating…' : 'Escalate to CEO approval'}
                </Button>
              </>
            )}
          </div>
        )}
        {outcome && <p role="status">{outcome}</p>}
      </CardContent>
    </Card>
  );
}
