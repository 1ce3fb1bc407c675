import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ArrowLeft } from 'lucide-react';
import {
  Button,
  Card,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
  type ModulePage,
} from '@afenda/ui';

import { JitsiCall } from './jitsi-call';
import { JitsiNotConfigured } from './jitsi-not-configured';
import type { VideoShell } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** /app/video/<room>: join one consultation room. */
export const roomPage: ModulePage<VideoShell> = {
  title: 'Meeting',
  render: ({ path: [id = ''], shell }) => <RoomPage id={id} shell={shell} />,
};

/** The orchestrator issues this user's token (participants only), then Jitsi runs here. */
async function RoomPage({ id, shell }: { id: string; shell: VideoShell }) {
  if (!UUID.test(id) || !shell.api) notFound();
  const result = await shell.load(shell.api.rooms.join(id));
  if (!result.ok) {
    if (result.kind === 'not-found') notFound();
    if (result.code === 'JITSI_NOT_CONFIGURED') return <JitsiNotConfigured />;
    if (result.status === 410) return <RoomClosed message={result.message} />;
    throw new Error(result.message);
  }
  const join = result.data;

  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between gap-4">
        <h1 className="truncate text-xl font-semibold tracking-tight">
          {join.topic || 'Consultation room'}
        </h1>
        <Button asChild variant="outline" size="sm">
          <Link href="/app/video">
            <ArrowLeft aria-hidden />
            All meetings
          </Link>
        </Button>
      </div>
      <JitsiCall join={join} user={{ displayName: shell.me.displayName, email: shell.me.email }} />
    </div>
  );
}

function RoomClosed({ message }: { message: string }) {
  return (
    <Card role="status" data-testid="room-closed" className="max-w-xl">
      <CardHeader>
        <CardTitle>{message}</CardTitle>
        <CardDescription>
          A room can&apos;t be joined once it has expired or its moderator ended it. Ask for a new
          consultation room if you still need one.
        </CardDescription>
      </CardHeader>
      <CardFooter>
        <Button asChild variant="outline">
          <Link href="/app/video">
            <ArrowLeft aria-hidden />
            All meetings
          </Link>
        </Button>
      </CardFooter>
    </Card>
  );
}
