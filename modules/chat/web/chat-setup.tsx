import { MessageSquareOff } from 'lucide-react';
import {
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  RelativeTime,
} from '@afenda/ui';

/**
 * Matrix isn't connected (`meta.matrix.configured` is false): owners and admins see exactly which
 * of the orchestrator's variables are missing and where the steps are; members only whom to ask.
 */
export function MatrixNotConfigured({ admin, missing }: { admin: boolean; missing: string[] }) {
  return (
    <Card role="status" data-testid="matrix-not-configured" className="max-w-2xl">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <MessageSquareOff aria-hidden className="size-5 text-muted-foreground" />
          Team chat isn&apos;t connected yet
        </CardTitle>
        <CardDescription>
          {admin
            ? 'The orchestrator has no Matrix homeserver (Synapse) to keep the rooms on.'
            : 'Ask an administrator to connect it; your rooms appear here once it is.'}
        </CardDescription>
      </CardHeader>
      {admin ? (
        <CardContent className="space-y-2 text-sm">
          <p>Set these on the orchestrator and restart it:</p>
          <ul className="list-disc space-y-1 pl-5 font-mono text-xs" data-testid="matrix-missing">
            {missing.map((name) => (
              <li key={name}>{name}</li>
            ))}
          </ul>
          <p className="text-muted-foreground">
            <code className="font-mono text-xs">npx afenda connect matrix</code> prints all of them
            and Synapse&apos;s side; docs/chat.md has the steps.
          </p>
        </CardContent>
      ) : null}
    </Card>
  );
}

/** Matrix is connected but the orchestrator has no ELEMENT_URL: the rooms can't be opened here. */
export function ElementNotConfigured({ admin }: { admin: boolean }) {
  return (
    <p
      role="status"
      data-testid="element-not-configured"
      className="rounded-md border px-3 py-2 text-sm text-muted-foreground"
    >
      Element isn&apos;t configured, so rooms can&apos;t be opened from here yet.{' '}
      {admin ? (
        <>
          Set <code className="font-mono text-xs">ELEMENT_URL</code> on the orchestrator (the
          address of your Element web app) and restart it.
        </>
      ) : (
        'Ask an administrator to set it up.'
      )}
    </p>
  );
}

/**
 * Matrix is configured but the homeserver isn't answering (`meta.matrix.failing`): the rooms are
 * still listed; what the workspace has to send (rooms, members, notices) waits in the outbox.
 */
export function MatrixFailing({
  admin,
  failing,
}: {
  admin: boolean;
  failing: { since: string; error: string };
}) {
  return (
    <p
      role="status"
      data-testid="matrix-failing"
      className="rounded-md border border-amber-500/50 bg-amber-500/10 px-3 py-2 text-sm"
    >
      The chat server isn&apos;t answering
      {admin ? (
        <>
          {' '}
          (first failure <RelativeTime iso={failing.since} now={Date.now()} />
          ): <span className="break-all font-mono text-xs">{failing.error}</span>. Room and member
          changes wait and are sent when it is back (Webhooks → Outbound).
        </>
      ) : (
        '. Your rooms and messages are safe; changes reach Element once it is back.'
      )}
    </p>
  );
}
