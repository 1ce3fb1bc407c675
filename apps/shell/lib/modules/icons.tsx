import {
  Activity,
  BadgeCheck,
  Bell,
  Box,
  House,
  Inbox,
  LayoutGrid,
  MessagesSquare,
  Presentation,
  ShieldCheck,
  Video,
  type LucideIcon,
} from 'lucide-react';

/** The lucide icons a manifest may name (kebab-case); anything else shows a box. */
const ICONS: Record<string, LucideIcon> = {
  activity: Activity,
  'badge-check': BadgeCheck,
  bell: Bell,
  box: Box,
  house: House,
  inbox: Inbox,
  'layout-grid': LayoutGrid,
  'messages-square': MessagesSquare,
  presentation: Presentation,
  'shield-check': ShieldCheck,
  video: Video,
};

export function ModuleIcon({ name, className }: { name: string; className?: string }) {
  const Icon = ICONS[name] ?? Box;
  return <Icon aria-hidden className={className} />;
}
