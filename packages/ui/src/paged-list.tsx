import type { ComponentType, ReactNode } from 'react';

import { Button } from './button';
import { cn } from './lib/utils';
import { FailureState } from './page-states';
import type { Loaded } from './results';

/**
 * A list page's body: why it could not be loaded, or that it is empty, or its items and the
 * way to the next (older) page.
 */
export function PagedList<T>({
  result,
  what,
  empty,
  children,
  more,
  keepChildren = false,
}: {
  result: Loaded<{ data: T[]; nextCursor: string | null }>;
  /** What failed to load, e.g. "The inbox". */
  what: string;
  empty: ReactNode;
  children: (items: T[]) => ReactNode;
  /** The link to the page after `cursor`, e.g. `<Link href=…>Older requests</Link>`. */
  more: (cursor: string) => ReactNode;
  /**
   * Render `children` even with no items, which then show `empty` themselves: a client list
   * that keeps rows the server no longer has (decided ones, in place) must not unmount.
   */
  keepChildren?: boolean;
}) {
  if (!result.ok) return <FailureState failure={result} what={what} />;
  const { data, nextCursor } = result.data;
  if (data.length === 0 && !keepChildren) return empty;
  return (
    <>
      {children(data)}
      {nextCursor ? (
        <div className="mt-4 flex justify-center">
          <Button asChild variant="outline" size="sm">
            {more(nextCursor)}
          </Button>
        </div>
      ) : null}
    </>
  );
}

/** Tabs of a list page that are links (its views or filters), the current one marked. */
export function TabNav({
  label,
  tabs,
  link: Link,
  className,
}: {
  label: string;
  tabs: { key: string; href: string; label: string; active: boolean }[];
  /** The router's link (next/link). */
  link: ComponentType<{
    href: string;
    className?: string;
    'aria-current'?: 'page';
    children: ReactNode;
  }>;
  className?: string;
}) {
  return (
    <nav aria-label={label} className="mb-4 flex gap-1 overflow-x-auto border-b">
      {tabs.map((tab) => (
        <Link
          key={tab.key}
          href={tab.href}
          aria-current={tab.active ? 'page' : undefined}
          className={cn(
            '-mb-px border-b-2 border-transparent px-3 py-2 text-sm whitespace-nowrap text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50',
            tab.active && 'border-primary font-medium text-foreground',
            className,
          )}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
