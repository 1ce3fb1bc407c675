'use client';

import dynamic from 'next/dynamic';
import { useState } from 'react';
import { Menu } from 'lucide-react';
import { Button } from '@afenda/ui';

import type { NavSection } from './nav-links';

// The sheet loads the first time it opens (phones only need it, and only then).
const MobileNavSheet = dynamic(() => import('./mobile-nav-sheet'), { ssr: false });

/** Below the md breakpoint the sidebar is a sheet behind a menu button. */
export function MobileNav({ sections }: { sections: NavSection[] }) {
  const [open, setOpen] = useState(false);
  const [used, setUsed] = useState(false);
  return (
    <>
      <Button
        variant="ghost"
        size="icon-sm"
        className="md:hidden"
        aria-label="Open navigation"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => {
          setUsed(true);
          setOpen(true);
        }}
      >
        <Menu aria-hidden />
      </Button>
      {used ? <MobileNavSheet sections={sections} open={open} setOpen={setOpen} /> : null}
    </>
  );
}
