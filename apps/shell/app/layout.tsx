import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { ThemeProvider } from 'next-themes';

import { NONCE_HEADER } from '@/lib/auth/paths';

import './globals.css';

export const metadata: Metadata = {
  title: {
    default: 'Axis Afenda',
    template: '%s · Axis Afenda',
  },
  description: 'Axis Afenda: one workspace for your team’s inbox, chat, video and whiteboards.',
};

/**
 * Every page is rendered per request: the proxy's CSP nonce (fresh each time) goes on Next.js's
 * scripts and on next-themes' inline one.
 */
export default async function RootLayout({ children }: Readonly<{ children: ReactNode }>) {
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    // next-themes sets the theme class on <html> before hydration.
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-dvh font-sans antialiased">
        <ThemeProvider
          attribute="class"
          defaultTheme="system"
          enableSystem
          disableTransitionOnChange
          nonce={nonce}
        >
          {children}
        </ThemeProvider>
      </body>
    </html>
  );
}
