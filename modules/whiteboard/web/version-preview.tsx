'use client';

import type { WhiteboardDocument } from '@afenda/contracts';
import { TldrawImage, type TLStoreSnapshot } from 'tldraw';

import { assetUrls } from './tldraw-asset-urls';

/** A version drawn as a picture: nothing to edit, nothing synced. */
export function VersionPreview({
  document,
  licenseKey,
}: {
  document: WhiteboardDocument;
  licenseKey: string | undefined;
}) {
  const empty = !Object.values(document.store).some((r) => r.typeName === 'shape');
  if (empty) return <p className="text-sm text-muted-foreground">An empty board.</p>;
  return (
    <div className="overflow-hidden rounded-md border bg-white [&_img]:max-h-48 [&_img]:w-full [&_img]:object-contain">
      <TldrawImage
        snapshot={document as unknown as TLStoreSnapshot}
        licenseKey={licenseKey}
        assetUrls={assetUrls}
        background
        padding={16}
      />
    </div>
  );
}
