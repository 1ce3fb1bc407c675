import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Workspace packages ship TypeScript sources; let Next compile them.
  transpilePackages: ['@afenda/ui', '@afenda/contracts'],
  poweredByHeader: false,
  typedRoutes: false,
  // Only the primitives a page uses ship with it, not the whole @afenda/ui barrel.
  experimental: { optimizePackageImports: ['@afenda/ui'] },
};

export default nextConfig;
