import { Skeleton } from '@afenda/ui';

/**
 * A page's loading state: its heading and a few rows. Each list page's loading.tsx shows it
 * while the page's data loads. There is none above pages that answer 404 (an unknown id): a
 * loading state there would start the response with 200 before the page knows (docs/shell.md).
 */
export function PageSkeleton({ label }: { label: string }) {
  return (
    <div className="space-y-6" aria-busy="true" aria-label={label}>
      <div className="space-y-2">
        <Skeleton className="h-8 w-56" />
        <Skeleton className="h-4 w-full max-w-80" />
      </div>
      <div className="space-y-3">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-14 w-full" />
        ))}
      </div>
    </div>
  );
}
