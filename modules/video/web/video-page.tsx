import Link from 'next/link';
import { Video } from 'lucide-react';
import { Button, Card, CardDescription, CardHeader, CardTitle, type ModulePage } from '@afenda/ui';

import { JitsiNotConfigured } from './jitsi-not-configured';
import { RoomCard } from './room-card';
import type { VideoShell } from './types';

const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

/** /app/video, titled "Meetings": the tenant's consultation rooms the user may see. */
export const videoPage: ModulePage<VideoShell> = {
  title: 'Meetings',
  render: ({ searchParams, shell }) => <VideoPage cursor={searchParams.cursor} shell={shell} />,
};

async function VideoPage({ cursor, shell }: { cursor: unknown; shell: VideoShell }) {
  const after = typeof cursor === 'string' && CURSOR.test(cursor) ? cursor : undefined;
  const { api, tenant } = shell;

  if (!api || !tenant) {
    return (
      <Card className="max-w-xl">
        <CardHeader>
          <CardTitle>No tenant yet</CardTitle>
          <CardDescription>
            Meetings belong to an organisation or a team. Ask an administrator to add you to one.
          </CardDescription>
        </CardHeader>
      </Card>
    );
  }
  const page = await api.rooms.list({ cursor: after, limit: 20 });
  const oversees = tenant.role === 'owner' || tenant.role === 'admin';
  const now = Date.now();

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Meetings</h1>
        <p className="text-muted-foreground">
          Consultation rooms in {tenant.name}
          {oversees ? '' : ' that you are invited to'}. A room opens when a consultation request is
          approved, lasts until it expires or its moderator ends it, and only its participants can
          join.
        </p>
      </div>

      {page.jitsi.configured ? null : <JitsiNotConfigured />}

      {page.rooms.length === 0 ? (
        <Card data-testid="no-rooms">
          <CardHeader>
            <CardTitle className="flex items-center gap-2">
              <Video aria-hidden className="size-5 text-muted-foreground" />
              {after ? 'No older rooms' : 'No rooms yet'}
            </CardTitle>
            <CardDescription>
              Request a consultation room (an approval of type &ldquo;Consultation room&rdquo;);
              once it is approved, the room appears here for you and the people you invited.
            </CardDescription>
          </CardHeader>
        </Card>
      ) : (
        <ul className="space-y-4" aria-label="Rooms">
          {page.rooms.map((room) => (
            <li key={room.id}>
              <RoomCard
                room={room}
                me={shell.me.id}
                oversees={oversees}
                now={now}
                endRoom={shell.actions.video.endRoom}
              />
            </li>
          ))}
        </ul>
      )}

      {after || page.nextCursor ? (
        <nav className="flex justify-between" aria-label="Pages">
          {after ? (
            <Button asChild variant="outline" size="sm">
              <Link href="/app/video">Newest</Link>
            </Button>
          ) : (
            <span />
          )}
          {page.nextCursor ? (
            <Button asChild variant="outline" size="sm">
              <Link href={`/app/video?cursor=${encodeURIComponent(page.nextCursor)}`}>
                Older rooms
              </Link>
            </Button>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}
