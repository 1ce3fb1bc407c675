import { PageSkeleton } from '../../_shell/page-skeleton';

export default function Loading() {
  return <PageSkeleton label="Loading the App registry" />;
}
