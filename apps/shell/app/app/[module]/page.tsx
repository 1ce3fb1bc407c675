import { ModuleRoute, moduleMetadata } from '../_shell/module-pages';

/** /app/<module>: an integrated tool's start page (see lib/modules/web-modules.ts). */
export const generateMetadata = moduleMetadata;
export default ModuleRoute;
