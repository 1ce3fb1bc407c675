import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ArrowLeft } from 'lucide-react';
import type { RoomJoin } from '@afenda/contracts';
import { Button, Card, CardDescription, CardFooter, CardHeader, CardTitle } from '@afenda/ui';

import { OrchestratorApiError } from '@/lib/api/client';
import { JitsiMeeting } from '../jitsi-meeting';
import { JitsiNotConfigured } from '../jitsi-not-configured';
import { roomsContext } from '../rooms';

export const metadata: Metadata = { title: 'Meeting' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Join one room: the orchestrator issues this user's token (participants only), then Jitsi runs here. */
export default async function MeetingPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const { workspace, api } = await roomsContext(`/app/video/${id}`);
  if (!api) notFound();

  let join: RoomJoin;
  try {
    join = await api.join(id);
  } catch (err) {
    if (!(err instanceof OrchestratorApiError)) throw err;
    if (err.status === 404) notFound();
    if (err.code === 'JITSI_NOT_CONFIGURED') return <JitsiNotConfigured />;
    if (err.status === 410) return <RoomClosed message={err.message} />;
    throw err;
  }

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
      <JitsiMeeting
        join={join}
        user={{ displayName: workspace.me.displayName, email: workspace.me.email }}
      />
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
