'use server';

import type { ActivityEntry } from '@afenda/contracts';

import { inActiveTenant } from '@/lib/actions';
import type { ActionResult } from '@/lib/load';

export interface ActivityFilters {
  type?: string;
  source?: string;
}

/** The next page of the timeline (keyset cursor), for scrolling on. */
export async function loadMoreActivity(
  filters: ActivityFilters,
  cursor: string,
): Promise<ActionResult<{ entries: ActivityEntry[]; nextCursor: string | null }>> {
  return inActiveTenant(
    async (api) => {
      const page = await api.listActivity({
        type: filters.type?.slice(0, 64) || undefined,
        source: filters.source?.slice(0, 32) || undefined,
        cursor: String(cursor).slice(0, 200),
        limit: 30,
      });
      return { entries: page.data, nextCursor: page.nextCursor };
    },
    { mutates: false },
  );
}
