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
import { Button } from '@afenda/ui';

import { loginPath } from '@/lib/auth/paths';
import type { FlatTenant } from '@/lib/api/tenants';
import { switchTenant } from './actions';
import { useLazyMenu } from './_shell/use-lazy-menu';

const loadMenu = () => import('./_shell/tenant-menu').then((m) => m.TenantMenu);

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
  const { Menu, open, setOpen, preload, openNow } = useLazyMenu(loadMenu);
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

  const trigger = (
    <Button
      variant="outline"
      size="sm"
      className="max-w-64 min-w-0 justify-between"
      aria-busy={pending || undefined}
      data-testid="tenant-switcher"
      aria-haspopup="menu"
      {...(Menu ? {} : { onPointerEnter: preload, onFocus: preload, onClick: openNow })}
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
  );
  return (
    <div className="flex min-w-0 items-center gap-2">
      {Menu ? (
        <Menu
          tenants={tenants}
          shownId={shownId}
          unread={unread}
          choose={choose}
          trigger={trigger}
          open={open}
          onOpenChange={setOpen}
        />
      ) : (
        trigger
      )}
      {error ? (
        <p role="alert" className="truncate text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
