import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ArrowLeft } from 'lucide-react';
import {
  Badge,
  Button,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  NoTenant,
  PageHeader,
  Time,
} from '@afenda/ui';

import { isUuid } from '@/lib/actions';
import type { AccessSubject } from '@/lib/api/access';
import { load } from '@/lib/load';
import { ROLE_LABEL } from '@/lib/tenant-labels';
import { requireTenantContext } from '@/lib/workspace';
import { AccessFailure, accessGate } from '../../_parts/gate';
import { guardText, valueText } from '../../_parts/labels';
import { StatusChip } from '../../_parts/status-chip';

export const metadata: Metadata = { title: 'Access report' };

/**
 * One person's access report (the offboarding report): every subject they have in every tool,
 * as Keycloak wants it and as the tool has it.
 */
export default async function AccessReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const ctx = await requireTenantContext(`/app/access/people/${id}`);
  if (!ctx) return <NoTenant />;
  const back = (
    <Button asChild variant="ghost" size="sm" className="-ml-2">
      <Link href="/app/access">
        <ArrowLeft aria-hidden />
        Access
      </Link>
    </Button>
  );
  const gate = accessGate(ctx);
  if (gate)
    return (
      <div className="space-y-4">
        {back}
        {gate}
      </div>
    );
  const [overview, report] = await Promise.all([
    load(ctx.api.getAccess()),
    load(ctx.api.getAccessReport(id)),
  ]);
  const failed = !overview.ok ? overview : !report.ok ? report : null;
  if (failed)
    return (
      <div className="space-y-4">
        {back}
        <AccessFailure ctx={ctx} failure={failed} what="This access report" />
      </div>
    );
  if (!overview.ok || !report.ok) return null;
  const person = overview.data.people.find((p) => p.userId === id);
  const { subjects } = report.data;
  if (!person && subjects.length === 0) notFound();
  const name = person?.displayName ?? 'Someone no longer in the organisation';

  return (
    <div className="space-y-6" data-testid="access-report">
      {back}
      <PageHeader
        title={name}
        description={
          <>
            {person ? (
              <>
                @{person.username} ·{' '}
                {ROLE_LABEL[person.role as keyof typeof ROLE_LABEL] ?? person.role} in{' '}
                {ctx.tenant.name}
                {person.enabled ? null : (
                  <Badge variant="outline" className="ml-2">
                    Disabled
                  </Badge>
                )}
              </>
            ) : (
              `Not a member of ${ctx.tenant.name}: what the tools still hold for them`
            )}
            <span className="mt-1 block">
              Everything they hold in each tool, as Keycloak grants it and as the tool has it. Once
              someone leaves, every line here should read “grants nothing, has nothing”.
            </span>
          </>
        }
      />
      {overview.data.tools.map((tool) => {
        const mine = subjects.filter((s) => s.tool === tool.id);
        return (
          <Card key={tool.id} data-testid="access-report-tool" data-tool={tool.id}>
            <CardHeader>
              <CardTitle>{tool.name}</CardTitle>
              <CardDescription>
                {tool.configured ? guardText(tool) : `${tool.name} is not connected.`}
              </CardDescription>
            </CardHeader>
            <CardContent>
              {mine.length === 0 ? (
                <p className="text-sm text-muted-foreground">
                  {tool.configured
                    ? `Nothing recorded for them in ${tool.name} yet.`
                    : 'Nothing: the tool is not connected.'}
                </p>
              ) : (
                <ul className="divide-y">
                  {mine.map((s) => (
                    <SubjectLine key={s.subject} subject={s} />
                  ))}
                </ul>
              )}
            </CardContent>
          </Card>
        );
      })}
    </div>
  );
}

function SubjectLine({ subject: s }: { subject: AccessSubject }) {
  return (
    <li
      className="flex flex-col gap-1 py-2 text-sm first:pt-0 last:pb-0"
      data-testid="access-subject"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <span className="min-w-0 font-mono text-xs break-all">{s.subject}</span>
        <StatusChip state={s.status} />
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-xs">
        <dt className="text-muted-foreground">Keycloak grants</dt>
        <dd className="break-words">{valueText(s.desired)}</dd>
        <dt className="text-muted-foreground">The tool has</dt>
        <dd className="break-words">{valueText(s.actual)}</dd>
        {s.error ? (
          <>
            <dt className="text-muted-foreground">Error</dt>
            <dd className="break-words text-destructive">{s.error}</dd>
          </>
        ) : null}
        {s.driftedAt ? (
          <>
            <dt className="text-muted-foreground">Drift</dt>
            <dd className="break-words">
              was {valueText(s.driftWas)} on <Time iso={s.driftedAt} />
            </dd>
          </>
        ) : null}
      </dl>
    </li>
  );
}
