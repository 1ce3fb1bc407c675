import { ModuleRoute, moduleMetadata } from '../../_shell/module-pages';

/** /app/<module>/<path…>: an integrated tool's page below its start (e.g. one room, one board). */
export const generateMetadata = moduleMetadata;
export default ModuleRoute;
