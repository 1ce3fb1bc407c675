import type { Metadata } from 'next';
import Link from 'next/link';
import { Lock } from 'lucide-react';
import {
  Badge,
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  EmptyState,
  NoTenant,
  PageHeader,
} from '@afenda/ui';

import { ModuleIcon } from '@/lib/modules/icons';
import { buildRegistry, SETTING_LABEL, type RegistryModule } from '@/lib/modules/registry';
import { load } from '@/lib/load';
import { loadModuleStates, requireTenantContext } from '@/lib/workspace';
import { ConnectionTestButton, ModuleSettingsDialog } from './_parts/module-settings-dialog';
import { ConnectChatwootDialog } from './_parts/connect-chatwoot-dialog';

export const metadata: Metadata = { title: 'App registry' };

const STATE: Record<
  RegistryModule['state'],
  { label: string; variant: 'success' | 'warning' | 'outline' | 'secondary' }
> = {
  'built-in': { label: 'Built in', variant: 'secondary' },
  enabled: { label: 'Enabled', variant: 'success' },
  disabled: { label: 'Switched off', variant: 'outline' },
  not_configured: { label: 'Not configured', variant: 'warning' },
  unknown: { label: 'Unknown', variant: 'outline' },
};

/** For admins: every module, its state in the active tenant, and what each still needs. */
export default async function AppRegistryPage() {
  const ctx = await requireTenantContext('/app/admin/apps');
  if (!ctx) return <NoTenant />;
  if (ctx.tenant.role !== 'owner' && ctx.tenant.role !== 'admin') {
    return (
      <EmptyState title="For administrators" icon={Lock}>
        The App registry is for the owners and admins of {ctx.tenant.name}.
      </EmptyState>
    );
  }
  const states = await loadModuleStates(ctx.session.accessToken, ctx.tenant.id);
  const modules = buildRegistry(states);
  // The tools a tenant configures here: something to set, or a connection to test.
  const configurable = (states ?? []).filter(
    (m) => m.required.length > 0 || m.options.length > 0 || m.testable,
  );
  const settings = new Map(
    await Promise.all(
      configurable.map(async (m) => [m.id, await load(ctx.api.moduleSettings(m.id))] as const),
    ),
  );

  return (
    <div>
      <PageHeader
        title="App registry"
        description={`The modules of ${ctx.tenant.name} and what each still needs. Settings are per tenant; secrets are stored encrypted and never shown.`}
      />
      {states === null ? (
        <p role="alert" className="mb-4 rounded-md border px-3 py-2 text-sm text-muted-foreground">
          The workspace service did not say which tools are configured; only the built-in modules
          are listed.
        </p>
      ) : null}
      <div className="grid gap-4 md:grid-cols-2" data-testid="app-registry">
        {modules.map((m) => (
          <Card key={m.id} data-module={m.id} data-state={m.state}>
            <CardHeader>
              <CardTitle className="flex items-center gap-2">
                <ModuleIcon name={m.icon} className="size-4" />
                <Link href={m.path} className="underline-offset-4 hover:underline">
                  {m.title}
                </Link>
              </CardTitle>
              <CardDescription>
                {m.tool ? `${m.tool} · ` : ''}
                {m.description}
              </CardDescription>
              <CardAction>
                <Badge variant={STATE[m.state].variant}>{STATE[m.state].label}</Badge>
              </CardAction>
            </CardHeader>
            <CardContent>
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className="text-muted-foreground">Address</dt>
                <dd className="font-mono text-xs leading-5">{m.path}</dd>
                <dt className="text-muted-foreground">Settings</dt>
                <dd>
                  {m.required.length === 0
                    ? 'None needed'
                    : m.required.map((f) => (
                        <span key={f} className="mr-2 inline-flex items-center gap-1">
                          {m.missing.includes(f) ? (
                            <span className="text-amber-700 dark:text-amber-300">✗</span>
                          ) : (
                            <span className="text-emerald-700 dark:text-emerald-400">✓</span>
                          )}
                          {SETTING_LABEL[f]}
                          {m.environment[f] ? (
                            <span className="font-mono text-xs text-muted-foreground">
                              ({m.environment[f]})
                            </span>
                          ) : null}
                          <span className="sr-only">
                            {m.missing.includes(f) ? ' (missing)' : ' (set)'}
                          </span>
                        </span>
                      ))}
                </dd>
                <dt className="text-muted-foreground">Permissions</dt>
                <dd className="font-mono text-xs leading-5">{m.permissions.join(', ') || '—'}</dd>
              </dl>
              {(() => {
                const state = configurable.find((c) => c.id === m.id);
                if (!state) return null;
                const loaded = settings.get(m.id);
                return (
                  <div className="mt-4 grid gap-3 border-t pt-4">
                    {loaded && !loaded.ok ? (
                      <p role="alert" className="text-sm text-destructive">
                        Its settings could not be read: {loaded.message}
                      </p>
                    ) : state.id === 'inbox' ||
                      state.required.length > 0 ||
                      state.options.length > 0 ? (
                      <div className="flex flex-wrap gap-2">
                        {state.id === 'inbox' ? (
                          <ConnectChatwootDialog
                            baseUrl={loaded?.ok ? loaded.data.baseUrl : null}
                            accountId={
                              loaded?.ok && typeof loaded.data.options.accountId === 'number'
                                ? loaded.data.options.accountId
                                : null
                            }
                          />
                        ) : null}
                        {state.required.length > 0 || state.options.length > 0 ? (
                          <ModuleSettingsDialog
                            module={state}
                            settings={loaded?.ok ? loaded.data : null}
                          />
                        ) : null}
                      </div>
                    ) : null}
                    {state.testable && state.state !== 'not_configured' ? (
                      <ConnectionTestButton module={state.id} tool={state.tool} />
                    ) : null}
                  </div>
                );
              })()}
            </CardContent>
          </Card>
        ))}
      </div>
    </div>
  );
}
