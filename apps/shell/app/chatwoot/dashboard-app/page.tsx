import { StandaloneModulePage, standaloneMetadata } from '../../app/_shell/module-pages';

export const metadata = standaloneMetadata('inbox', 'dashboard-app');
export const dynamic = 'force-dynamic';

/**
 * The Chatwoot Dashboard App (the inbox module's page Chatwoot frames beside a conversation):
 * outside /app, so without the Shell's chrome. See modules/inbox/web.
 */
export default function ChatwootDashboardAppPage() {
  return <StandaloneModulePage moduleId="inbox" name="dashboard-app" />;
}
