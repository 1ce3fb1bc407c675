export { cn } from './lib/utils';
export { Badge, badgeVariants, type BadgeProps } from './badge';
export { Button, buttonVariants, type ButtonProps } from './button';
export {
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
} from './card';
export { Separator } from './separator';
export { Skeleton } from './skeleton';
export {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuPortal,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuShortcut,
  DropdownMenuSub,
  DropdownMenuSubContent,
  DropdownMenuSubTrigger,
  DropdownMenuTrigger,
} from './dropdown-menu';
export { Input, Label, Textarea } from './input';
// Dialog, Sheet, Command and Popover are client components with their own weight: import them
// from '@afenda/ui/dialog', '@afenda/ui/sheet', '@afenda/ui/command' and '@afenda/ui/popover'
// where they are used.
export { EmptyState, FailureState, NoTenant, PageHeader } from './page-states';
export {
  formatExact,
  formatTime,
  formatUtc,
  relativeTime,
  TZ_COOKIE,
  validTimeZone,
} from './time-format';
export { RelativeTime, Time, TimeProvider } from './time';
export type { ActionResult, LoadFailure, Loaded } from './results';
export { embeddedPage } from './module-web';
export type {
  EmbeddedModulePageProps,
  EmbedShell,
  ModuleEmbedShell,
  ModuleApproval,
  ModulePage,
  ModulePageProps,
  ModuleSubject,
  ModuleWeb,
  SearchParams,
} from './module-web';
export { PagedList, TabNav } from './paged-list';
