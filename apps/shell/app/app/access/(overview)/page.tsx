import type { Metadata } from 'next';
import Link from 'next/link';
import { ArrowRight } from 'lucide-react';
import {
  Badge,
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
  EmptyState,
  NoTenant,
  PageHeader,
  Time,
} from '@afenda/ui';

import type { AccessOverview, AccessPerson, AccessTool } from '@/lib/api/access';
import { load } from '@/lib/load';
import { ROLE_LABEL } from '@/lib/tenant-labels';
import { requireTenantContext } from '@/lib/workspace';
import { AccessFailure, accessGate } from '../_parts/gate';
import { guardText, RUN_STATUS, runCounts, TRIGGER, valueText } from '../_parts/labels';
import { StatusChip } from '../_parts/status-chip';
import { SyncButton } from '../_parts/sync-button';

export const metadata: Metadata = { title: 'Access' };

/**
 * Access (owners and admins of an organisation): what Keycloak grants each person in each tool
 * and whether the tool holds exactly that; each tool's last run; the drift history; Sync now.
 */
export default async function AccessPage() {
  const ctx = await requireTenantContext('/app/access');
  if (!ctx) return <NoTenant />;
  const description = `What Keycloak grants each person of ${ctx.tenant.name} in each tool, and whether the tool holds exactly that. Keycloak is the source of truth: an edit made inside a tool is set back.`;
  const header = <PageHeader title="Access" description={description} />;
  const gate = accessGate(ctx);
  if (gate)
    return (
      <div>
        {header}
        {gate}
      </div>
    );
  const access = await load(ctx.api.getAccess());
  if (!access.ok)
    return (
      <div>
        {header}
        <AccessFailure ctx={ctx} failure={access} what="Access" />
      </div>
    );
  const { tools, people, drift } = access.data;
  const connected = tools.filter((t) => t.configured);

  return (
    <div className="space-y-8">
      <PageHeader
        title="Access"
        description={description}
        actions={
          <SyncButton
            size="default"
            disabledReason={
              connected.length
                ? undefined
                : 'No tool is connected yet: connect one (see the App registry) and it can be synced.'
            }
          />
        }
      />

      <section aria-labelledby="access-tools" className="space-y-3">
        <h2 id="access-tools" className="text-lg font-semibold tracking-tight">
          Tools
        </h2>
        {tools.length === 0 ? (
          <EmptyState title="No tools">This server keeps no tool in step with Keycloak.</EmptyState>
        ) : (
          <div className="grid gap-4 md:grid-cols-2">
            {tools.map((t) => (
              <ToolCard key={t.id} tool={t} />
            ))}
          </div>
        )}
      </section>

      <section aria-labelledby="access-people" className="space-y-3">
        <h2 id="access-people" className="text-lg font-semibold tracking-tight">
          People
        </h2>
        {people.length === 0 ? (
          <EmptyState title="Nobody yet">{ctx.tenant.name} has no members yet.</EmptyState>
        ) : (
          <PeopleMatrix people={people} tools={tools} />
        )}
      </section>

      <section aria-labelledby="access-drift" className="space-y-3">
        <h2 id="access-drift" className="text-lg font-semibold tracking-tight">
          Drift history
        </h2>
        {drift.length === 0 ? (
          <EmptyState title="No drift">
            No tool has held anything other than what Keycloak grants.
          </EmptyState>
        ) : (
          <DriftHistory drift={drift} tools={tools} />
        )}
      </section>
    </div>
  );
}

function ToolCard({ tool }: { tool: AccessTool }) {
  const run = tool.lastRun;
  const counts = run ? runCounts(run.result) : null;
  return (
    <Card
      data-testid="access-tool"
      data-tool={tool.id}
      data-configured={tool.configured}
      data-run={run?.status ?? 'none'}
    >
      <CardHeader>
        <CardTitle>{tool.name}</CardTitle>
        <CardDescription>{guardText(tool)}</CardDescription>
        <CardAction>
          {tool.configured ? (
            <Badge variant="success">Connected</Badge>
          ) : (
            <Badge variant="outline" className="text-muted-foreground">
              Not connected
            </Badge>
          )}
        </CardAction>
      </CardHeader>
      <CardContent>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-muted-foreground">Local edits</dt>
          <dd data-testid="access-guard">
            {tool.guard === 'prevented' ? 'Prevented' : 'Repaired on every run'}
          </dd>
          <dt className="text-muted-foreground">Last run</dt>
          <dd data-testid="access-last-run">
            {run ? (
              <>
                <span
                  className={
                    run.status === 'failed'
                      ? 'font-medium text-destructive'
                      : run.status === 'succeeded'
                        ? 'font-medium text-emerald-700 dark:text-emerald-400'
                        : 'font-medium'
                  }
                >
                  {RUN_STATUS[run.status] ?? run.status}
                </span>{' '}
                <Time iso={run.finishedAt ?? run.startedAt} className="text-muted-foreground" />
                <span className="text-muted-foreground">
                  {' '}
                  · {TRIGGER[run.trigger] ?? run.trigger}
                </span>
              </>
            ) : tool.configured ? (
              'None yet'
            ) : (
              'None: the tool is not connected'
            )}
          </dd>
          {counts ? (
            <>
              <dt className="text-muted-foreground">Result</dt>
              <dd data-testid="access-run-counts">
                {counts.checked} checked · {counts.changed} changed · {counts.failed} failed
              </dd>
            </>
          ) : null}
          {run?.error ? (
            <>
              <dt className="text-muted-foreground">Error</dt>
              <dd className="break-words text-destructive" data-testid="access-run-error">
                {run.error}
              </dd>
            </>
          ) : null}
        </dl>
      </CardContent>
      <CardFooter>
        <SyncButton
          tool={{ id: tool.id, name: tool.name }}
          disabledReason={
            tool.configured ? undefined : `${tool.name} is not connected: there is nothing to sync.`
          }
        />
      </CardFooter>
    </Card>
  );
}

/**
 * People × tools. One table in a scroller of its own (the page never scrolls sideways), the
 * person's column sticky so a phone keeps the names in view.
 */
function PeopleMatrix({ people, tools }: { people: AccessPerson[]; tools: AccessTool[] }) {
  return (
    <div
      className="relative w-full overflow-x-auto rounded-lg border"
      data-testid="access-matrix"
      role="region"
      aria-labelledby="access-people"
      tabIndex={0}
    >
      <table className="w-full border-collapse text-sm">
        <caption className="sr-only">
          Each person&apos;s access per tool; open a person for their report
        </caption>
        <thead className="bg-muted text-left text-xs text-foreground">
          <tr>
            <th scope="col" className="sticky left-0 z-10 bg-muted px-3 py-2 font-medium">
              Person
            </th>
            {tools.map((t) => (
              <th key={t.id} scope="col" className="px-3 py-2 font-medium whitespace-nowrap">
                {t.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {people.map((p) => (
            <tr
              key={p.userId}
              className="border-t"
              data-testid="access-person"
              data-user={p.username}
              data-enabled={p.enabled}
            >
              <th
                scope="row"
                className="sticky left-0 z-10 max-w-44 bg-background px-3 py-2 text-left align-top font-normal sm:max-w-none"
              >
                <Link
                  href={`/app/access/people/${p.userId}`}
                  className="inline-flex items-center gap-1 font-medium underline-offset-4 hover:underline"
                >
                  <span className="break-words">{p.displayName}</span>
                  <ArrowRight aria-hidden className="size-3 shrink-0 text-muted-foreground" />
                </Link>
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted-foreground">
                  <span className="break-all">@{p.username}</span>
                  <span data-testid="access-role">
                    {ROLE_LABEL[p.role as keyof typeof ROLE_LABEL] ?? p.role}
                  </span>
                  {p.enabled ? null : (
                    <Badge variant="outline" className="text-[10px]" data-testid="access-disabled">
                      Disabled
                    </Badge>
                  )}
                </div>
              </th>
              {tools.map((t) => {
                const cell = p.tools[t.id];
                return (
                  <td key={t.id} className="px-3 py-2 align-top" data-tool={t.id}>
                    <StatusChip
                      state={!t.configured ? 'not_connected' : (cell?.status ?? 'unchecked')}
                      error={cell?.error}
                      detail={
                        cell
                          ? `${cell.subjects} ${cell.subjects === 1 ? 'subject' : 'subjects'}`
                          : ''
                      }
                    />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Newest first: when, which tool, the subject, what it had become → what it is now. */
function DriftHistory({ drift, tools }: { drift: AccessOverview['drift']; tools: AccessTool[] }) {
  const name = (id: string) => tools.find((t) => t.id === id)?.name ?? id;
  return (
    <ol className="divide-y rounded-lg border" data-testid="access-drift">
      {drift.map((d) => (
        <li
          key={`${d.tool}:${d.subject}`}
          className="grid gap-1 px-3 py-2 text-sm sm:grid-cols-[11rem_1fr_auto] sm:gap-3"
          data-testid="access-drift-entry"
          data-tool={d.tool}
        >
          <span className="text-muted-foreground">
            {d.driftedAt ? <Time iso={d.driftedAt} /> : null}
          </span>
          <span className="min-w-0">
            <span className="font-medium">{name(d.tool)}</span>{' '}
            <span className="font-mono text-xs break-all">{d.subject}</span>
            <span className="block text-muted-foreground">
              was <span className="text-foreground">{valueText(d.driftWas)}</span> → now{' '}
              <span className="text-foreground">{valueText(d.actual)}</span>
              {d.desired !== d.actual ? <> (Keycloak grants {valueText(d.desired)})</> : null}
            </span>
          </span>
          <span>
            <StatusChip state={d.status} error={d.error} />
          </span>
        </li>
      ))}
    </ol>
  );
}
