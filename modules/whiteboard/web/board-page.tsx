import type { WhiteboardDetail } from '@afenda/contracts';
import {
  Badge,
  Button,
  Card,
  CardDescription,
  CardHeader,
  CardTitle,
  type ModulePage,
} from '@afenda/ui';
import { ArrowLeft } from 'lucide-react';
import Link from 'next/link';
import { notFound } from 'next/navigation';

import { BoardActionsProvider } from './board-actions';
import { BoardWorkspace } from './board-workspace';
import { failureText } from './failure-text';
import type { WhiteboardShell } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** /app/whiteboard/<board>: one board, live, with its version history. */
export const boardPage: ModulePage<WhiteboardShell> = {
  title: 'Whiteboard',
  render: ({ path: [id = ''], shell }) => <BoardPage id={id} shell={shell} />,
};

async function BoardPage({ id, shell }: { id: string; shell: WhiteboardShell }) {
  if (!UUID.test(id)) notFound();
  let board: WhiteboardDetail | null = null;
  let problem: string | null = null;
  const readonly = shell.tenant?.role === 'viewer';
  if (!shell.api) problem = 'Choose a tenant to see its whiteboards.';
  else {
    const found = await shell.load(shell.api.whiteboards.get(id));
    // Another tenant's board, or none: the same "not found".
    if (!found.ok && found.status === 404) notFound();
    if (found.ok) board = found.data;
    else problem = failureText(found);
  }

  return (
    <BoardActionsProvider actions={shell.actions.whiteboard}>
      <div className="space-y-4">
        <div className="flex flex-wrap items-center gap-3">
          <Button asChild variant="ghost" size="sm">
            <Link href="/app/whiteboard">
              <ArrowLeft aria-hidden />
              Whiteboards
            </Link>
          </Button>
          {board ? (
            <>
              <h1 className="text-xl font-semibold tracking-tight" data-testid="whiteboard-title">
                {board.title}
              </h1>
              {readonly ? <Badge variant="outline">View only</Badge> : null}
              {board.links.map((l) => (
                <Badge key={`${l.subjectType}:${l.subjectId}`} variant="secondary">
                  {l.subjectType === 'approval' ? 'Approval' : 'Conversation'}{' '}
                  {l.subjectId.slice(0, 8)}
                </Badge>
              ))}
            </>
          ) : null}
        </div>
        {problem || !board ? (
          <Card role="alert">
            <CardHeader>
              <CardTitle>This board could not be opened</CardTitle>
              <CardDescription>{problem}</CardDescription>
            </CardHeader>
          </Card>
        ) : board.deletedAt ? (
          <Card role="alert">
            <CardHeader>
              <CardTitle>This board is in the bin</CardTitle>
              <CardDescription>
                Restore it from the list of whiteboards to open it again.
              </CardDescription>
            </CardHeader>
          </Card>
        ) : (
          <BoardWorkspace
            boardId={board.id}
            limitBytes={board.limitBytes}
            readonly={readonly}
            licenseKey={shell.settings.tldrawLicenseKey()}
            userName={shell.user.name}
          />
        )}
      </div>
    </BoardActionsProvider>
  );
}
