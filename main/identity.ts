import fs from 'node:fs';
import type pino from 'pino';
import type { Config } from '../config/env';
import type { EngineContext } from '../client/context';
import { consoleUris, localIdentity } from '../identity/local-identity';
import { RelyingParty } from '../identity/relying-party';

/** The OpenID provider people sign in with, as the console sees it; and what to tell the user of it. */
export interface Identity {
  relyingParty: RelyingParty;
  lines: string[];
  stop: () => Promise<void>;
}

/**
 * People sign in through OIDC_ISSUER when it is configured (ProConnect, any standard provider: README,
 * "Signing in"); on the embedded default, through a local provider with the demo people
 * (identity/demo-people.json), started here and bound to this process, their roles granted. Elsewhere
 * without a provider (a topology not configured yet) nobody signs in to the console, and it says so.
 */
export async function identityFor(
  config: Config,
  engine: EngineContext,
  logger: pino.Logger,
  { embedded }: { embedded: boolean },
  consoleUrl = config.CONSOLE_PUBLIC_URL ?? `http://${config.API_HOST}:${config.API_PORT}`,
): Promise<Identity | undefined> {
  const secondFactorAmr = config.OIDC_SECOND_FACTOR_AMR.split(',').map((s) => s.trim());
  if (config.OIDC_ISSUER) {
    const clientSecret =
      config.OIDC_CLIENT_SECRET ??
      (config.OIDC_CLIENT_SECRET_FILE ? fs.readFileSync(config.OIDC_CLIENT_SECRET_FILE, 'utf8').trim() : undefined);
    if (!config.OIDC_CLIENT_ID || !clientSecret)
      throw new Error('OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (or OIDC_CLIENT_SECRET_FILE)');
    return {
      relyingParty: new RelyingParty({
        issuer: config.OIDC_ISSUER,
        clientId: config.OIDC_CLIENT_ID,
        clientSecret,
        scopes: config.OIDC_SCOPES,
        secondFactorAmr,
        ...consoleUris(consoleUrl),
      }),
      lines: [`Sign-in:         ${config.OIDC_ISSUER}`],
      stop: async () => {},
    };
  }
  if (!embedded) {
    logger.warn(
      'no OpenID provider configured (OIDC_ISSUER): nobody can sign in to the console; the API serves tokens',
    );
    return undefined;
  }
  const local = await localIdentity({
    engine,
    port: config.OIDC_LOCAL_PORT,
    consoleUrl,
    secondFactorAmr,
  });
  if (local.granted) logger.info({ granted: local.granted }, 'demo people granted their roles');
  return {
    relyingParty: local.relyingParty,
    lines: [`Sign-in:         ${local.issuer} (demo people: README, "Signing in"; password « demo », code 123456)`],
    stop: () => local.stop(),
  };
}
