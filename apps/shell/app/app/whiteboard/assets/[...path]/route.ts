import { readTldrawAsset } from '@/lib/tldraw-assets';

/** tldraw's fonts, icons and translations, from the Shell rather than tldraw's CDN. */
export async function GET(
  _request: Request,
  { params }: { params: Promise<{ path: string[] }> },
): Promise<Response> {
  const asset = await readTldrawAsset((await params).path);
  if (!asset) return new Response('Not found', { status: 404 });
  return new Response(new Uint8Array(asset.body), {
    headers: {
      'content-type': asset.type,
      'cache-control': 'private, max-age=86400',
      'x-content-type-options': 'nosniff',
    },
  });
}
