'use client';

import { Button } from '@afenda/ui';

import { useLazyMenu } from './use-lazy-menu';

export const LOGOUT_FORM_ID = 'logout-form';

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return (
    (parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')
  ).toUpperCase();
}

const loadMenu = () => import('./user-menu-dropdown').then((m) => m.UserMenuDropdown);

/** Who is signed in; their profile, the theme, and signing out (the menu loads when wanted). */
export function UserMenu({ name, email }: { name: string; email: string | null }) {
  const { Menu, open, setOpen, preload, openNow } = useLazyMenu(loadMenu);
  const trigger = (
    <Button
      variant="ghost"
      size="sm"
      className="gap-2 px-1.5"
      aria-haspopup="menu"
      {...(Menu ? {} : { onPointerEnter: preload, onFocus: preload, onClick: openNow })}
    >
      <span
        aria-hidden
        className="flex size-6 items-center justify-center rounded-full bg-primary text-[10px] font-semibold text-primary-foreground"
      >
        {initials(name)}
      </span>
      <span className="sr-only">Account: </span>
      <span className="sr-only max-w-40 truncate lg:not-sr-only" data-testid="user-name">
        {name}
      </span>
    </Button>
  );
  return Menu ? (
    <Menu name={name} email={email} trigger={trigger} open={open} onOpenChange={setOpen} />
  ) : (
    trigger
  );
}
