'use client';

import { useCallback, useRef, useState, type ComponentType } from 'react';

/**
 * A menu whose Radix part (DropdownMenu: ≈ 19 KB gzip) loads when it is first wanted, not with
 * every page: the button shows at once; pointing at it or focusing it starts the load, a click
 * (or Enter) opens the menu as soon as it is there. `Menu` is null until then.
 */
export function useLazyMenu<P>(load: () => Promise<ComponentType<P>>) {
  const [Menu, setMenu] = useState<ComponentType<P> | null>(null);
  const [open, setOpen] = useState(false);
  const loading = useRef<Promise<void> | null>(null);
  const preload = useCallback(() => {
    loading.current ??= load().then((component) => setMenu(() => component));
    return loading.current;
  }, [load]);
  const openNow = useCallback(() => {
    void preload().then(() => setOpen(true));
  }, [preload]);
  return { Menu, open, setOpen, preload, openNow };
}
