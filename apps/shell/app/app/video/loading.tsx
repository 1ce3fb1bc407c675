import { Card, CardContent, CardHeader, Skeleton } from '@afenda/ui';

export default function MeetingsLoading() {
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading meetings">
      <div className="space-y-2">
        <Skeleton className="h-8 w-48" />
        <Skeleton className="h-4 w-80" />
      </div>
      {[0, 1, 2].map((i) => (
        <Card key={i}>
          <CardHeader>
            <Skeleton className="h-5 w-56" />
            <Skeleton className="h-4 w-40" />
          </CardHeader>
          <CardContent>
            <Skeleton className="h-4 w-72" />
          </CardContent>
        </Card>
      ))}
    </div>
  );
}
