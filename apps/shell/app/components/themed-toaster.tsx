'use client';

import { useTheme } from 'next-themes';
import { Toaster } from '@afenda/ui/toaster';

/** The one Toaster of the signed-in Shell, in the current theme. */
export function ThemedToaster() {
  const { theme } = useTheme();
  return <Toaster theme={theme === 'dark' || theme === 'light' ? theme : 'system'} />;
}
