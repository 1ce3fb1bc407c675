'use client';

import dynamic from 'next/dynamic';
import { useEffect, useState } from 'react';
import { Search } from 'lucide-react';
import { Button } from '@afenda/ui';

import type { NavItem } from './nav-links';
import type { PaletteTenant } from './command-palette-dialog';

// cmdk and the dialog load the first time the palette opens, not with every page.
const CommandPaletteDialog = dynamic(() => import('./command-palette-dialog'), { ssr: false });

/**
 * ⌘K / Ctrl+K: jump to a module, a page, an approval or a conversation, or act: approve the
 * oldest waiting request, a new request, switch tenant, the theme, sign out.
 */
export function CommandPalette({
  tenantId,
  items,
  tenants,
  canApprove,
  canRequest,
}: {
  /** The active tenant: what the palette loaded for another tenant goes with it. */
  tenantId: string | null;
  items: NavItem[];
  tenants: PaletteTenant[];
  canApprove: boolean;
  canRequest: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [used, setUsed] = useState(false);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() === 'k' && (event.metaKey || event.ctrlKey)) {
        event.preventDefault();
        setUsed(true);
        setOpen((o) => !o);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      <Button
        variant="outline"
        size="sm"
        className="w-9 justify-start px-0 text-muted-foreground sm:w-52 sm:px-3"
        onClick={() => {
          setUsed(true);
          setOpen(true);
        }}
        aria-keyshortcuts="Control+K Meta+K"
      >
        <Search aria-hidden className="mx-auto sm:mx-0" />
        <span className="sr-only flex-1 text-left sm:not-sr-only">Jump to…</span>
        <kbd
          aria-hidden
          className="pointer-events-none hidden rounded border bg-background px-1.5 font-mono text-[10px] text-foreground sm:inline"
        >
          Ctrl K
        </kbd>
      </Button>
      {used ? (
        <CommandPaletteDialog
          key={tenantId ?? 'none'}
          items={items}
          open={open}
          setOpen={setOpen}
          tenants={tenants}
          canApprove={canApprove}
          canRequest={canRequest}
        />
      ) : null}
    </>
  );
}
