import type { KeycloakGroup, KeycloakUser } from '@afenda/contracts';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { readFile } from 'node:fs/promises';

/** Where the directory (groups and users with their group paths) is read from. */
export interface DirectorySource {
  readonly name: 'keycloak' | 'realm-file';
  /** Every group (as a tree) and every user with their group paths. */
  fetchAll(): Promise<{ groups: KeycloakGroup[]; users: KeycloakUser[] }>;
  /** The group tree and one user (null when Keycloak no longer has them). */
  fetchUser(keycloakId: string): Promise<{ groups: KeycloakGroup[]; user: KeycloakUser | null }>;
}

/** Development: the realm export the development identity provider serves. */
export class RealmFileSource implements DirectorySource {
  readonly name = 'realm-file' as const;
  constructor(private readonly file: string) {}

  async fetchAll() {
    const realm = JSON.parse(await readFile(this.file, 'utf8')) as {
      groups?: KeycloakGroup[];
      users?: KeycloakUser[];
    };
    return {
      groups: realm.groups ?? [],
      users: (realm.users ?? []).filter((u) => !u.serviceAccountClientId),
    };
  }

  async fetchUser(keycloakId: string) {
    const { groups, users } = await this.fetchAll();
    return { groups, user: users.find((u) => u.id === keycloakId) ?? null };
  }
}

const PAGE = 200;

/** The fields of Keycloak's UserRepresentation the directory reads, with the group paths given. */
function asUser(
  u: {
    id?: string;
    username?: string;
    email?: string;
    firstName?: string;
    lastName?: string;
    enabled?: boolean;
  },
  groups: string[],
): KeycloakUser {
  return {
    id: u.id,
    username: u.username ?? '',
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    enabled: u.enabled,
    groups,
  };
}

/** Every item of a paginated Admin API listing (first/max), page after page. */
async function allPages<T>(page: (first: number, max: number) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let first = 0; ; first += PAGE) {
    const items = await page(first, PAGE);
    all.push(...items);
    if (items.length < PAGE) return all;
  }
}

/**
 * Production: Keycloak's Admin REST API with the orchestrator's service account
 * (client credentials; roles view-users, query-users, query-groups). Read-only: nothing here
 * writes to Keycloak.
 */
export class KeycloakAdminSource implements DirectorySource {
  readonly name = 'keycloak' as const;
  private readonly client: KcAdminClient;
  private tokenExpiresAt = 0;

  constructor(
    issuer: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
  ) {
    const match = /^(.*)\/realms\/([^/]+)$/.exec(issuer);
    if (!match) throw new Error(`cannot derive Keycloak's base URL and realm from ${issuer}`);
    this.client = new KcAdminClient({
      baseUrl: match[1],
      realmName: decodeURIComponent(match[2] ?? ''),
    });
  }

  private async authed(): Promise<KcAdminClient> {
    if (Date.now() < this.tokenExpiresAt) return this.client;
    await this.client.auth({
      grantType: 'client_credentials',
      clientId: this.clientId,
      clientSecret: this.clientSecret,
    });
    this.tokenExpiresAt = Date.now() + 50_000; // Keycloak's shortest default lifespan is 60 s
    return this.client;
  }

  private async groupTree(kc: KcAdminClient): Promise<KeycloakGroup[]> {
    const withChildren = async (
      group: KeycloakGroup & { id?: string; subGroupCount?: number },
    ): Promise<KeycloakGroup> => {
      const subs =
        group.id && (group.subGroupCount ?? 1) > 0
          ? await allPages((first, max) =>
              kc.groups.listSubGroups({
                parentId: group.id!,
                first,
                max,
                briefRepresentation: false,
              }),
            )
          : [];
      return {
        id: group.id,
        name: group.name,
        path: group.path,
        attributes: group.attributes ?? {},
        subGroups: await Promise.all((subs as KeycloakGroup[]).map(withChildren)),
      };
    };
    const top = await allPages((first, max) =>
      kc.groups.find({ first, max, briefRepresentation: false }),
    );
    return Promise.all((top as KeycloakGroup[]).map(withChildren));
  }

  async fetchAll() {
    const kc = await this.authed();
    const groups = await this.groupTree(kc);
    const users = new Map<string, KeycloakUser>();
    for (const u of await allPages((first, max) =>
      kc.users.find({ first, max, briefRepresentation: false }),
    )) {
      if (!u.id || !u.username || u.serviceAccountClientId) continue;
      users.set(u.id, asUser(u, []));
    }
    // Direct members of each group: one call per group rather than one per user.
    const walk = async (g: KeycloakGroup) => {
      if (g.id) {
        const members = await allPages((first, max) =>
          kc.groups.listMembers({ id: g.id!, first, max, briefRepresentation: true }),
        );
        for (const m of members) if (m.id) users.get(m.id)?.groups?.push(g.path ?? '');
      }
      for (const sub of g.subGroups ?? []) await walk(sub);
    };
    for (const g of groups) await walk(g);
    return { groups, users: [...users.values()] };
  }

  async fetchUser(keycloakId: string) {
    const kc = await this.authed();
    const groups = await this.groupTree(kc);
    const u = await kc.users.findOne({ id: keycloakId });
    if (!u?.id || !u.username) return { groups, user: null };
    const memberOf = await kc.users.listGroups({
      id: keycloakId,
      briefRepresentation: true,
      max: 1000,
    });
    return {
      groups,
      user: asUser(u, memberOf.map((g) => g.path ?? '').filter(Boolean)),
    };
  }
}
