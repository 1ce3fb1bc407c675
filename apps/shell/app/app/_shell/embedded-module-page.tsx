import Link from 'next/link';

import { EmptyState, NoTenant, PageHeader } from '@afenda/ui';
import { askAbout, describeMissing } from '@/lib/modules/registry';
import { loadModuleStates, orchestratorApi, requireTenantContext } from '@/lib/workspace';
import { ProbedModuleEmbed } from './probed-module-embed';

/** A page showing one module's own UI (Chatwoot's dashboard), or why it can't. */
export async function EmbeddedModulePage({
  moduleId,
  returnTo,
  title,
  description,
}: {
  moduleId: string;
  returnTo: string;
  title: string;
  description: string;
}) {
  const ctx = await requireTenantContext(returnTo);
  if (!ctx) return <NoTenant />;
  const states = await loadModuleStates(ctx.session.accessToken, ctx.tenant.id);
  const tool = states?.find((m) => m.id === moduleId);
  const admin = ctx.tenant.role === 'owner' || ctx.tenant.role === 'admin';
  const contacts =
    !admin && tool && tool.state === 'not_configured'
      ? await orchestratorApi(ctx.session.accessToken)
          .listContacts(ctx.tenant.id)
          .catch(() => [])
      : [];
  return (
    <div>
      <PageHeader title={title} description={description} />
      {!tool ? (
        <EmptyState title="Unknown module">This workspace does not know that module.</EmptyState>
      ) : tool.state !== 'enabled' || !tool.embedUrl ? (
        <EmptyState title={`${tool.tool} is not connected for ${ctx.tenant.name}`}>
          {tool.state === 'disabled'
            ? `It is switched off for this tenant.${admin ? ' ' : ' Ask an administrator.'}`
            : admin
              ? `${describeMissing(tool.missing, tool.environment)}. `
              : `${askAbout(contacts)}.`}
          {admin ? (
            <Link href="/app/admin/apps" className="underline underline-offset-4">
              See the App registry
            </Link>
          ) : null}
        </EmptyState>
      ) : (
        <ProbedModuleEmbed src={tool.embedUrl} title={tool.tool} />
      )}
    </div>
  );
}
