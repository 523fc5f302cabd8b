import { randomBytes } from 'node:crypto';
import type { EngineContext } from '../client/context';
import { seedPeople } from '../client/people';
import { demoPeopleFile, startLocalProvider } from './local-provider';
import { RelyingParty } from './relying-party';

/** The console's own addresses, from the address people reach it at. */
export const consoleUris = (consoleUrl: string) => ({
  redirectUri: new URL('/console/connexion/retour', consoleUrl).href,
  postLogoutUri: new URL('/console/connexion', consoleUrl).href,
});

/**
 * A local OpenID provider for the console at `consoleUrl` (npm start's, the tests'): its people known
 * to the engine with their roles granted, the console registered as its one client, a relying party
 * of it. Bound to this process.
 */
export async function localIdentity(opts: {
  engine: EngineContext;
  port: number;
  consoleUrl: string;
  secondFactorAmr: string[];
  peopleFile?: string;
  tamper?: 'aud' | 'nonce' | 'exp';
}): Promise<{ relyingParty: RelyingParty; issuer: string; granted: number; stop(): Promise<void> }> {
  const peopleFile = opts.peopleFile ?? demoPeopleFile;
  const client = { client_id: 'sons-console', client_secret: randomBytes(24).toString('base64url') };
  const uris = consoleUris(opts.consoleUrl);
  const provider = await startLocalProvider({
    port: opts.port,
    peopleFile,
    clients: [{ ...client, redirect_uris: [uris.redirectUri], post_logout_redirect_uris: [uris.postLogoutUri] }],
    ...(opts.tamper ? { tamper: opts.tamper } : {}),
  });
  const granted = await seedPeople(opts.engine, provider.issuer, peopleFile);
  return {
    relyingParty: new RelyingParty({
      issuer: provider.issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret,
      scopes: 'openid email profile organization',
      secondFactorAmr: opts.secondFactorAmr,
      ...uris,
    }),
    issuer: provider.issuer,
    granted,
    stop: () => provider.stop(),
  };
}
