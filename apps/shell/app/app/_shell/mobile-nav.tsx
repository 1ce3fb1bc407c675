'use client';

import { useState } from 'react';
import { Menu } from 'lucide-react';
import { Button } from '@afenda/ui';
import {
  Sheet,
  SheetContent,
  SheetDescription,
  SheetHeader,
  SheetTitle,
  SheetTrigger,
} from '@afenda/ui/sheet';

import { NavLinks, type NavSection } from './nav-links';

/** Below the md breakpoint the sidebar is a sheet behind a menu button. */
export function MobileNav({ sections }: { sections: NavSection[] }) {
  const [open, setOpen] = useState(false);
  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon-sm" className="md:hidden" aria-label="Open navigation">
          <Menu aria-hidden />
        </Button>
      </SheetTrigger>
      <SheetContent side="left" className="w-72 overflow-y-auto bg-sidebar p-0">
        <SheetHeader className="border-b">
          <SheetTitle>Axis Afenda</SheetTitle>
          <SheetDescription className="sr-only">The workspace's modules</SheetDescription>
        </SheetHeader>
        <div className="px-2 pb-4">
          <NavLinks sections={sections} onNavigate={() => setOpen(false)} />
        </div>
      </SheetContent>
    </Sheet>
  );
}
