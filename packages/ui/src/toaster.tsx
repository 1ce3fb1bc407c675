'use client';

import { Toaster as Sonner, toast } from 'sonner';

/**
 * Short-lived confirmations ("Escalated: waiting for the CEO") that leave the person where they
 * are (sonner, as shadcn/ui uses it). Announced to screen readers; the Shell mounts one Toaster
 * in its layout with the current theme.
 */
export function Toaster({ theme }: { theme: 'light' | 'dark' | 'system' }) {
  return (
    <Sonner
      theme={theme}
      position="bottom-right"
      closeButton
      className="toaster group"
      style={
        {
          '--normal-bg': 'var(--popover)',
          '--normal-text': 'var(--popover-foreground)',
          '--normal-border': 'var(--border)',
        } as React.CSSProperties
      }
    />
  );
}

export { toast };
