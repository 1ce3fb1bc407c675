'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@afenda/ui';

import { ModuleIcon } from '@/lib/modules/icons';

export interface NavItem {
  id: string;
  title: string;
  path: string;
  icon: string;
  /** Shown under the title, e.g. what a module still needs. */
  note?: string;
  badge?: string;
}

export interface NavSection {
  label: string;
  items: NavItem[];
}

function isActive(pathname: string, path: string): boolean {
  if (path === '/app') return pathname === '/app';
  return pathname === path || pathname.startsWith(`${path}/`);
}

/** The sidebar's links, the current one marked (aria-current) for eyes and screen readers. */
export function NavLinks({
  sections,
  onNavigate,
}: {
  sections: NavSection[];
  onNavigate?: () => void;
}) {
  const pathname = usePathname();
  return (
    <nav aria-label="Modules" className="flex flex-col gap-4">
      {sections.map((section) => (
        <div key={section.label} className="flex flex-col gap-0.5">
          <p className="px-2 pb-1 text-xs font-medium text-muted-foreground">{section.label}</p>
          <ul className="flex flex-col gap-0.5">
            {section.items.map((item) => {
              const active = isActive(pathname, item.path);
              return (
                <li key={item.id}>
                  <Link
                    href={item.path}
                    onClick={onNavigate}
                    aria-current={active ? 'page' : undefined}
                    data-module={item.id}
                    className={cn(
                      'flex items-start gap-2 rounded-md px-2 py-1.5 text-sm outline-none hover:bg-sidebar-accent hover:text-sidebar-accent-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50',
                      active && 'bg-sidebar-accent font-medium text-sidebar-accent-foreground',
                    )}
                  >
                    <ModuleIcon name={item.icon} className="mt-0.5 size-4 shrink-0" />
                    <span className="flex min-w-0 flex-1 flex-col">
                      <span className="flex items-center gap-2">
                        <span className="truncate">{item.title}</span>
                        {item.badge ? (
                          <span
                            className={cn(
                              'ml-auto rounded border px-1 text-[10px] leading-4 font-normal',
                              active ? 'text-sidebar-accent-foreground' : 'text-muted-foreground',
                            )}
                          >
                            {item.badge}
                          </span>
                        ) : null}
                      </span>
                      {item.note ? (
                        <span
                          className={cn(
                            'text-xs font-normal',
                            active ? 'text-sidebar-accent-foreground' : 'text-muted-foreground',
                          )}
                        >
                          {item.note}
                        </span>
                      ) : null}
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}
