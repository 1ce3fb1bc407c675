'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';
import { BadgeCheck, MessageSquare, Search } from 'lucide-react';
import { Button } from '@afenda/ui';
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

/** ⌘K / Ctrl+K: jump to a module, a page, an approval or a conversation. */
export function CommandPalette({ items }: { items: NavItem[] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [data, setData] = useState<PaletteData | null>(null);
  const [loading, startLoading] = useTransition();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() === 'k' && (event.metaKey || event.ctrlKey)) {
        event.preventDefault();
        setOpen((o) => !o);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

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
    <>
      <Button
        variant="outline"
        size="sm"
        className="w-9 justify-start px-0 text-muted-foreground sm:w-52 sm:px-3"
        onClick={() => setOpen(true)}
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
    </>
  );
}
