import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Workspace packages ship TypeScript sources; let Next compile them.
  transpilePackages: ['@afenda/ui', '@afenda/contracts'],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
