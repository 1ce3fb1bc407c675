/**
 * The integrated tools' pages: app/app/[module]/… look the module up in lib/modules/web-modules.ts
 * and render its page with `shell`, what the Shell gives every module page: the signed-in user,
 * the active tenant and its API, the server actions, and the Shell's own parts. Server-only.
 */
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { notFound } from 'next/navigation';
import type { ModuleApproval, ModuleSubject, ModuleWeb, SearchParams } from '@afenda/ui';

import { loginPath } from '@/lib/auth/paths';
import { requireSession } from '@/lib/auth/session';
import { load } from '@/lib/load';
import * as chatwootActions from '@/lib/modules/actions/chatwoot';
import * as inboxActions from '@/lib/modules/actions/inbox';
import * as videoActions from '@/lib/modules/actions/video';
import * as whiteboardActions from '@/lib/modules/actions/whiteboard';
import { describeMissing } from '@/lib/modules/registry';
import * as webModules from '@/lib/modules/web-modules';
import { loadModuleStates, loadWorkspace, orchestratorApi } from '@/lib/workspace';
import { EmbeddedModulePage } from './embedded-module-page';
import { LiveRefresh } from './live-refresh';
import { ProbedModuleEmbed } from './probed-module-embed';

/** What the Shell gives a module's pages without a session (e.g. a page Chatwoot frames). */
const publicServices = {
  // Plain objects of server actions: a page may hand them to its client parts.
  actions: {
    chatwoot: { ...chatwootActions },
    inbox: { ...inboxActions },
    video: { ...videoActions },
    whiteboard: { ...whiteboardActions },
  },
  settings: {
    /** tldraw's licence key, read when the page is served; public by design (docs/decisions.md). */
    tldrawLicenseKey: () => process.env.TLDRAW_LICENSE_KEY?.trim() || undefined,
    /** The origins allowed to frame the Chatwoot Dashboard App. */
    chatwootDashboardOrigins: () =>
      (process.env.CHATWOOT_DASHBOARD_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
  },
  describeMissing,
  LiveRefresh,
  EmbeddedModulePage,
  /** <ModuleEmbed> for a tool's page at a URL the module knows (e.g. an Element room). */
  ModuleEmbed: ProbedModuleEmbed,
};

export type PublicShellServices = typeof publicServices;

/** The signed-in user's services, for one page (`returnTo` after signing in). */
async function shellServices(returnTo: string) {
  const session = await requireSession(returnTo);
  const workspace = await loadWorkspace(session.accessToken);
  const tenant = workspace.active;
  const services = {
    ...publicServices,
    user: session.user,
    me: workspace.me,
    tenant,
    /** The calls that act in the active tenant; null when the user has none. */
    api: tenant ? orchestratorApi(session.accessToken).inTenant(tenant.id) : null,
    load,
    signInHref: loginPath(returnTo),
    moduleState: async (id: string) =>
      tenant
        ? ((await loadModuleStates(session.accessToken, tenant.id))?.find((m) => m.id === id) ??
          null)
        : null,
    /** The modules' panels for something shown on this page (e.g. the boards linked to it). */
    SubjectPanels: ({ subject }: { subject: ModuleSubject }): ReactNode =>
      WEB_MODULES.map((m) =>
        m.subjectPanel ? (
          <m.subjectPanel key={m.manifest.id} subject={subject} shell={services} />
        ) : null,
      ),
  };
  return services;
}

export type ShellServices = Awaited<ReturnType<typeof shellServices>>;

const WEB_MODULES: ModuleWeb<ShellServices, PublicShellServices>[] = Object.values(webModules);

function findPage(moduleId: string, path: string[]) {
  const web = WEB_MODULES.find((m) => m.manifest.id === moduleId);
  if (!web || path.length > 1) return null;
  const [first] = path;
  return first === undefined ? web.pages[''] : (web.pages[first] ?? web.pages[':id']);
}

export interface ModuleRouteProps {
  params: Promise<{ module: string; path?: string[] }>;
  searchParams: Promise<SearchParams>;
}

export async function moduleMetadata({ params }: ModuleRouteProps): Promise<Metadata> {
  const { module, path = [] } = await params;
  const page = findPage(module, path);
  return page ? { title: page.title } : {};
}

/** /app/<module>/<path…>: the module's page, or (signed in first) not found. */
export async function ModuleRoute({ params, searchParams }: ModuleRouteProps) {
  const { module, path = [] } = await params;
  const query = await searchParams;
  const search = new URLSearchParams(
    Object.entries(query).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
  ).toString();
  const returnTo = `/app/${[module, ...path].map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
  const page = findPage(module, path);
  if (!page) {
    await requireSession(returnTo);
    notFound();
  }
  return page.render({ path, searchParams: query, shell: await shellServices(returnTo) });
}

/** The modules' panels for an approval or a conversation, on the Shell's own pages. */
export async function SubjectPanels({
  subject,
  returnTo,
}: {
  subject: ModuleSubject;
  returnTo: string;
}) {
  const shell = await shellServices(returnTo);
  return <shell.SubjectPanels subject={subject} />;
}

/**
 * On an approval's page: what the approval came from, from the module it belongs to (which may
 * show the approval's own `details` instead), or null when no module claims it.
 */
export async function approvalContext(
  approval: ModuleApproval,
  details: ReactNode,
  returnTo: string,
): Promise<ReactNode> {
  const shell = await shellServices(returnTo);
  for (const m of WEB_MODULES) {
    const context = m.approvalContext
      ? await m.approvalContext({ approval, details, shell })
      : null;
    if (context) return context;
  }
  return null;
}

/** A module's page outside /app (no session needed), e.g. the Chatwoot Dashboard App. */
export function StandaloneModulePage({ moduleId, name }: { moduleId: string; name: string }) {
  const page = WEB_MODULES.find((m) => m.manifest.id === moduleId)?.standalone?.[name];
  if (!page) notFound();
  return page.render({ path: [], searchParams: {}, shell: publicServices });
}

export function standaloneMetadata(moduleId: string, name: string): Metadata {
  const page = WEB_MODULES.find((m) => m.manifest.id === moduleId)?.standalone?.[name];
  return page ? { title: page.title } : {};
}
