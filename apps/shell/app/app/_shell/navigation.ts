import type { Tenant } from '@afenda/contracts';

import {
  askAbout,
  buildRegistry,
  describeMissing,
  type RegistryModule,
} from '@/lib/modules/registry';
import type { NavItem, NavSection } from './nav-links';

/**
 * A module in the sidebar. Owners and admins read what it still needs (they can set it up);
 * everyone else whom to ask (`contacts`), never configuration.
 */
function moduleItem(m: RegistryModule, admin: boolean, contacts: { name: string }[]): NavItem {
  const notConnected = m.state === 'not_configured';
  return {
    id: m.id,
    title: m.title,
    path: m.path,
    icon: m.icon,
    note: notConnected
      ? admin
        ? describeMissing(m.missing, m.environment)
        : askAbout(contacts)
      : undefined,
    badge: notConnected
      ? admin
        ? 'Setup'
        : undefined
      : m.state === 'disabled'
        ? 'Off'
        : undefined,
  };
}

/** The sidebar: home, the modules of the active tenant, and the admin pages for admins. */
export function navigationFor(
  modules: RegistryModule[],
  role: Tenant['role'] | null,
  contacts: { name: string }[] = [],
): NavSection[] {
  const admin = role === 'owner' || role === 'admin';
  const sections: NavSection[] = [
    {
      label: 'Workspace',
      items: [
        { id: 'home', title: 'Home', path: '/app', icon: 'house' },
        ...modules.map((m) => moduleItem(m, admin, contacts)),
        { id: 'notifications', title: 'Notifications', path: '/app/notifications', icon: 'bell' },
      ],
    },
  ];
  if (admin) {
    sections.push({
      label: 'Administration',
      items: [
        { id: 'app-registry', title: 'App registry', path: '/app/admin/apps', icon: 'layout-grid' },
        { id: 'access', title: 'Access', path: '/app/access', icon: 'shield-check' },
      ],
    });
  }
  return sections;
}

export { buildRegistry };
