'use client';

import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from '@afenda/ui/sheet';

import { NavLinks, type NavSection } from './nav-links';

export default function MobileNavSheet({
  sections,
  open,
  setOpen,
}: {
  sections: NavSection[];
  open: boolean;
  setOpen: (open: boolean) => void;
}) {
  return (
    <Sheet open={open} onOpenChange={setOpen}>
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
