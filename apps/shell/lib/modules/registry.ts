/**
 * The Shell's module registry: the integrated tools' manifests (modules/<id>/manifest.ts, as the
 * orchestrator reports them with their state in the active tenant) plus the Shell's built-in
 * modules, Approvals and Activity. Every module lives under /app/<id>. Server and client safe.
 */
import type { ModuleSettingField, ModuleState } from '@afenda/contracts';

export interface RegistryModule {
  id: string;
  title: string;
  tool: string | null;
  description: string;
  path: string;
  /** Navigation position, lowest first (the manifest's `order`). */
  order: number;
  icon: string;
  routes: { path: string; title: string }[];
  permissions: string[];
  /** built-in: always there; the others from the tenant's module settings. */
  state: 'built-in' | ModuleState['state'] | 'unknown';
  required: ModuleSettingField[];
  missing: ModuleSettingField[];
  /** Settings the deployment gives, by the orchestrator's environment variable. */
  environment: Partial<Record<ModuleSettingField, string>>;
  embedUrl: string | null;
}

export const SETTING_LABEL: Record<ModuleSettingField, string> = {
  baseUrl: 'base URL',
  apiToken: 'API token',
  webhookSecret: 'webhook secret',
};

/** The Shell's own modules: manifests like the tools', with nothing to configure. */
export const BUILT_IN_MODULES: RegistryModule[] = [
  {
    id: 'approvals',
    title: 'Approvals',
    tool: null,
    description: 'Requests waiting for a decision, and your own requests, with their ledger.',
    path: '/app/approvals',
    order: 20,
    icon: 'badge-check',
    routes: [
      { path: '/app/approvals', title: 'Waiting for me' },
      { path: '/app/approvals?view=mine', title: 'My requests' },
      { path: '/app/approvals/new', title: 'New request' },
    ],
    permissions: ['approvals.request', 'approvals.decide'],
    state: 'built-in',
    required: [],
    missing: [],
    environment: {},
    embedUrl: null,
  },
  {
    id: 'activity',
    title: 'Activity',
    tool: null,
    description: 'One timeline across every tool in this tenant.',
    path: '/app/activity',
    order: 30,
    icon: 'activity',
    routes: [{ path: '/app/activity', title: 'Timeline' }],
    permissions: ['activity.read'],
    state: 'built-in',
    required: [],
    missing: [],
    environment: {},
    embedUrl: null,
  },
];

/**
 * The tools (by their manifests, as the orchestrator reports them) and the built-in modules, in
 * navigation order: each manifest's `order`, then by title.
 */
export function buildRegistry(states: ModuleState[] | null): RegistryModule[] {
  const tools: RegistryModule[] = (states ?? []).map((m) => ({
    id: m.id,
    title: m.name,
    tool: m.tool,
    description: m.description,
    path: m.path,
    order: m.order,
    icon: m.icon ?? 'box',
    routes: m.routes,
    permissions: m.permissions,
    state: m.state,
    required: m.required,
    missing: m.missing,
    environment: m.environment,
    embedUrl: m.embedUrl,
  }));
  return [...tools, ...BUILT_IN_MODULES].sort(
    (a, b) => a.order - b.order || a.title.localeCompare(b.title),
  );
}

/** "Needs its base URL and API token" — what a module still needs, in words. */
export function describeMissing(
  missing: ModuleSettingField[],
  environment: Partial<Record<ModuleSettingField, string>> = {},
): string {
  const names = missing.map((f) =>
    environment[f] ? `${SETTING_LABEL[f]} (${environment[f]})` : SETTING_LABEL[f],
  );
  if (names.length === 0) return '';
  const list =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `Needs its ${list}`;
}

/**
 * What a member (who can't connect tools) reads about a tool that isn't connected: whom to ask,
 * never its configuration. `contacts` are the organisation's owners and admins.
 */
export function askAbout(contacts: { name: string }[]): string {
  const names = contacts.slice(0, 2).map((c) => c.name);
  if (names.length === 0) return 'Not connected yet: ask an administrator';
  return `Not connected yet: ask ${names.join(' or ')}`;
}
