import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';

/** This app's workspace dependencies (@afenda/*), read beside this file whatever the cwd. */
const workspacePackages = Object.keys(
  (
    JSON.parse(readFileSync(path.join(__dirname, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    }
  ).dependencies,
).filter((name) => name.startsWith('@afenda/'));

const nextConfig: NextConfig = {
  // Workspace packages ship TypeScript sources; let Next compile them: the UI kit, the contracts
  // and each tool's Shell UI (modules/<id>/web), as this app depends on them.
  transpilePackages: workspacePackages,
  poweredByHeader: false,
  typedRoutes: false,
  // Only the primitives a page uses ship with it, not the whole @afenda/ui barrel.
  experimental: { optimizePackageImports: ['@afenda/ui'] },
};

export default nextConfig;
