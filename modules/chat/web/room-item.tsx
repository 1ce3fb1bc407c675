import Link from 'next/link';
import { Building2, ExternalLink, Hash, LayoutGrid, MessageCircle } from 'lucide-react';
import type { ChatRoom, ChatRoomKind } from '@afenda/contracts';
import { Badge, Button, RelativeTime } from '@afenda/ui';

export const KIND: Record<ChatRoomKind, { label: string; icon: typeof Hash; note?: string }> = {
  space: {
    label: 'Space',
    icon: LayoutGrid,
    note: "Your organisation's space: it groups the rooms below in Element's sidebar.",
  },
  org: { label: 'Organisation', icon: Building2 },
  team: { label: 'Team', icon: Hash },
  direct: { label: 'Direct', icon: MessageCircle, note: 'Your room with the workspace bot.' },
};

/** "Open in Element": the room in Element, in a new tab. */
export function OpenInElement({ href, size = 'sm' }: { href: string; size?: 'sm' | 'default' }) {
  return (
    <Button asChild variant="outline" size={size}>
      <a href={href} target="_blank" rel="noopener noreferrer">
        <ExternalLink aria-hidden />
        Open in Element
      </a>
    </Button>
  );
}

/** One room: its kind, its last activity (sender, excerpt as text, when), and how to open it. */
export function RoomItem({ room, now }: { room: ChatRoom; now: number }) {
  const kind = KIND[room.kind];
  const Icon = kind.icon;
  return (
    <article
      data-testid="chat-room"
      data-room-id={room.id}
      data-kind={room.kind}
      className="flex flex-col gap-3 rounded-lg border p-4 sm:flex-row sm:items-start sm:justify-between"
    >
      <div className="min-w-0 flex-1 space-y-1">
        <h2 className="flex min-w-0 items-center gap-2 font-medium">
          <Icon aria-hidden className="size-4 shrink-0 text-muted-foreground" />
          {room.elementUrl ? (
            <Link
              href={`/app/chat/${room.id}`}
              className="truncate underline-offset-4 hover:underline"
            >
              {room.name}
            </Link>
          ) : (
            <span className="truncate">{room.name}</span>
          )}
          <Badge variant="secondary" className="shrink-0">
            {kind.label}
          </Badge>
        </h2>
        {kind.note ? <p className="text-sm text-muted-foreground">{kind.note}</p> : null}
        {room.lastEventAt ? (
          <p className="text-sm" data-testid="last-activity">
            {room.lastSender ? (
              <span className="font-medium break-all">{room.lastSender}</span>
            ) : null}
            {room.lastSender && room.lastExcerpt ? ': ' : null}
            {room.lastExcerpt ? (
              <span className="break-words text-muted-foreground">{room.lastExcerpt}</span>
            ) : null}
            {room.lastSender || room.lastExcerpt ? ' · ' : null}
            <RelativeTime
              iso={room.lastEventAt}
              now={now}
              className="whitespace-nowrap text-muted-foreground"
            />
          </p>
        ) : room.kind === 'space' ? null : (
          <p className="text-sm text-muted-foreground" data-testid="last-activity">
            No messages yet
          </p>
        )}
      </div>
      {room.elementUrl ? (
        <div className="flex shrink-0 flex-wrap gap-2">
          <Button asChild size="sm">
            <Link href={`/app/chat/${room.id}`}>Open</Link>
          </Button>
          <OpenInElement href={room.elementUrl} />
        </div>
      ) : (
        <p className="shrink-0 text-sm text-muted-foreground" data-testid="room-element-missing">
          Element isn&apos;t configured
        </p>
      )}
    </article>
  );
}
