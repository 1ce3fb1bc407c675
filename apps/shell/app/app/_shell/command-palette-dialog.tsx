'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState, useTransition } from 'react';
import {
  ArrowLeftRight,
  BadgeCheck,
  Check,
  LogOut,
  MessageSquare,
  Monitor,
  Moon,
  Plus,
  Sun,
} from 'lucide-react';
import { useTheme } from 'next-themes';
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
import { approveAction } from '../approvals/actions';
import { switchTenant } from '../actions';
import { loadPaletteData, type PaletteData } from './actions';
import type { NavItem } from './nav-links';
import { LOGOUT_FORM_ID } from './user-menu';

export interface PaletteTenant {
  id: string;
  name: string;
}

/** The palette itself (cmdk), loaded the first time it opens. */
export default function CommandPaletteDialog({
  items,
  open,
  setOpen,
  tenants,
  canApprove,
  canRequest,
}: {
  items: NavItem[];
  open: boolean;
  setOpen: (open: boolean) => void;
  /** The other tenants the user may switch to. */
  tenants: PaletteTenant[];
  canApprove: boolean;
  canRequest: boolean;
}) {
  const router = useRouter();
  const { setTheme } = useTheme();
  const [data, setData] = useState<PaletteData | null>(null);
  const [loading, startLoading] = useTransition();
  const [, startAction] = useTransition();

  useEffect(() => {
    if (!open) return;
    startLoading(async () => {
      setData(
        await loadPaletteData().catch(() => ({ approvals: [], conversations: [], waiting: [] })),
      );
    });
  }, [open]);

  // cmdk can be left with nothing selected when the items under it change while it is open
  // (the approvals reload after the first keystroke): then Enter does nothing. Whenever the list
  // settles with items but no selection, select the first, through cmdk's own Home key. A
  // callback ref: the dialog's portal mounts the list a render after the dialog opens.
  const observer = useRef<{ stop(): void } | null>(null);
  const watchList = useCallback((list: HTMLDivElement | null) => {
    observer.current?.stop();
    observer.current = null;
    if (!list) return;
    let frame = 0;
    const settle = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (list.querySelector('[cmdk-item][aria-selected="true"]')) return;
        if (!list.querySelector('[cmdk-item]:not([aria-disabled="true"])')) return;
        list
          .closest('[cmdk-root]')
          ?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
      });
    };
    const watcher = new MutationObserver(settle);
    watcher.observe(list, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['aria-selected'],
    });
    observer.current = {
      stop: () => {
        watcher.disconnect();
        cancelAnimationFrame(frame);
      },
    };
  }, []);

  const go = (href: string) => {
    setOpen(false);
    router.push(href);
  };
  /** Approve from the palette: recorded once (its own idempotency key), then its page. */
  const approve = (id: string, href: string) => {
    setOpen(false);
    startAction(async () => {
      await approveAction(id, crypto.randomUUID()).catch(() => null);
      router.push(href);
    });
  };
  const switchTo = (id: string) => {
    setOpen(false);
    startAction(async () => {
      const result = await switchTenant(id).catch(() => null);
      if (result?.ok) router.push('/app');
    });
  };

  return (
    <CommandDialog
      open={open}
      onOpenChange={setOpen}
      title="Jump to"
      description="Search modules, approvals and conversations"
    >
      <CommandInput placeholder="Search modules, approvals, conversations…" />
      <CommandList ref={watchList}>
        <CommandEmpty>{loading ? 'Loading…' : 'Nothing matches.'}</CommandEmpty>
        <CommandGroup heading="Actions">
          {canApprove
            ? (data?.waiting ?? []).map((a) => (
                <CommandItem
                  key={`approve-${a.id}`}
                  value={`approve ${a.title} ${a.id}`}
                  onSelect={() => approve(a.id, a.href)}
                >
                  <Check aria-hidden />
                  <span className="truncate">Approve “{a.title}”</span>
                  <CommandShortcut>oldest waiting</CommandShortcut>
                </CommandItem>
              ))
            : null}
          {canRequest ? (
            <CommandItem value="new request approval" onSelect={() => go('/app/approvals/new')}>
              <Plus aria-hidden />
              New request
            </CommandItem>
          ) : null}
          {tenants.map((t) => (
            <CommandItem
              key={`tenant-${t.id}`}
              value={`switch tenant ${t.name} ${t.id}`}
              onSelect={() => switchTo(t.id)}
            >
              <ArrowLeftRight aria-hidden />
              <span className="truncate">Switch to {t.name}</span>
            </CommandItem>
          ))}
          {(
            [
              ['light', 'Light theme', Sun],
              ['dark', 'Dark theme', Moon],
              ['system', 'System theme', Monitor],
            ] as const
          ).map(([value, label, Icon]) => (
            <CommandItem
              key={value}
              value={`theme ${label}`}
              onSelect={() => {
                setTheme(value);
                setOpen(false);
              }}
            >
              <Icon aria-hidden />
              {label}
            </CommandItem>
          ))}
          <CommandItem
            value="sign out log out"
            onSelect={() => {
              setOpen(false);
              (document.getElementById(LOGOUT_FORM_ID) as HTMLFormElement | null)?.requestSubmit();
            }}
          >
            <LogOut aria-hidden />
            Sign out
          </CommandItem>
        </CommandGroup>
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
