import type { Metadata } from 'next';
import { Button, FailureState, Input, Label, NoTenant, PageHeader } from '@afenda/ui';

import { load } from '@/lib/load';
import { requireTenantContext } from '@/lib/workspace';
import { Timeline } from './timeline';

export const metadata: Metadata = { title: 'Activity' };

const SOURCES = ['shell', 'chatwoot', 'keycloak', 'matrix', 'jitsi', 'tldraw'];
const TYPES = [
  'approval.created',
  'approval.submitted',
  'approval.approved',
  'approval.rejected',
  'membership.added',
  'membership.removed',
];

export default async function ActivityPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const ctx = await requireTenantContext('/app/activity');
  if (!ctx) return <NoTenant />;
  const type = typeof params.type === 'string' ? params.type.trim().slice(0, 64) : '';
  const source = typeof params.source === 'string' ? params.source.trim().slice(0, 32) : '';
  const result = await load(
    ctx.api.listActivity({ type: type || undefined, source: source || undefined, limit: 30 }),
  );

  return (
    <div>
      <PageHeader
        title="Activity"
        description={`Everything that happened in ${ctx.tenant.name}, across every tool, newest first.`}
      />
      <form
        method="get"
        className="mb-6 flex flex-wrap items-end gap-3"
        role="search"
        aria-label="Filter the timeline"
      >
        <div className="grid gap-1.5">
          <Label htmlFor="source">Source</Label>
          <select
            id="source"
            name="source"
            defaultValue={source}
            className="h-9 rounded-md border border-input bg-transparent px-3 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 dark:bg-input/30"
          >
            <option value="">Any</option>
            {SOURCES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="type">Type</Label>
          <Input
            id="type"
            name="type"
            defaultValue={type}
            list="activity-types"
            placeholder="Any"
            className="w-56"
          />
          <datalist id="activity-types">
            {TYPES.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </div>
        <Button type="submit" variant="secondary">
          Filter
        </Button>
      </form>
      {result.ok ? (
        <Timeline
          key={`${ctx.tenant.id}:${type}:${source}`}
          initial={result.data.data}
          initialCursor={result.data.nextCursor}
          filters={{ type: type || undefined, source: source || undefined }}
          meId={ctx.workspace.me.id}
        />
      ) : (
        <FailureState failure={result} what="The timeline" />
      )}
    </div>
  );
}
