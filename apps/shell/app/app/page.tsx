import { Building2, CircleCheck, CircleMinus, User, Users } from 'lucide-react';
import {
  Badge,
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
} from '@afenda/ui';

import { requireSession } from '@/lib/auth/session';
import { KIND_LABEL, ROLE_LABEL } from '@/lib/tenant-labels';
import { loadWorkspace } from '@/lib/workspace';

const KIND_ICON = { individual: User, organization: Building2, team: Users } as const;

export default async function WorkspaceHome() {
  const session = await requireSession('/app');
  const { me, active } = await loadWorkspace(session.accessToken);
  const name = me.displayName || session.user.name;

  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Welcome, {name}</h1>
        <p className="text-muted-foreground">
          Signed in as {me.username}
          {me.email ? ` (${me.email})` : ''}.
        </p>
      </div>

      {active ? (
        <Card data-testid="active-tenant" className="max-w-xl">
          <CardHeader>
            <CardDescription>Active tenant</CardDescription>
            <CardTitle className="flex items-center gap-2 text-xl">
              <ActiveKindIcon kind={active.kind} />
              <span data-testid="active-tenant-name">{active.name}</span>
            </CardTitle>
            <CardAction>
              <Badge data-testid="active-tenant-role">{ROLE_LABEL[active.role]}</Badge>
            </CardAction>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
              <dt className="text-muted-foreground">Kind</dt>
              <dd>
                {KIND_LABEL[active.kind]}
                {active.parentName ? ` in ${active.parentName}` : ''}
              </dd>
              <dt className="text-muted-foreground">Your role</dt>
              <dd>{ROLE_LABEL[active.role]}</dd>
              <dt className="text-muted-foreground">Approvals</dt>
              <dd className="flex items-center gap-1.5">
                {active.canApprove ? (
                  <>
                    <CircleCheck
                      aria-hidden
                      className="size-4 text-emerald-600 dark:text-emerald-400"
                    />
                    You may approve
                  </>
                ) : (
                  <>
                    <CircleMinus aria-hidden className="size-4 text-muted-foreground" />
                    You may not approve
                  </>
                )}
              </dd>
            </dl>
          </CardContent>
        </Card>
      ) : (
        <Card className="max-w-xl">
          <CardHeader>
            <CardTitle>No tenant yet</CardTitle>
            <CardDescription>
              You are not a member of any tenant. Ask an administrator to add you to your
              organisation.
            </CardDescription>
          </CardHeader>
        </Card>
      )}
    </div>
  );
}

function ActiveKindIcon({ kind }: { kind: keyof typeof KIND_ICON }) {
  const Icon = KIND_ICON[kind];
  return <Icon aria-hidden className="size-5 text-muted-foreground" />;
}
