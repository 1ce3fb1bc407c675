'use client';

import { Button, type ActionResult } from '@afenda/ui';
import { Plus } from 'lucide-react';
import { useActionState } from 'react';

import { useBoardActions } from './board-actions';

/** A title and "New board"; with a subject, the board is linked to that approval or conversation. */
export function CreateBoardForm({
  subject,
}: {
  subject?: { subjectType: 'approval' | 'conversation'; subjectId: string };
}) {
  const { createBoard } = useBoardActions();
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(createBoard, null);
  return (
    <form action={action} className="flex w-full flex-col gap-1 sm:w-auto">
      {subject ? (
        <>
          <input type="hidden" name="subjectType" value={subject.subjectType} />
          <input type="hidden" name="subjectId" value={subject.subjectId} />
        </>
      ) : null}
      <div className="flex gap-2">
        <label htmlFor="new-board-title" className="sr-only">
          Title of the new board
        </label>
        <input
          id="new-board-title"
          name="title"
          required
          maxLength={200}
          placeholder="Title of the new board"
          className="h-9 min-w-0 flex-1 rounded-md sm:w-64 sm:flex-none border border-input bg-transparent px-3 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 dark:bg-input/30"
        />
        <Button type="submit" disabled={pending}>
          <Plus aria-hidden />
          {pending ? 'Creating…' : 'New board'}
        </Button>
      </div>
      {state && !state.ok ? (
        <p role="alert" className="text-sm text-destructive">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
