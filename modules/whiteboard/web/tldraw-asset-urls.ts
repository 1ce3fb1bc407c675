import { getAssetUrls } from '@tldraw/assets/selfHosted';

/** Fonts, icons and translations from the Shell (../assets), never tldraw's CDN. */
export const assetUrls = getAssetUrls({ baseUrl: '/app/whiteboard/assets' });
