import type { Metadata } from 'next';

import { EmbeddedModulePage } from '../../_shell/embedded-module-page';

export const metadata: Metadata = { title: 'Chatwoot' };

export default function ChatwootDashboardPage() {
  return (
    <EmbeddedModulePage
      moduleId="inbox"
      returnTo="/app/inbox/chatwoot"
      title="Chatwoot"
      description="Chatwoot's own dashboard, for what the Shell's inbox doesn't do."
    />
  );
}
