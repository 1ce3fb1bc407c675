'use client';

import type { Whiteboard } from '@afenda/contracts';
import { Button, Time, type ActionResult } from '@afenda/ui';
import { ArchiveRestore, Check, Pencil, Trash2, X } from 'lucide-react';
import Link from 'next/link';
import { useState, useTransition } from 'react';

import { useBoardActions } from './board-actions';

/** One board in the list (or the bin): open, rename, delete, restore. */
export function BoardRow({ board, readonly }: { board: Whiteboard; readonly: boolean }) {
  const { deleteBoard, recoverBoard, renameBoard } = useBoardActions();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(board.title);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const deleted = board.deletedAt !== null;

  const run = (action: () => Promise<ActionResult>, after?: () => void) =>
    startTransition(async () => {
      const result = await action();
      if (result.ok) {
        setError(null);
        after?.();
      } else setError(result.message);
    });

  return (
    <li className="flex flex-wrap items-center gap-3 px-4 py-3" data-testid="whiteboard-row">
      <div className="min-w-0 flex-1">
        {editing ? (
          <form
            className="flex items-center gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              run(
                () => renameBoard(board.id, title),
                () => setEditing(false),
              );
            }}
          >
            <label htmlFor={`title-${board.id}`} className="sr-only">
              New title
            </label>
            <input
              id={`title-${board.id}`}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setEditing(false);
              }}
              maxLength={200}
              autoFocus
              className="h-8 w-full max-w-sm rounded-md border border-input bg-transparent px-2 text-sm outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 dark:bg-input/30"
            />
            <Button type="submit" size="sm" disabled={pending} aria-label="Save the title">
              <Check aria-hidden />
            </Button>
            <Button
              type="button"
              size="sm"
              variant="ghost"
              onClick={() => {
                setTitle(board.title);
                setEditing(false);
              }}
              aria-label="Cancel renaming"
            >
              <X aria-hidden />
            </Button>
          </form>
        ) : deleted ? (
          <span className="font-medium">{board.title}</span>
        ) : (
          <Link
            href={`/app/whiteboard/${board.id}`}
            className="font-medium underline-offset-4 hover:underline"
            data-testid="whiteboard-link"
          >
            {board.title}
          </Link>
        )}
        <p className="text-xs text-muted-foreground">
          {deleted ? (
            <Time iso={board.deletedAt!} prefix="Deleted" />
          ) : (
            <>
              <Time iso={board.updatedAt} prefix="Changed" /> · revision {board.revision}
            </>
          )}
        </p>
        {error ? (
          <p role="alert" className="text-sm text-destructive">
            {error}
          </p>
        ) : null}
      </div>
      {readonly ? null : deleted ? (
        <Button
          size="sm"
          variant="outline"
          disabled={pending}
          onClick={() => run(() => recoverBoard(board.id))}
        >
          <ArchiveRestore aria-hidden />
          Restore
        </Button>
      ) : editing ? null : (
        <div className="flex gap-2">
          <Button size="sm" variant="ghost" onClick={() => setEditing(true)}>
            <Pencil aria-hidden />
            Rename
          </Button>
          <Button
            size="sm"
            variant="ghost"
            disabled={pending}
            onClick={() => run(() => deleteBoard(board.id))}
          >
            <Trash2 aria-hidden />
            Delete
          </Button>
        </div>
      )}
    </li>
  );
}
