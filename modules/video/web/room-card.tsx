import Link from 'next/link';
import { Crown, Video } from 'lucide-react';
import type { Room, RoomState } from '@afenda/contracts';
import {
  Badge,
  Button,
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  RelativeTime,
  type ActionResult,
} from '@afenda/ui';

import { EndRoomButton } from './end-room-button';

const STATE: Record<RoomState, { label: string; variant: 'default' | 'secondary' | 'outline' }> = {
  open: { label: 'Open', variant: 'default' },
  ended: { label: 'Ended', variant: 'secondary' },
  expired: { label: 'Expired', variant: 'outline' },
};

export function RoomCard({
  room,
  me,
  oversees,
  now,
  endRoom,
}: {
  room: Room;
  me: string;
  oversees: boolean;
  now: number;
  /** The Shell's server action that ends a room. */
  endRoom: (roomId: string) => Promise<ActionResult>;
}) {
  const self = room.participants.find((p) => p.userId === me);
  const title = room.topic || 'Consultation room';
  const when =
    room.state === 'open'
      ? { prefix: 'Expires', at: room.expiresAt }
      : { prefix: STATE[room.state].label, at: room.endedAt ?? room.expiresAt };
  return (
    <Card data-testid="room" data-room-id={room.id} data-state={room.state}>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Video aria-hidden className="size-4 text-muted-foreground" />
          <span className="truncate">{title}</span>
        </CardTitle>
        <CardDescription>
          <RelativeTime iso={when.at} now={now} prefix={when.prefix} />
          {room.approvalId ? ' · opened by an approval' : ''}
        </CardDescription>
        <CardAction>
          <Badge variant={STATE[room.state].variant} data-testid="room-state">
            {STATE[room.state].label}
          </Badge>
        </CardAction>
      </CardHeader>
      <CardContent className="flex flex-wrap items-end justify-between gap-4">
        <ul className="flex flex-wrap gap-2 text-sm" aria-label="Participants">
          {room.participants.map((p) => (
            <li
              key={p.userId}
              className="flex items-center gap-1 rounded-md border px-2 py-0.5 text-muted-foreground"
            >
              {p.moderator ? <Crown aria-label="Moderator" className="size-3.5" /> : null}
              <span>{p.displayName}</span>
              {p.userId === me ? <span className="text-xs">(you)</span> : null}
            </li>
          ))}
        </ul>
        {room.state === 'open' ? (
          <div className="flex items-start gap-2">
            {self?.moderator || oversees ? (
              <EndRoomButton roomId={room.id} label={title} endRoom={endRoom} />
            ) : null}
            {self ? (
              <Button asChild size="sm">
                <Link href={`/app/video/${room.id}`} prefetch={false}>
                  Join
                </Link>
              </Button>
            ) : null}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
