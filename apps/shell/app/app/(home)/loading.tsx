import { Card, CardContent, CardHeader, Skeleton } from '@afenda/ui';

export default function Loading() {
  return (
    <div className="space-y-8" aria-busy="true" aria-label="Loading your workspace">
      <div className="space-y-2">
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-4 w-80" />
      </div>
      <Card className="max-w-xl">
        <CardHeader>
          <Skeleton className="h-4 w-24" />
          <Skeleton className="h-6 w-40" />
        </CardHeader>
        <CardContent className="space-y-2">
          <Skeleton className="h-4 w-56" />
          <Skeleton className="h-4 w-48" />
          <Skeleton className="h-4 w-52" />
        </CardContent>
      </Card>
    </div>
  );
}
