import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Workspace packages ship TypeScript sources; let Next compile them.
  transpilePackages: [
    '@afenda/ui',
    '@afenda/contracts',
    // Each integrated tool's Shell UI (modules/<id>/web), reached through lib/modules/web-modules.ts.
    '@afenda/module-chat',
    '@afenda/module-inbox',
    '@afenda/module-video',
    '@afenda/module-whiteboard',
  ],
  poweredByHeader: false,
  typedRoutes: false,
  // Only the primitives a page uses ship with it, not the whole @afenda/ui barrel.
  experimental: { optimizePackageImports: ['@afenda/ui'] },
};

export default nextConfig;
