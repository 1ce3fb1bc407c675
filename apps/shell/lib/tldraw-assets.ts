/**
 * tldraw's fonts, icons and translations, served by the Shell itself: by default tldraw loads
 * them from its CDN, which a self-hosted workspace must not depend on (and which a closed
 * network cannot reach). They come from the `@tldraw/assets` package, at the same version as
 * tldraw.
 *
 * Server-only.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const TLDRAW_ASSETS_PATH = '/app/whiteboard/assets';

const FOLDERS = new Set(['fonts', 'icons', 'translations', 'embed-icons']);
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const TYPES: Record<string, string> = {
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

let root: string | null | undefined;
/** node_modules/@tldraw/assets, looked for from the working folder upwards (dev, CI, image). */
function assetsRoot(): string | null {
  if (root !== undefined) return root;
  root = null;
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '@tldraw', 'assets');
    if (existsSync(path.join(candidate, 'selfHosted.js'))) return (root = candidate);
    if (path.dirname(dir) === dir) return root;
  }
}

/** The file for a path under TLDRAW_ASSETS_PATH, or null for anything that isn't one. */
export async function readTldrawAsset(
  segments: string[],
): Promise<{ body: Buffer; type: string } | null> {
  const [folder] = segments;
  if (!folder || !FOLDERS.has(folder) || segments.length > 4) return null;
  if (!segments.every((s) => SEGMENT.test(s) && s !== '..')) return null;
  const type = TYPES[path.extname(segments.at(-1)!)];
  const base = assetsRoot();
  if (!type || !base) return null;
  try {
    return { body: await readFile(path.join(base, ...segments)), type };
  } catch {
    return null;
  }
}
