import type { ReactNode } from 'react';
import { CircleAlert, CloudOff, Inbox, Lock, SearchX, Wrench } from 'lucide-react';

import { Card, CardDescription, CardHeader, CardTitle } from './card';
import { cn } from './lib/utils';
import type { LoadFailure } from './results';

/** A page's title, a line saying what it is, and its actions. */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
      <div className="min-w-0 space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="text-sm text-muted-foreground">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}

/** Nothing to show (yet), said plainly, with what to do next. */
export function EmptyState({
  title,
  children,
  icon: Icon = Inbox,
  className,
}: {
  title: string;
  children?: ReactNode;
  icon?: typeof Inbox;
  className?: string;
}) {
  return (
    <div
      className={cn(
        'flex flex-col items-center gap-2 rounded-lg border border-dashed px-6 py-12 text-center',
        className,
      )}
    >
      <Icon aria-hidden className="size-8 text-muted-foreground" />
      <p className="font-medium">{title}</p>
      {children ? <div className="max-w-md text-sm text-muted-foreground">{children}</div> : null}
    </div>
  );
}

const FAILURE: Record<LoadFailure['kind'], { title: string; icon: typeof Inbox }> = {
  'not-available': { title: 'Not available yet', icon: Wrench },
  'not-found': { title: 'Not found', icon: SearchX },
  forbidden: { title: 'Not for your role', icon: Lock },
  unavailable: { title: 'The workspace service is not answering', icon: CloudOff },
  error: { title: 'Something went wrong', icon: CircleAlert },
};

/** Why a part of a page could not be shown. */
export function FailureState({ failure, what }: { failure: LoadFailure; what: string }) {
  const { title, icon: Icon } = FAILURE[failure.kind];
  return (
    <div
      role="alert"
      className="flex flex-col items-center gap-2 rounded-lg border px-6 py-12 text-center"
      data-failure={failure.kind}
    >
      <Icon aria-hidden className="size-8 text-muted-foreground" />
      <p className="font-medium">{title}</p>
      <p className="max-w-md text-sm text-muted-foreground">
        {failure.kind === 'not-available'
          ? `${what} is not offered by this workspace service yet.`
          : failure.kind === 'unavailable'
            ? `${what} could not be loaded: the workspace service did not answer. It may be restarting; reload in a moment.`
            : failure.message}
      </p>
    </div>
  );
}

/** The user belongs to no tenant: nothing tenant-scoped can be shown. */
export function NoTenant() {
  return (
    <Card className="max-w-xl">
      <CardHeader>
        <CardTitle>No tenant yet</CardTitle>
        <CardDescription>
          You are not a member of any tenant. Ask an administrator to add you to your organisation.
        </CardDescription>
      </CardHeader>
    </Card>
  );
}
