import type { ModuleManifest } from '@afenda/contracts';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MODULES_DIR = fileURLToPath(new URL('../../../../modules/', import.meta.url));

/** Collects every modules/<id>/manifest.ts: adding a tool means adding a folder. */
export async function loadModules(dir = MODULES_DIR): Promise<ModuleManifest[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const manifests: ModuleManifest[] = [];
  for (const entry of entries
    .filter((e) => e.isDirectory())
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const file = `${dir}/${entry.name}/manifest.ts`;
    if (!existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { manifest?: ModuleManifest };
    if (!mod.manifest || mod.manifest.id !== entry.name) {
      throw new Error(
        `modules/${entry.name}/manifest.ts must export a manifest whose id is "${entry.name}"`,
      );
    }
    manifests.push(mod.manifest);
  }
  return manifests;
}
