import { connection } from 'next/server';
import { CircleAlert, CircleCheck, CircleX, ExternalLink } from 'lucide-react';
import {
  Badge,
  Button,
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
  Separator,
  Skeleton,
} from '@afenda/ui';

import { createCall } from '@/lib/api/client';
import {
  createHealthApi,
  DEFAULT_TIMEOUT_MS,
  getOrchestratorUrl,
  type ReadinessResult,
  type ServiceInfoResult,
} from '@/lib/api/health';

/** Orchestrator readiness and module list, fetched on every request. */
export async function HealthCard() {
  // Opt into request-time rendering before the fetches: the orchestrator URL comes from the
  // runtime environment and the status must never be baked in at build time.
  await connection();

  const baseUrl = getOrchestratorUrl();
  const health = createHealthApi(createCall({ baseUrl, timeoutMs: DEFAULT_TIMEOUT_MS }));
  const [readiness, info] = await Promise.all([health.readiness(), health.serviceInfo()]);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Orchestrator</CardTitle>
        <CardDescription>
          {info.ok ? `${info.name} v${info.version}` : 'Service health at a glance'}
        </CardDescription>
        <CardAction>
          <StatusBadge readiness={readiness} />
        </CardAction>
      </CardHeader>
      <CardContent className="space-y-6">
        <ReadinessDetails readiness={readiness} />
        <Separator />
        <ModuleList info={info} />
      </CardContent>
      <CardFooter className="justify-between gap-4 border-t">
        <span className="truncate font-mono text-xs text-muted-foreground">{baseUrl}</span>
        <Button asChild variant="outline" size="sm">
          <a href={`${baseUrl}/api/v1/docs`} target="_blank" rel="noreferrer">
            API reference
            <ExternalLink aria-hidden />
          </a>
        </Button>
      </CardFooter>
    </Card>
  );
}

function StatusBadge({ readiness }: { readiness: ReadinessResult }) {
  switch (readiness.state) {
    case 'ready':
      return (
        <Badge variant="success">
          <CircleCheck aria-hidden />
          Ready
        </Badge>
      );
    case 'not_ready':
      return (
        <Badge variant="warning">
          <CircleAlert aria-hidden />
          Not ready
        </Badge>
      );
    case 'unreachable':
      return (
        <Badge variant="destructive">
          <CircleX aria-hidden />
          Unreachable
        </Badge>
      );
  }
}

function ReadinessDetails({ readiness }: { readiness: ReadinessResult }) {
  switch (readiness.state) {
    case 'ready': {
      const names = Object.keys(readiness.checks);
      return (
        <p className="text-sm text-muted-foreground">
          All readiness checks pass
          {names.length > 0 ? ` (${names.join(', ')})` : ''}.
        </p>
      );
    }
    case 'not_ready':
      return (
        <div className="space-y-2 text-sm">
          <p className="text-muted-foreground">The orchestrator is up but not ready to serve:</p>
          {readiness.failing.length > 0 ? (
            <ul className="space-y-1">
              {readiness.failing.map((check) => (
                <li key={check.name} className="flex flex-wrap gap-x-2">
                  <span className="font-medium">{check.name}</span>
                  <span className="text-muted-foreground">{check.error ?? 'failed'}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-muted-foreground">No failing check was reported.</p>
          )}
        </div>
      );
    case 'unreachable':
      return (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-muted-foreground">Tried</dt>
          <dd className="font-mono text-xs leading-5 break-all">{readiness.url}</dd>
          <dt className="text-muted-foreground">Error</dt>
          <dd className="leading-5 break-words text-destructive">{readiness.error}</dd>
        </dl>
      );
  }
}

function ModuleList({ info }: { info: ServiceInfoResult }) {
  return (
    <section aria-labelledby="modules-heading" className="space-y-3">
      <h2 id="modules-heading" className="text-sm font-medium">
        Modules <span className="font-normal text-muted-foreground">(not configured yet)</span>
      </h2>
      {!info.ok ? (
        <p className="text-sm text-muted-foreground">Module list unavailable: {info.error}.</p>
      ) : info.modules.length === 0 ? (
        <p className="text-sm text-muted-foreground">No modules are registered.</p>
      ) : (
        <ul className="grid gap-2 sm:grid-cols-2">
          {info.modules.map((module) => (
            <li
              key={module.id}
              className="flex items-center justify-between gap-2 rounded-md border px-3 py-2 text-sm"
            >
              <span className="font-medium">{module.name}</span>
              {module.tool ? <Badge variant="secondary">{module.tool}</Badge> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Placeholder with the same footprint as {@link HealthCard}, used as its Suspense fallback. */
export function HealthCardSkeleton() {
  return (
    <Card aria-busy="true" aria-label="Loading orchestrator status">
      <CardHeader>
        <Skeleton className="h-4 w-28" />
        <Skeleton className="h-4 w-48" />
        <CardAction>
          <Skeleton className="h-5 w-20" />
        </CardAction>
      </CardHeader>
      <CardContent className="space-y-6">
        <Skeleton className="h-10 w-full" />
        <Separator />
        <div className="space-y-3">
          <Skeleton className="h-4 w-44" />
          <div className="grid gap-2 sm:grid-cols-2">
            <Skeleton className="h-10" />
            <Skeleton className="h-10" />
          </div>
        </div>
      </CardContent>
      <CardFooter className="justify-between gap-4 border-t">
        <Skeleton className="h-4 w-40" />
        <Skeleton className="h-8 w-32" />
      </CardFooter>
    </Card>
  );
}
