import type { Whiteboard } from '@afenda/contracts';
import { Card, CardDescription, CardHeader, CardTitle } from '@afenda/ui';

import { requireSession } from '@/lib/auth/session';
import { whiteboardErrorMessage } from '@/lib/api/whiteboards';
import { loadWorkspace, orchestratorApi } from '@/lib/workspace';
import { BoardRow } from './board-row';
import { CreateBoardForm } from './create-board-form';

export const metadata = { title: 'Whiteboards' };

export default async function WhiteboardsPage() {
  const session = await requireSession('/app/whiteboard');
  let boards: Whiteboard[] = [];
  let bin: Whiteboard[] = [];
  let problem: string | null = null;
  let readonly = false;
  try {
    const { active } = await loadWorkspace(session.accessToken);
    if (!active) problem = 'Choose a tenant to see its whiteboards.';
    else {
      readonly = active.role === 'viewer';
      const api = orchestratorApi(session.accessToken).inTenant(active.id).whiteboards;
      [boards, bin] = await Promise.all([api.list(), api.list({ status: 'deleted' })]);
    }
  } catch (err) {
    problem = whiteboardErrorMessage(err);
  }

  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="space-y-1">
          <h1 className="text-2xl font-semibold tracking-tight">Whiteboards</h1>
          <p className="text-muted-foreground">
            Draw together: everyone on a board sees every change as it happens. Boards are saved as
            you go, with a version history.
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
  );
}
