import { describe, expect, it } from 'vitest';

import { readTldrawAsset } from './tldraw-assets';

describe("tldraw's assets served by the Shell", () => {
  it('serves the fonts, icons and translations of @tldraw/assets with their types', async () => {
    const font = await readTldrawAsset(['fonts', 'IBMPlexSans-Medium.woff2']);
    expect(font?.type).toBe('font/woff2');
    expect(font?.body.subarray(0, 4).toString('latin1')).toBe('wOF2');
    const en = await readTldrawAsset(['translations', 'en.json']);
    expect(en?.type).toMatch(/^application\/json/);
    expect(JSON.parse(en!.body.toString('utf8'))).toBeTypeOf('object');
    expect((await readTldrawAsset(['icons', 'icon', '0_merged.svg']))?.type).toBe('image/svg+xml');
  });

  it('serves nothing else: no other folder, no way out of the package, no other type', async () => {
    for (const path of [
      ['..', '..', 'package.json'],
      ['fonts', '..', '..', 'tldraw', 'package.json'],
      ['package.json'],
      ['selfHosted.js'],
      ['fonts', 'missing.woff2'],
      ['translations', '.hidden.json'],
      ['fonts', '%2e%2e', 'x.woff2'],
      ['icons', 'icon', '0_merged.svg', 'more', 'deep.svg'],
      [],
    ])
      expect(await readTldrawAsset(path), path.join('/')).toBeNull();
  });
});
