/** oidc-provider's account lookup over the realm export's users. */
import type { Account, KoaContextWithOIDC } from 'oidc-provider';
import { findClient, findUserById, groupsClaim, profileClaims, type Realm } from '../realm.ts';

export type FindAccount = (ctx: KoaContextWithOIDC | undefined, sub: string) => Account | undefined;

export function accountFinder(realm: Realm): FindAccount {
  // The groups claim is per client (its group mapper), so claims depend on who asks.
  const realmClientOf = (ctx: KoaContextWithOIDC | undefined) => {
    const id = ctx?.oidc?.client?.clientId;
    return id ? findClient(realm, id) : undefined;
  };

  return (ctx, sub) => {
    const user = findUserById(realm, sub);
    if (!user?.enabled) return undefined;
    return {
      accountId: user.id,
      claims: (use: string) => ({
        ...profileClaims(user),
        sub: user.id,
        ...groupsClaim(realmClientOf(ctx), user, use === 'id_token' ? 'idToken' : 'userinfo'),
      }),
    };
  };
}
