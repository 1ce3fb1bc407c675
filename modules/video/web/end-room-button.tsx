'use client';

import { useState, useTransition } from 'react';
import { PhoneOff } from 'lucide-react';
import { Button, type ActionResult } from '@afenda/ui';

/** Ends a room for everyone, after a confirmation; says why when the orchestrator refuses. */
export function EndRoomButton({
  roomId,
  label,
  endRoom,
}: {
  roomId: string;
  label: string;
  endRoom: (roomId: string) => Promise<ActionResult>;
}) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        type="button"
        variant="outline"
        size="sm"
        disabled={pending}
        aria-label={`End ${label}`}
        onClick={() => {
          if (!window.confirm('End this room for everyone? Nobody can join it afterwards.')) return;
          setError(null);
          start(async () => {
            const result = await endRoom(roomId);
            if (!result.ok) setError(result.message);
          });
        }}
      >
        <PhoneOff aria-hidden />
        {pending ? 'Ending…' : 'End'}
      </Button>
      {error ? (
        <p role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
