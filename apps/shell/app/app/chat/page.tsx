import type { Metadata } from 'next';

import { EmbeddedModulePage } from '../_shell/embedded-module-page';

export const metadata: Metadata = { title: 'Team chat' };

export default function ChatPage() {
  return (
    <EmbeddedModulePage
      moduleId="chat"
      returnTo="/app/chat"
      title="Team chat"
      description="Your team's Matrix rooms, in Element."
    />
  );
}
