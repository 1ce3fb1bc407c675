/** The chat module's Shell UI (Matrix): /app/chat (the user's rooms) and /app/chat/<room> (Element). */
import type { ModuleWeb } from '@afenda/ui';

import { manifest } from '../manifest';
import { chatPage } from './chat-page';
import { roomPage } from './room-page';
import type { ChatShell } from './types';

export const web: ModuleWeb<ChatShell, unknown> = {
  manifest,
  pages: { '': chatPage, ':id': roomPage },
};
