import { startDevIdp } from '@afenda/dev-idp';
import type { KeycloakUser } from '@afenda/contracts';
import { passwordGrant } from '@afenda/test-utils/keycloak';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RealmFileSource } from './directory-source.ts';
import { describeIdentitySuite } from '../../testing/identity-suite.ts';
import { REALM_FILE } from '../../testing/app.ts';

// The development provider reads the realm export; changing "Keycloak" means editing that file.
describeIdentitySuite('the development OpenID provider', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'afenda-identity-'));
  const realmFile = path.join(dir, 'realm.json');
  await writeFile(realmFile, await readFile(REALM_FILE));
  const idp = await startDevIdp({ port: 0, host: '127.0.0.1', realmFile });
  const edit = async (username: string, change: (u: KeycloakUser) => KeycloakUser) => {
    const realm = JSON.parse(await readFile(realmFile, 'utf8')) as { users: KeycloakUser[] };
    realm.users = realm.users.map((u) => (u.username === username ? change(u) : u));
    await writeFile(realmFile, JSON.stringify(realm));
  };
  return {
    issuer: idp.issuer,
    source: new RealmFileSource(realmFile),
    login: async (username, password = `demo-${username}`) =>
      (await passwordGrant({ issuer: idp.issuer, username, password })).access_token,
    removeFromGroup: (username, groupPath) =>
      edit(username, (u) => ({ ...u, groups: (u.groups ?? []).filter((g) => g !== groupPath) })),
    disable: (username) => edit(username, (u) => ({ ...u, enabled: false })),
    close: async () => {
      await idp.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
