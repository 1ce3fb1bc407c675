import { z } from 'zod';

/** What a module folder (modules/<id>/manifest.ts) declares about itself. */
export interface ModuleManifest {
  id: string;
  name: string;
  tool: string;
  description: string;
  /** Shell route the module lives under, e.g. `/app/inbox`. */
  path: string;
  /** Settings a tenant gives to connect it; secrets are stored encrypted and never returned. */
  settings: { baseUrl: boolean; apiToken: boolean; webhookSecret: boolean };
}

export const moduleSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    tool: z.string(),
    description: z.string(),
    path: z.string(),
  })
  .meta({ id: 'ModuleSummary' });
