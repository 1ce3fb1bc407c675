'use client';

import dynamic from 'next/dynamic';
import { useTheme } from 'next-themes';

// sonner loads after the page is interactive, not with every page's first load; a toast raised
// before (none is: toasts follow an action) would show once it has loaded.
const Toaster = dynamic(() => import('@afenda/ui/toaster').then((m) => m.Toaster), {
  ssr: false,
});

/** The one Toaster of the signed-in Shell, in the current theme. */
export function ThemedToaster() {
  const { theme } = useTheme();
  return <Toaster theme={theme === 'dark' || theme === 'light' ? theme : 'system'} />;
}
