import type { Whiteboard, WhiteboardSubjectType } from '@afenda/contracts';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@afenda/ui';
import Link from 'next/link';

import { whiteboardErrorMessage } from '@/lib/api/whiteboards';
import { orchestratorApi } from '@/lib/workspace';
import { CreateBoardForm } from './create-board-form';

/**
 * The whiteboards linked to an approval or a conversation, for their pages: drop
 * `<LinkedWhiteboards accessToken tenantId subjectType subjectId />` in (a Server Component).
 */
export async function LinkedWhiteboards({
  accessToken,
  tenantId,
  subjectType,
  subjectId,
  readonly = false,
}: {
  accessToken: string;
  tenantId: string;
  subjectType: WhiteboardSubjectType;
  subjectId: string;
  readonly?: boolean;
}) {
  let boards: Whiteboard[] = [];
  let problem: string | null = null;
  try {
    boards = await orchestratorApi(accessToken)
      .inTenant(tenantId)
      .whiteboards.list({ subjectType, subjectId });
  } catch (err) {
    problem = whiteboardErrorMessage(err);
  }
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
        {readonly || problem ? null : <CreateBoardForm subject={{ subjectType, subjectId }} />}
      </CardContent>
    </Card>
  );
}
