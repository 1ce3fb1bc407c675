'use client';

import { Button, Skeleton } from '@afenda/ui';
import { History } from 'lucide-react';
import dynamic from 'next/dynamic';
import { useState } from 'react';

import { VersionHistory } from './version-history';

// tldraw needs the browser (canvas, pointer events, IndexedDB): never rendered on the server.
const TldrawBoard = dynamic(() => import('./tldraw-board').then((m) => m.TldrawBoard), {
  ssr: false,
  loading: () => <Skeleton className="h-full w-full" />,
});

/** The live editor and, beside it on demand, the version history. */
export function BoardWorkspace({
  boardId,
  limitBytes,
  readonly,
  licenseKey,
  userName,
}: {
  boardId: string;
  limitBytes: number;
  readonly: boolean;
  licenseKey: string | undefined;
  userName: string;
}) {
  const [historyOpen, setHistoryOpen] = useState(false);
  return (
    <div className="space-y-2">
      <div className="flex justify-end">
        <Button
          variant="outline"
          size="sm"
          aria-expanded={historyOpen}
          aria-controls="version-history"
          onClick={() => setHistoryOpen((open) => !open)}
        >
          <History aria-hidden />
          {historyOpen ? 'Hide history' : 'History'}
        </Button>
      </div>
      <div className="flex h-[70vh] min-h-[420px] gap-3">
        <div
          className="relative flex-1 overflow-hidden rounded-xl border"
          data-testid="board-canvas"
        >
          <TldrawBoard
            boardId={boardId}
            limitBytes={limitBytes}
            readonly={readonly}
            licenseKey={licenseKey}
            userName={userName}
          />
        </div>
        {historyOpen ? (
          <VersionHistory boardId={boardId} readonly={readonly} licenseKey={licenseKey} />
        ) : null}
      </div>
    </div>
  );
}
