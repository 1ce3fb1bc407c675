import type { WhiteboardDetail } from '@afenda/contracts';
import { Badge, Button, Card, CardDescription, CardHeader, CardTitle } from '@afenda/ui';
import { ArrowLeft } from 'lucide-react';
import Link from 'next/link';
import { notFound } from 'next/navigation';

import { requireSession } from '@/lib/auth/session';
import { OrchestratorApiError } from '@/lib/api/client';
import { whiteboardErrorMessage } from '@/lib/api/whiteboards';
import { loadWorkspace, orchestratorApi } from '@/lib/workspace';
import { BoardWorkspace } from './board-workspace';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const metadata = { title: 'Whiteboard' };

/**
 * tldraw's license key, read when the page is served (one build serves every environment). It
 * is public by design: tldraw checks it in the browser. See docs/decisions.md.
 */
const licenseKey = () => process.env.TLDRAW_LICENSE_KEY?.trim() || undefined;

export default async function WhiteboardPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const session = await requireSession(`/app/whiteboard/${id}`);
  if (!UUID.test(id)) notFound();
  let board: WhiteboardDetail | null = null;
  let readonly = false;
  let problem: string | null = null;
  try {
    const { active } = await loadWorkspace(session.accessToken);
    if (!active) problem = 'Choose a tenant to see its whiteboards.';
    else {
      readonly = active.role === 'viewer';
      board = await orchestratorApi(session.accessToken).inTenant(active.id).whiteboards.get(id);
    }
  } catch (err) {
    // Another tenant's board, or none: the same "not found".
    if (err instanceof OrchestratorApiError && err.status === 404) notFound();
    problem = whiteboardErrorMessage(err);
  }

  return (
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
          licenseKey={licenseKey()}
          userName={session.user.name}
        />
      )}
    </div>
  );
}
