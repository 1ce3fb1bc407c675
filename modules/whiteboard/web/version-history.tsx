'use client';

import type { WhiteboardDocument, WhiteboardVersion } from '@afenda/contracts';
import { Button, Skeleton, Time } from '@afenda/ui';
import { Eye, RotateCcw, Save } from 'lucide-react';
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useState, useTransition } from 'react';

import { useBoardActions } from './board-actions';

const VersionPreview = dynamic(() => import('./version-preview').then((m) => m.VersionPreview), {
  ssr: false,
  loading: () => <Skeleton className="h-40 w-full" />,
});

const REASON: Record<WhiteboardVersion['reason'], string> = {
  created: 'Created',
  autosave: 'Saved',
  manual: 'Kept',
  before_restore: 'Before a restore',
};

/** The board's versions: preview one, restore it (everyone on the board sees it), keep one. */
export function VersionHistory({
  boardId,
  readonly,
  licenseKey,
}: {
  boardId: string;
  readonly: boolean;
  licenseKey: string | undefined;
}) {
  const { boardVersionDocument, boardVersions, keepBoardVersion, restoreBoardVersion } =
    useBoardActions();
  const [versions, setVersions] = useState<WhiteboardVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ version: number; document: WhiteboardDocument } | null>(
    null,
  );
  const [pending, startTransition] = useTransition();

  const load = useCallback(async () => {
    const result = await boardVersions(boardId);
    if (result.ok) {
      setVersions(result.data);
      setError(null);
    } else setError(result.message);
  }, [boardId, boardVersions]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = (fn: () => Promise<{ ok: boolean; message?: string }>) =>
    startTransition(async () => {
      const result = await fn();
      if (!result.ok) setError(result.message ?? 'That did not work.');
      await load();
    });

  return (
    <aside
      id="version-history"
      aria-label="Version history"
      className="flex w-80 shrink-0 flex-col gap-3 overflow-y-auto rounded-xl border p-3"
      data-testid="version-history"
    >
      <div className="flex items-center justify-between">
        <h2 className="font-semibold">History</h2>
        {readonly ? null : (
          <Button
            size="sm"
            variant="outline"
            disabled={pending}
            onClick={() => act(() => keepBoardVersion(boardId, ''))}
          >
            <Save aria-hidden />
            Keep this version
          </Button>
        )}
      </div>
      {error ? (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
      {preview ? (
        <div className="space-y-2 rounded-lg border p-2">
          <p className="text-sm font-medium">Version {preview.version}</p>
          <VersionPreview document={preview.document} licenseKey={licenseKey} />
          <div className="flex gap-2">
            {readonly ? null : (
              <Button
                size="sm"
                disabled={pending}
                onClick={() =>
                  act(async () => {
                    const result = await restoreBoardVersion(boardId, preview.version);
                    if (result.ok) setPreview(null);
                    return result;
                  })
                }
              >
                <RotateCcw aria-hidden />
                Restore this version
              </Button>
            )}
            <Button size="sm" variant="ghost" onClick={() => setPreview(null)}>
              Close
            </Button>
          </div>
        </div>
      ) : null}
      {versions === null && !error ? (
        <Skeleton className="h-24 w-full" />
      ) : versions?.length === 0 ? (
        <p className="text-sm text-muted-foreground">No versions yet.</p>
      ) : (
        <ol className="space-y-1">
          {versions?.map((v) => (
            <li key={v.version} className="flex items-center gap-2 text-sm">
              <div className="min-w-0 flex-1">
                <p className="truncate">
                  {v.version}. {v.label ?? REASON[v.reason]}
                </p>
                <p className="text-xs text-muted-foreground">
                  <Time iso={v.createdAt} />
                </p>
              </div>
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Preview version ${v.version}`}
                onClick={() =>
                  startTransition(async () => {
                    const result = await boardVersionDocument(boardId, v.version);
                    if (result.ok) setPreview({ version: v.version, document: result.data });
                    else setError(result.message);
                  })
                }
              >
                <Eye aria-hidden />
              </Button>
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
