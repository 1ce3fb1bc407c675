/** The chat module's Shell UI (Matrix): Element, embedded at /app/chat. */
import type { ModuleWeb } from '@afenda/ui';
import type { ReactNode } from 'react';

import { manifest } from '../manifest';

/** What the chat page needs of the Shell: its page that embeds a tool's own UI. */
export interface ChatShell {
  EmbeddedModulePage: (props: {
    moduleId: string;
    returnTo: string;
    title: string;
    description: string;
  }) => ReactNode | Promise<ReactNode>;
}

export const web: ModuleWeb<ChatShell, unknown> = {
  manifest,
  pages: {
    '': {
      title: 'Team chat',
      render: ({ shell }) => (
        <shell.EmbeddedModulePage
          moduleId="chat"
          returnTo="/app/chat"
          title="Team chat"
          description="Your team's Matrix rooms, in Element."
        />
      ),
    },
  },
};
