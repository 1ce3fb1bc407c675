import { MessagesSquare } from 'lucide-react';
import { EmptyState, FailureState, NoTenant, PageHeader, type ModulePage } from '@afenda/ui';

import { ElementNotConfigured, MatrixFailing, MatrixNotConfigured } from './chat-setup';
import { RoomItem } from './room-item';
import { oversees, type ChatShell } from './types';

/** /app/chat, titled "Team chat": the user's Matrix rooms in the active tenant. */
export const chatPage: ModulePage<ChatShell> = {
  title: 'Team chat',
  render: ({ shell }) => <ChatPage shell={shell} />,
};

async function ChatPage({ shell }: { shell: ChatShell }) {
  const { api, tenant } = shell;
  if (!api || !tenant) return <NoTenant />;
  const loaded = await shell.load(api.chat.rooms());
  const admin = oversees(tenant);

  return (
    <div className="space-y-6">
      <PageHeader
        title="Team chat"
        description={`Your rooms in ${tenant.name}: the organisation's room and one for each of your teams, on Matrix. Each opens in Element.`}
      />
      {!loaded.ok ? (
        <FailureState failure={loaded} what="Team chat" />
      ) : !loaded.data.matrix.configured ? (
        <MatrixNotConfigured admin={admin} missing={loaded.data.matrix.missing} />
      ) : (
        <>
          {loaded.data.matrix.failing ? (
            <MatrixFailing admin={admin} failing={loaded.data.matrix.failing} />
          ) : null}
          {loaded.data.matrix.elementUrl ? null : <ElementNotConfigured admin={admin} />}
          {loaded.data.rooms.length === 0 ? (
            <EmptyState title="No rooms yet" icon={MessagesSquare}>
              Rooms follow the teams in Keycloak: the workspace creates your organisation&apos;s
              space and room and one room per team, and adds their members, whenever the directory
              changes. Once you are in a team, its room appears here.
            </EmptyState>
          ) : (
            <ul className="space-y-3" aria-label="Rooms">
              {loaded.data.rooms.map((room) => (
                <li key={room.id}>
                  <RoomItem room={room} now={Date.now()} />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
