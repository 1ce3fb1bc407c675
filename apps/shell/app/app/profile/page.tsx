import type { Metadata } from 'next';
import { Card, CardContent, CardDescription, CardHeader, CardTitle, PageHeader } from '@afenda/ui';

import { requireSession } from '@/lib/auth/session';
import { KIND_LABEL, ROLE_LABEL } from '@/lib/tenant-labels';
import { loadWorkspace } from '@/lib/workspace';
import { ThemeToggle } from '../../components/theme-toggle';

export const metadata: Metadata = { title: 'Profile' };

/** Who you are here, as Keycloak says, and your tenants. Identity is edited in Keycloak only. */
export default async function ProfilePage() {
  const session = await requireSession('/app/profile');
  const { me, tenants } = await loadWorkspace(session.accessToken);
  return (
    <div className="space-y-6">
      <PageHeader
        title="Profile"
        description="Your name, e-mail and roles come from your organisation's identity provider."
      />
      <Card className="max-w-xl">
        <CardHeader>
          <CardTitle>{me.displayName}</CardTitle>
          <CardDescription>
            {me.username}
            {me.email ? ` · ${me.email}` : ''}
          </CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          <div className="flex items-center justify-between gap-3">
            <span className="text-sm">Theme</span>
            <ThemeToggle />
          </div>
          <div>
            <h2 className="mb-2 text-sm font-medium">Your tenants</h2>
            <ul className="divide-y rounded-md border text-sm">
              {tenants.map((t) => (
                <li
                  key={t.id}
                  className="flex items-center justify-between gap-2 px-3 py-2"
                  style={{ paddingLeft: `${0.75 + t.depth}rem` }}
                >
                  <span className="min-w-0 truncate">
                    {t.name} <span className="text-muted-foreground">· {KIND_LABEL[t.kind]}</span>
                  </span>
                  <span className="text-muted-foreground">{ROLE_LABEL[t.role]}</span>
                </li>
              ))}
            </ul>
          </div>
        </CardContent>
      </Card>
    </div>
  );
}
