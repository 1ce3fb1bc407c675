'use client';

import { useSyncExternalStore } from 'react';
import { Monitor, Moon, Sun, type LucideIcon } from 'lucide-react';
import { useTheme } from 'next-themes';
import { Button } from '@afenda/ui';

const options: ReadonlyArray<{ value: string; label: string; icon: LucideIcon }> = [
  { value: 'light', label: 'Light', icon: Sun },
  { value: 'dark', label: 'Dark', icon: Moon },
  { value: 'system', label: 'System', icon: Monitor },
];

const subscribe = () => () => {};

/** Light / dark / system switch. The active choice is only shown once hydrated. */
export function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  // The theme is unknown during server rendering; avoid a hydration mismatch.
  const hydrated = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );

  return (
    <div
      role="group"
      aria-label="Theme"
      className="inline-flex items-center gap-0.5 rounded-lg border bg-muted p-0.5"
    >
      {options.map(({ value, label, icon: Icon }) => (
        <Button
          key={value}
          type="button"
          variant="ghost"
          size="icon-sm"
          title={label}
          aria-label={`${label} theme`}
          aria-pressed={hydrated ? theme === value : undefined}
          onClick={() => setTheme(value)}
          className="size-7 text-muted-foreground aria-pressed:bg-background aria-pressed:text-foreground aria-pressed:shadow-xs dark:aria-pressed:bg-input/50"
        >
          <Icon aria-hidden />
        </Button>
      ))}
    </div>
  );
}
