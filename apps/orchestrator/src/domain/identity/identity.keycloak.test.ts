import {
  adminToken,
  keycloakAdmin,
  passwordGrant,
  startKeycloak,
} from '@afenda/test-utils/keycloak';
import { KeycloakAdminSource } from './directory-source.ts';
import { describeIdentitySuite } from '../../testing/identity-suite.ts';

// A real Keycloak (the server distribution, fetched with mvn; scripts/keycloak.mjs) with our
// realm export imported. Run by .ci/run with TEST_KEYCLOAK=1; a Keycloak that cannot start fails
// the suite with its log, it is never skipped.
const SERVICE_SECRET = 'afenda-orchestrator-test-secret';

describeIdentitySuite(
  'a real Keycloak',
  async () => {
    const kc = await startKeycloak({ env: { AFENDA_ORCHESTRATOR_CLIENT_SECRET: SERVICE_SECRET } });
    const admin = async () => keycloakAdmin(kc.url, await adminToken(kc.url, kc.admin));
    const userId = async (username: string) => {
      const user = await (await admin()).findUser(username);
      if (!user?.id) throw new Error(`no Keycloak user ${username}`);
      return user.id;
    };
    return {
      issuer: kc.issuer,
      source: new KeycloakAdminSource(kc.issuer, 'afenda-orchestrator', SERVICE_SECRET),
      login: async (username, password = `demo-${username}`) =>
        (await passwordGrant({ issuer: kc.issuer, username, password })).access_token,
      removeFromGroup: async (username, groupPath) => {
        const api = await admin();
        const group = await api.groupByPath(groupPath);
        await api.removeUserFromGroup(await userId(username), group.id as string);
      },
      disable: async (username) => (await admin()).disableUser(await userId(username)),
      close: () => kc.stop(),
    };
  },
  240_000,
);
