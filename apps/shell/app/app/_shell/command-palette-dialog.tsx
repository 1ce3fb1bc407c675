'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';
import { BadgeCheck, MessageSquare } from 'lucide-react';
import {
  CommandDialog,
  CommandEmpty,
  CommandGroup,
  CommandInput,
  CommandItem,
  CommandList,
  CommandShortcut,
} from '@afenda/ui/command';

import { ModuleIcon } from '@/lib/modules/icons';
import { loadPaletteData, type PaletteData } from './actions';
import type { NavItem } from './nav-links';

/** The palette itself (cmdk), loaded the first time it opens. */
export default function CommandPaletteDialog({
  items,
  open,
  setOpen,
}: {
  items: NavItem[];
  open: boolean;
  setOpen: (open: boolean) => void;
}) {
  const router = useRouter();
  const [data, setData] = useState<PaletteData | null>(null);
  const [loading, startLoading] = useTransition();

  useEffect(() => {
    if (!open) return;
    startLoading(async () => {
      setData(await loadPaletteData().catch(() => ({ approvals: [], conversations: [] })));
    });
  }, [open]);

  const go = (href: string) => {
    setOpen(false);
    router.push(href);
  };

  return (
    <CommandDialog
      open={open}
      onOpenChange={setOpen}
      title="Jump to"
      description="Search modules, approvals and conversations"
    >
      <CommandInput placeholder="Search modules, approvals, conversations…" />
      <CommandList>
        <CommandEmpty>{loading ? 'Loading…' : 'Nothing matches.'}</CommandEmpty>
        <CommandGroup heading="Go to">
          {items.map((item) => (
            <CommandItem
              key={item.id}
              value={`${item.title} ${item.path}`}
              onSelect={() => go(item.path)}
            >
              <ModuleIcon name={item.icon} />
              {item.title}
              {item.note ? <CommandShortcut>{item.note}</CommandShortcut> : null}
            </CommandItem>
          ))}
        </CommandGroup>
        {data && data.approvals.length > 0 ? (
          <CommandGroup heading="Approvals">
            {data.approvals.map((a) => (
              <CommandItem
                key={a.id}
                value={`approval ${a.title} ${a.id}`}
                onSelect={() => go(a.href)}
              >
                <BadgeCheck aria-hidden />
                <span className="truncate">{a.title}</span>
                <CommandShortcut>{a.hint}</CommandShortcut>
              </CommandItem>
            ))}
          </CommandGroup>
        ) : null}
        {data && data.conversations.length > 0 ? (
          <CommandGroup heading="Conversations">
            {data.conversations.map((c) => (
              <CommandItem
                key={c.id}
                value={`conversation ${c.title} ${c.hint} ${c.id}`}
                onSelect={() => go(c.href)}
              >
                <MessageSquare aria-hidden />
                <span className="truncate">{c.title}</span>
                <CommandShortcut>{c.hint}</CommandShortcut>
              </CommandItem>
            ))}
          </CommandGroup>
        ) : null}
      </CommandList>
    </CommandDialog>
  );
}
