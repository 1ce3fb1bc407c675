/** The chat module's Shell UI (Matrix): Element, embedded at /app/chat. */
import { embeddedPage, type EmbedShell, type ModuleWeb } from '@afenda/ui';

import { manifest } from '../manifest';

export const web: ModuleWeb<EmbedShell, unknown> = {
  manifest,
  pages: {
    '': embeddedPage({
      moduleId: 'chat',
      returnTo: '/app/chat',
      title: 'Team chat',
      description: "Your team's Matrix rooms, in Element.",
    }),
  },
};
