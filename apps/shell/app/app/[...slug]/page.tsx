import { notFound } from 'next/navigation';

import { requireSession } from '@/lib/auth/session';

/** Pages of the workspace that don't exist (yet): signed in first, then "not found" in the Shell. */
export default async function UnknownWorkspacePage() {
  await requireSession();
  notFound();
}
