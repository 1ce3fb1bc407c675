import { z } from 'zod';
import { MEMBER_ROLES } from './identity.ts';

export const tenantKindSchema = z.enum(['organization', 'team', 'individual']);

export const tenantSchema = z
  .object({
    id: z.uuid(),
    kind: tenantKindSchema,
    slug: z.string(),
    name: z.string(),
    parentId: z.uuid().nullable(),
    role: z.enum(MEMBER_ROLES).describe("The caller's role in this tenant"),
    canApprove: z.boolean().describe('Whether the caller may decide approvals here'),
  })
  .meta({ id: 'Tenant' });
export type Tenant = z.infer<typeof tenantSchema>;

export type TenantNode = Tenant & { children: TenantNode[] };
export const tenantNodeSchema: z.ZodType<TenantNode> = tenantSchema
  .extend({ children: z.array(z.lazy(() => tenantNodeSchema)) })
  .meta({ id: 'TenantNode' });

export const tenantParamsSchema = z.object({ tenantId: z.uuid() });

export const meSchema = z
  .object({
    id: z.uuid(),
    subject: z.string(),
    username: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    personalTenantId: z.uuid().nullable(),
    activeTenantId: z.uuid().nullable(),
  })
  .meta({ id: 'Me' });

/** Someone to ask about the tenant's setup: an owner or admin of its organisation. */
export const tenantContactSchema = z
  .object({
    name: z.string(),
    role: z.enum(['owner', 'admin']),
  })
  .meta({ id: 'TenantContact' });
export type TenantContact = z.infer<typeof tenantContactSchema>;
