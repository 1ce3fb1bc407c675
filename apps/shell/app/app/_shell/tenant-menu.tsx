'use client';

import type { ReactElement } from 'react';
import { Building2, User, Users, type LucideIcon } from 'lucide-react';
import {
  Badge,
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

import type { FlatTenant } from '@/lib/api/tenants';
import { ROLE_LABEL } from '@/lib/tenant-labels';

const KIND_ICON: Record<FlatTenant['kind'], LucideIcon> = {
  individual: User,
  organization: Building2,
  team: Users,
};

/** The tenant menu itself (loaded when first wanted: tenant-switcher.tsx). */
export function TenantMenu({
  tenants,
  shownId,
  unread,
  choose,
  trigger,
  open,
  onOpenChange,
}: {
  tenants: FlatTenant[];
  shownId: string | null;
  unread: Record<string, number>;
  choose: (id: string) => void;
  trigger: ReactElement;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const personal = tenants.filter((t) => t.kind === 'individual');
  const organisations = tenants.filter((t) => t.kind !== 'individual');
  return (
    <DropdownMenu open={open} onOpenChange={onOpenChange}>
      <DropdownMenuTrigger asChild>{trigger}</DropdownMenuTrigger>
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
