import Link from 'next/link';
import type { ReactNode } from 'react';
import { ArrowUpRight } from 'lucide-react';
import type { ModuleState } from '@afenda/contracts';
import {
  Badge,
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  FailureState,
  PageHeader,
  Time,
} from '@afenda/ui';

import { requireSession } from '@/lib/auth/session';
import { load, type Loaded } from '@/lib/load';
import { KIND_LABEL, ROLE_LABEL } from '@/lib/tenant-labels';
import { loadModuleStates, loadWorkspace, orchestratorApi } from '@/lib/workspace';

/** A title in running text: wraps with it. */
const TITLE_LINK =
  'rounded-sm font-medium underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50';
const LINK =
  'inline-flex items-center gap-1 rounded-sm text-sm font-medium underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50';

/**
 * Home answers "what needs me now?": what waits for the caller's decision (deciders), her own
 * open requests, new conversations (when the inbox is on), recent activity, and for owners and
 * admins the state of the connected tools. Each section fails on its own.
 */
export default async function WorkspaceHome() {
  const session = await requireSession('/app');
  const { me, active } = await loadWorkspace(session.accessToken);
  const name = me.displayName || session.user.name;

  if (!active) {
    return (
      <div>
        <PageHeader title={`Welcome, ${name}`} />
        <Card className="max-w-xl">
          <CardHeader>
            <CardTitle>No tenant yet</CardTitle>
            <CardDescription>
              You are not a member of any tenant. Ask an administrator to add you to your
              organisation.
            </CardDescription>
          </CardHeader>
        </Card>
      </div>
    );
  }

  const api = orchestratorApi(session.accessToken).inTenant(active.id);
  const manages = active.role === 'owner' || active.role === 'admin';
  const modules = await loadModuleStates(session.accessToken, active.id);
  const inboxOn = modules?.some((m) => m.id === 'inbox' && m.state === 'enabled') ?? false;
  const [waiting, mine, conversations, activity] = await Promise.all([
    active.canApprove ? load(api.listApprovals({ awaiting: 'me', limit: 100 })) : null,
    load(api.listApprovals({ requested_by: 'me', status: 'submitted', limit: 5 })),
    inboxOn ? load(api.listConversations({ status: 'open', limit: 5 })) : null,
    load(api.listActivity({ limit: 5 })),
  ]);

  return (
    <div>
      <PageHeader
        title={`Welcome, ${name}`}
        description={
          <>
            What needs you now in{' '}
            <span className="font-medium text-foreground" data-testid="active-tenant-name">
              {active.name}
            </span>{' '}
            ({KIND_LABEL[active.kind]}
            {active.parentName ? ` in ${active.parentName}` : ''}).
          </>
        }
        actions={
          <Badge variant="secondary" data-testid="active-tenant-role">
            {ROLE_LABEL[active.role]}
          </Badge>
        }
      />
      <div className="grid gap-4 md:grid-cols-2" data-testid="home">
        {waiting ? (
          <Section id="home-waiting" title="Waiting for you" result={waiting} what="Your queue">
            {(page) => {
              const oldest = [...page.data].sort((a, b) =>
                (a.submittedAt ?? a.createdAt).localeCompare(b.submittedAt ?? b.createdAt),
              )[0];
              const count = `${page.data.length}${page.nextCursor ? '+' : ''}`;
              return oldest ? (
                <div className="space-y-2">
                  <p className="text-3xl font-semibold" data-testid="home-waiting-count">
                    {count}
                  </p>
                  <p className="text-sm break-words">
                    Oldest:{' '}
                    <Link href={`/app/approvals/${oldest.id}`} className={TITLE_LINK}>
                      {oldest.title}
                    </Link>{' '}
                    <span className="text-muted-foreground">
                      since <Time iso={oldest.submittedAt ?? oldest.createdAt} />
                    </span>
                  </p>
                  <Link href="/app/approvals" className={LINK}>
                    Open the queue
                    <ArrowUpRight aria-hidden className="size-3" />
                  </Link>
                </div>
              ) : (
                <p className="text-sm text-muted-foreground" data-testid="home-waiting-count">
                  Nothing waits for your decision.
                </p>
              );
            }}
          </Section>
        ) : null}

        <Section id="home-mine" title="Your open requests" result={mine} what="Your requests">
          {(page) =>
            page.data.length === 0 ? (
              <p className="text-sm text-muted-foreground">No request of yours is waiting.</p>
            ) : (
              <ul className="space-y-2">
                {page.data.map((a) => (
                  <li key={a.id} className="text-sm break-words">
                    <Link href={`/app/approvals/${a.id}`} className={TITLE_LINK}>
                      {a.title}
                    </Link>{' '}
                    <span className="text-muted-foreground">
                      · waiting since <Time iso={a.submittedAt ?? a.createdAt} />
                    </span>
                  </li>
                ))}
              </ul>
            )
          }
        </Section>

        {conversations ? (
          <Section
            id="home-conversations"
            title="Open conversations"
            result={conversations}
            what="The inbox"
          >
            {(page) =>
              page.data.length === 0 ? (
                <p className="text-sm text-muted-foreground">No open conversation.</p>
              ) : (
                <ul className="space-y-2">
                  {page.data.map((c) => (
                    <li key={c.id} className="min-w-0 text-sm">
                      <Link href={`/app/inbox/${c.id}`} className={TITLE_LINK}>
                        {c.contactName ?? `Conversation #${c.displayId}`}
                      </Link>{' '}
                      <span className="text-muted-foreground">
                        · <Time iso={c.lastActivityAt} />
                      </span>
                      {c.lastMessagePreview ? (
                        <p className="line-clamp-1 break-words text-muted-foreground">
                          {c.lastMessagePreview}
                        </p>
                      ) : null}
                    </li>
                  ))}
                </ul>
              )
            }
          </Section>
        ) : null}

        <Section id="home-activity" title="Recent activity" result={activity} what="The timeline">
          {(page) =>
            page.data.length === 0 ? (
              <p className="text-sm text-muted-foreground">Nothing has happened here yet.</p>
            ) : (
              <div className="space-y-2">
                <ul className="space-y-2">
                  {page.data.map((e) => (
                    <li key={e.id} className="text-sm break-words">
                      {e.title}{' '}
                      <span className="text-muted-foreground">
                        · <Time iso={e.occurredAt} />
                      </span>
                    </li>
                  ))}
                </ul>
                <Link href="/app/activity" className={LINK}>
                  All activity
                  <ArrowUpRight aria-hidden className="size-3" />
                </Link>
              </div>
            )
          }
        </Section>

        {manages ? <ToolsCard modules={modules} /> : null}
      </div>
    </div>
  );
}

function Section<T>({
  id,
  title,
  result,
  what,
  children,
}: {
  id: string;
  title: string;
  result: Loaded<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  return (
    <Card data-testid={id} aria-labelledby={`${id}-title`} role="region">
      <CardHeader>
        <CardTitle id={`${id}-title`} className="text-base">
          <h2>{title}</h2>
        </CardTitle>
      </CardHeader>
      <CardContent>
        {result.ok ? children(result.data) : <FailureState failure={result} what={what} />}
      </CardContent>
    </Card>
  );
}

const TOOL_STATE: Record<
  ModuleState['state'],
  { label: string; variant: 'success' | 'secondary' }
> = {
  enabled: { label: 'Connected', variant: 'success' },
  not_configured: { label: 'Not configured', variant: 'secondary' },
  disabled: { label: 'Switched off', variant: 'secondary' },
};

/** Owners and admins: which tools are connected, with the way to configure the others. */
function ToolsCard({ modules }: { modules: ModuleState[] | null }) {
  return (
    <Card data-testid="home-tools" aria-labelledby="home-tools-title" role="region">
      <CardHeader>
        <CardTitle id="home-tools-title" className="text-base">
          <h2>Connected tools</h2>
        </CardTitle>
        <CardAction>
          <Link href="/app/admin/apps" className={LINK}>
            Manage
          </Link>
        </CardAction>
      </CardHeader>
      <CardContent>
        {modules === null ? (
          <p className="text-sm text-muted-foreground">The tools&apos; state is unavailable.</p>
        ) : (
          <ul className="divide-y">
            {[...modules]
              .sort((a, b) => a.order - b.order)
              .map((m) => (
                <li key={m.id} className="flex items-center justify-between gap-2 py-2 text-sm">
                  <span className="min-w-0 break-words">{m.name}</span>
                  <Badge variant={TOOL_STATE[m.state].variant} data-state={m.state}>
                    {TOOL_STATE[m.state].label}
                  </Badge>
                </li>
              ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
