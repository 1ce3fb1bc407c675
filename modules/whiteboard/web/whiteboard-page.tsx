import type { Whiteboard } from '@afenda/contracts';
import { Card, CardDescription, CardHeader, CardTitle, type ModulePage } from '@afenda/ui';

import { BoardActionsProvider } from './board-actions';
import { BoardRow } from './board-row';
import { CreateBoardForm } from './create-board-form';
import { failureText } from './failure-text';
import type { WhiteboardShell } from './types';

/** /app/whiteboard: the tenant's boards, and the bin. */
export const whiteboardPage: ModulePage<WhiteboardShell> = {
  title: 'Whiteboards',
  render: ({ shell }) => <WhiteboardPage shell={shell} />,
};

async function WhiteboardPage({ shell }: { shell: WhiteboardShell }) {
  let boards: Whiteboard[] = [];
  let bin: Whiteboard[] = [];
  let problem: string | null = null;
  const readonly = shell.tenant?.role === 'viewer';
  if (!shell.api) problem = 'Choose a tenant to see its whiteboards.';
  else {
    const { whiteboards } = shell.api;
    const found = await shell.load(
      Promise.all([whiteboards.list(), whiteboards.list({ status: 'deleted' })]),
    );
    if (found.ok) [boards, bin] = found.data;
    else problem = failureText(found);
  }

  return (
    <BoardActionsProvider actions={shell.actions.whiteboard}>
      <div className="space-y-8">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div className="space-y-1">
            <h1 className="text-2xl font-semibold tracking-tight">Whiteboards</h1>
            <p className="text-muted-foreground">
              Draw together: everyone on a board sees every change as it happens. Boards are saved
              as you go, with a version history.
            </p>
          </div>
          {!problem && !readonly ? <CreateBoardForm /> : null}
        </div>

        {problem ? (
          <Card role="alert">
            <CardHeader>
              <CardTitle>Whiteboards are unavailable</CardTitle>
              <CardDescription>{problem}</CardDescription>
            </CardHeader>
          </Card>
        ) : boards.length === 0 ? (
          <Card data-testid="whiteboards-empty">
            <CardHeader>
              <CardTitle>No boards yet</CardTitle>
              <CardDescription>
                {readonly
                  ? 'Nobody in this tenant has made a board yet.'
                  : 'Create the first one: give it a title above.'}
              </CardDescription>
            </CardHeader>
          </Card>
        ) : (
          <ul className="divide-y rounded-xl border" data-testid="whiteboard-list">
            {boards.map((b) => (
              <BoardRow key={b.id} board={b} readonly={readonly} />
            ))}
          </ul>
        )}

        {bin.length > 0 ? (
          <section className="space-y-3" aria-labelledby="bin-heading">
            <h2 id="bin-heading" className="text-lg font-semibold tracking-tight">
              Bin
            </h2>
            <p className="text-sm text-muted-foreground">
              Deleted boards stay here, with their history, until someone restores them.
            </p>
            <ul className="divide-y rounded-xl border" data-testid="whiteboard-bin">
              {bin.map((b) => (
                <BoardRow key={b.id} board={b} readonly={readonly} />
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    </BoardActionsProvider>
  );
}
