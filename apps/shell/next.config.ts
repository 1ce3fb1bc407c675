import type { NextConfig } from 'next';

import pkg from './package.json' with { type: 'json' };

const nextConfig: NextConfig = {
  // Workspace packages ship TypeScript sources; let Next compile them: the UI kit, the contracts
  // and each tool's Shell UI (modules/<id>/web), as this app depends on them.
  transpilePackages: Object.keys(pkg.dependencies).filter((name) => name.startsWith('@afenda/')),
  poweredByHeader: false,
  typedRoutes: false,
  // Only the primitives a page uses ship with it, not the whole @afenda/ui barrel.
  experimental: { optimizePackageImports: ['@afenda/ui'] },
};

export default nextConfig;
