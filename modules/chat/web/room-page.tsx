import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ArrowLeft } from 'lucide-react';
import { FailureState, PageHeader, type ModulePage } from '@afenda/ui';

import { ElementNotConfigured, MatrixNotConfigured } from './chat-setup';
import { KIND, OpenInElement } from './room-item';
import { oversees, type ChatShell } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** /app/chat/<room>: one room, in Element, embedded in the Shell. */
export const roomPage: ModulePage<ChatShell> = {
  title: 'Team chat',
  render: ({ path: [id = ''], shell }) => <RoomPage id={id} shell={shell} />,
};

async function RoomPage({ id, shell }: { id: string; shell: ChatShell }) {
  const { api, tenant } = shell;
  if (!UUID.test(id) || !api || !tenant) notFound();
  const loaded = await shell.load(api.chat.rooms());
  if (!loaded.ok) return <FailureState failure={loaded} what="Team chat" />;
  const room = loaded.data.rooms.find((r) => r.id === id);
  if (!room) notFound();
  const admin = oversees(tenant);

  return (
    <div className="space-y-4">
      <Link
        href="/app/chat"
        className="inline-flex items-center gap-1 text-sm text-muted-foreground underline-offset-4 hover:underline"
      >
        <ArrowLeft aria-hidden className="size-4" />
        All rooms
      </Link>
      <PageHeader
        title={room.name}
        description={KIND[room.kind].note ?? `${KIND[room.kind].label} room, in Element.`}
        actions={room.elementUrl ? <OpenInElement href={room.elementUrl} /> : null}
      />
      {!loaded.data.matrix.configured ? (
        <MatrixNotConfigured admin={admin} missing={loaded.data.matrix.missing} />
      ) : room.elementUrl ? (
        <div data-testid="element-embed">
          <shell.ModuleEmbed src={room.elementUrl} title="Element" />
        </div>
      ) : (
        <ElementNotConfigured admin={admin} />
      )}
    </div>
  );
}
