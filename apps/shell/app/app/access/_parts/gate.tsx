import type { ReactNode } from 'react';
import { Building2, Lock } from 'lucide-react';
import { EmptyState, FailureState, type LoadFailure } from '@afenda/ui';

import type { TenantContext } from '@/lib/workspace';
import { SwitchOrganisation } from './switch-organisation';

const isManager = (role: string) => role === 'owner' || role === 'admin';

/** Access is for the owners and admins of an organisation: anyone else is told so. */
export function OnlyOwnersAndAdmins({ organisation }: { organisation: string }) {
  return (
    <EmptyState title="Only owners and admins" icon={Lock}>
      <span data-testid="access-forbidden">
        Access in {organisation} is for its owners and admins. Ask one of them if someone&apos;s
        access to a tool looks wrong.
      </span>
    </EmptyState>
  );
}

/** In a team or personal tenant: which organisation(s) to switch to. */
export function PerOrganisation({ ctx }: { ctx: TenantContext }) {
  const orgs = ctx.workspace.tenants.filter((t) => t.kind === 'organization');
  const parent = orgs.find((t) => t.id === ctx.tenant.parentId);
  const managed = orgs.filter((t) => isManager(t.role));
  const targets = (parent ? [parent] : managed).slice(0, 3);
  return (
    <EmptyState title="Access is kept per organisation" icon={Building2}>
      <div className="flex flex-col items-center gap-3" data-testid="access-per-organisation">
        <p>
          {targets.length
            ? `Access is kept per organisation — switch to ${targets.map((t) => t.name).join(' or ')} to see it.`
            : `${ctx.tenant.name} is not an organisation, and you are not an owner or admin of one.`}
        </p>
        {targets.map((t) => (
          <SwitchOrganisation key={t.id} id={t.id} name={t.name} />
        ))}
      </div>
    </EmptyState>
  );
}

/** What to show instead of the page, or null when the active tenant and role may see it. */
export function accessGate(ctx: TenantContext): ReactNode | null {
  if (ctx.tenant.kind !== 'organization') return <PerOrganisation ctx={ctx} />;
  if (!isManager(ctx.tenant.role)) return <OnlyOwnersAndAdmins organisation={ctx.tenant.name} />;
  return null;
}

/** A failed load: the orchestrator's own refusal said the same way as the gate. */
export function AccessFailure({
  ctx,
  failure,
  what,
}: {
  ctx: TenantContext;
  failure: LoadFailure;
  what: string;
}) {
  if (failure.code === 'ACCESS_ORGANISATION_REQUIRED') return <PerOrganisation ctx={ctx} />;
  if (failure.kind === 'forbidden') return <OnlyOwnersAndAdmins organisation={ctx.tenant.name} />;
  return <FailureState failure={failure} what={what} />;
}
