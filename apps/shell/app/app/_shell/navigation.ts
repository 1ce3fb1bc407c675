import type { Tenant } from '@afenda/contracts';

import { buildRegistry, describeMissing, type RegistryModule } from '@/lib/modules/registry';
import type { NavItem, NavSection } from './nav-links';

function moduleItem(m: RegistryModule): NavItem {
  return {
    id: m.id,
    title: m.title,
    path: m.path,
    icon: m.icon,
    note: m.state === 'not_configured' ? describeMissing(m.missing, m.environment) : undefined,
    badge: m.state === 'not_configured' ? 'Setup' : m.state === 'disabled' ? 'Off' : undefined,
  };
}

/** The sidebar: home, the modules of the active tenant, and the admin pages for admins. */
export function navigationFor(
  modules: RegistryModule[],
  role: Tenant['role'] | null,
): NavSection[] {
  const sections: NavSection[] = [
    {
      label: 'Workspace',
      items: [
        { id: 'home', title: 'Home', path: '/app', icon: 'house' },
        ...modules.map(moduleItem),
        { id: 'notifications', title: 'Notifications', path: '/app/notifications', icon: 'bell' },
      ],
    },
  ];
  if (role === 'owner' || role === 'admin') {
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
