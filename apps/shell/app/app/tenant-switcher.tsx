'use client';

import { useOptimistic, useState, useTransition } from 'react';
import {
  Building2,
  ChevronsUpDown,
  LoaderCircle,
  User,
  Users,
  type LucideIcon,
} from 'lucide-react';
import {
  Badge,
  Button,
  cn,
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@afenda/ui';

import { loginPath } from '@/lib/auth/paths';
import type { FlatTenant } from '@/lib/api/tenants';
import { ROLE_LABEL } from '@/lib/tenant-labels';
import { switchTenant } from './actions';

const KIND_ICON: Record<FlatTenant['kind'], LucideIcon> = {
  individual: User,
  organization: Building2,
  team: Users,
};

/**
 * The active tenant, and the menu to change it: the personal tenant, then each organisation
 * with its teams, each with the user's role. Choosing one asks the orchestrator (server action)
 * and refreshes the page.
 */
export function TenantSwitcher({
  tenants,
  activeTenantId,
  unread = {},
}: {
  tenants: FlatTenant[];
  activeTenantId: string | null;
  /** Unread notifications per tenant id (what the user has waiting elsewhere). */
  unread?: Record<string, number>;
}) {
  const [pending, startTransition] = useTransition();
  const [shownId, setShownId] = useOptimistic(activeTenantId);
  const [error, setError] = useState<string | null>(null);
  const active = tenants.find((t) => t.id === shownId) ?? null;
  const personal = tenants.filter((t) => t.kind === 'individual');
  const organisations = tenants.filter((t) => t.kind !== 'individual');
  const ActiveIcon = active ? KIND_ICON[active.kind] : Building2;
  const elsewhere = tenants
    .filter((t) => t.id !== shownId)
    .reduce((sum, t) => sum + (unread[t.id] ?? 0), 0);

  function choose(id: string) {
    if (id === shownId) return;
    setError(null);
    startTransition(async () => {
      setShownId(id);
      const result = await switchTenant(id);
      if (result.ok) return;
      if (result.signedOut) {
        window.location.assign(loginPath(`${window.location.pathname}${window.location.search}`));
        return;
      }
      setError(result.message);
    });
  }

  return (
    <div className="flex min-w-0 items-center gap-2">
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button
            variant="outline"
            size="sm"
            className="max-w-64 min-w-0 justify-between"
            aria-busy={pending || undefined}
            data-testid="tenant-switcher"
          >
            <ActiveIcon aria-hidden className="text-muted-foreground" />
            <span className="sr-only">Switch tenant, active: </span>
            <span className="truncate">{active?.name ?? 'Choose a tenant'}</span>
            {elsewhere > 0 ? (
              <span
                className="size-2 shrink-0 rounded-full bg-destructive"
                data-testid="tenant-unread-elsewhere"
                title={`${elsewhere} unread in your other tenants`}
              >
                <span className="sr-only">, {elsewhere} unread in your other tenants</span>
              </span>
            ) : null}
            {pending ? (
              <LoaderCircle aria-hidden className="animate-spin text-muted-foreground" />
            ) : (
              <ChevronsUpDown aria-hidden className="text-muted-foreground" />
            )}
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start" className="w-72">
          <DropdownMenuRadioGroup value={shownId ?? ''} onValueChange={choose}>
            {personal.length > 0 ? (
              <DropdownMenuGroup>
                <DropdownMenuLabel className="text-xs font-normal text-muted-foreground">
                  Personal
                </DropdownMenuLabel>
                {personal.map((tenant) => (
                  <TenantItem key={tenant.id} tenant={tenant} unread={unread[tenant.id] ?? 0} />
                ))}
              </DropdownMenuGroup>
            ) : null}
            {personal.length > 0 && organisations.length > 0 ? <DropdownMenuSeparator /> : null}
            {organisations.length > 0 ? (
              <DropdownMenuGroup>
                <DropdownMenuLabel className="text-xs font-normal text-muted-foreground">
                  Organisations and teams
                </DropdownMenuLabel>
                {organisations.map((tenant) => (
                  <TenantItem key={tenant.id} tenant={tenant} unread={unread[tenant.id] ?? 0} />
                ))}
              </DropdownMenuGroup>
            ) : null}
          </DropdownMenuRadioGroup>
        </DropdownMenuContent>
      </DropdownMenu>
      {error ? (
        <p role="alert" className="truncate text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function TenantItem({ tenant, unread }: { tenant: FlatTenant; unread: number }) {
  const Icon = KIND_ICON[tenant.kind];
  return (
    <DropdownMenuRadioItem
      value={tenant.id}
      className={cn(tenant.depth > 0 && 'pl-12')}
      data-kind={tenant.kind}
    >
      <Icon aria-hidden />
      <span className="min-w-0 flex-1 truncate">{tenant.name}</span>
      {unread > 0 ? (
        <span
          className="rounded-full bg-destructive px-1.5 text-[10px] leading-4 font-semibold text-white"
          data-testid="tenant-unread"
        >
          {unread > 99 ? '99+' : unread}
          <span className="sr-only"> unread</span>
        </span>
      ) : null}
      <Badge variant="secondary" className="ml-auto">
        {ROLE_LABEL[tenant.role]}
      </Badge>
    </DropdownMenuRadioItem>
  );
}
