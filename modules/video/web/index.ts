/** The video module's Shell UI (Jitsi Meet consultation rooms): /app/video and /app/video/<room>. */
import type { ModuleWeb } from '@afenda/ui';

import { manifest } from '../manifest';
import { roomPage } from './room-page';
import type { VideoShell } from './types';
import { videoPage } from './video-page';

export const web: ModuleWeb<VideoShell, unknown> = {
  manifest,
  pages: { '': videoPage, ':id': roomPage },
};
