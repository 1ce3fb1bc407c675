import type { Whiteboard, WhiteboardSubjectType } from '@afenda/contracts';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@afenda/ui';
import Link from 'next/link';

import { BoardActionsProvider } from './board-actions';
import { CreateBoardForm } from './create-board-form';
import { failureText } from './failure-text';
import type { WhiteboardShell } from './types';

/**
 * The whiteboards linked to an approval or a conversation, on their pages (the module's
 * subject panel). Without a tenant there is nothing to link to.
 */
export async function LinkedWhiteboards({
  subjectType,
  subjectId,
  shell,
}: {
  subjectType: WhiteboardSubjectType;
  subjectId: string;
  shell: WhiteboardShell;
}) {
  if (!shell.api) return null;
  const readonly = shell.tenant?.role === 'viewer';
  let boards: Whiteboard[] = [];
  let problem: string | null = null;
  const found = await shell.load(shell.api.whiteboards.list({ subjectType, subjectId }));
  if (found.ok) boards = found.data;
  else problem = failureText(found);
  return (
    <Card data-testid="linked-whiteboards">
      <CardHeader>
        <CardTitle>Whiteboards</CardTitle>
        <CardDescription>
          {problem ??
            (boards.length === 0
              ? `No board is linked to this ${subjectType} yet.`
              : `Boards linked to this ${subjectType}.`)}
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        {boards.length > 0 ? (
          <ul className="space-y-1">
            {boards.map((b) => (
              <li key={b.id}>
                <Link
                  href={`/app/whiteboard/${b.id}`}
                  className="underline-offset-4 hover:underline"
                >
                  {b.title}
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
        {readonly || problem ? null : (
          <BoardActionsProvider actions={shell.actions.whiteboard}>
            <CreateBoardForm subject={{ subjectType, subjectId }} />
          </BoardActionsProvider>
        )}
      </CardContent>
    </Card>
  );
}
