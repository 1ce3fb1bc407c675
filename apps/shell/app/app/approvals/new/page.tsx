import type { Metadata } from 'next';

import { NoTenant, PageHeader } from '@afenda/ui';
import { requireTenantContext } from '@/lib/workspace';
import { NewRequestForm } from './new-request-form';

export const metadata: Metadata = { title: 'New request' };

export default async function NewRequestPage() {
  const ctx = await requireTenantContext('/app/approvals/new');
  if (!ctx) return <NoTenant />;
  const types = await ctx.api
    .listApprovalTypes()
    .catch(() => [{ id: 'generic', title: 'Request', mayDecide: false }]);
  return (
    <div className="max-w-xl">
      <PageHeader
        title="New request"
        description={`Ask for a decision in ${ctx.tenant.name}. It is submitted at once.`}
      />
      <NewRequestForm types={types.map(({ id, title }) => ({ id, title }))} />
    </div>
  );
}
