import type * as OpenId from 'openid-client';
import type { PersonClaims } from '../db/people';

/** How the console signs people in with an OpenID Connect provider (configuration: README, "Signing in"). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** space-separated */
  scopes: string;
  /** …/console/connexion/retour, as people reach the console */
  redirectUri: string;
  /** …/console/connexion: where the provider's sign-out sends people back */
  postLogoutUri: string;
  /** the `amr` values that say a second factor was used */
  secondFactorAmr: string[];
}

/** What a sign-in started: kept by the browser in a sealed cookie until the provider sends it back. */
export interface SignInTransaction {
  state: string;
  nonce: string;
  verifier: string;
}

/** A person signed in: who (issuer and subject), what the provider says of them, how they signed in. */
export interface SignedInPerson {
  issuer: string;
  subject: string;
  claims: PersonClaims;
  secondFactor: boolean;
  idToken: string;
}

/** openid-client is an ES module: loaded once, by import(). */
let library: Promise<typeof OpenId> | undefined;
const openid = () => (library ??= import('openid-client'));

/**
 * The console as a relying party of an OpenID Connect provider, with openid-client (the certified
 * relying-party library): discovery, the authorization code flow with PKCE, `state` and `nonce`, the
 * ID token validated (issuer, audience, expiry, nonce, signature), the userinfo read, RP-initiated
 * logout. Plain HTTP only to a provider on this machine (the local one).
 */
export class RelyingParty {
  private configuration?: Promise<OpenId.Configuration>;

  constructor(readonly settings: OidcSettings) {}

  private async config(): Promise<OpenId.Configuration> {
    const client = await openid();
    const local = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(this.settings.issuer.replace(/\/$/, ''));
    this.configuration ??= client
      .discovery(new URL(this.settings.issuer), this.settings.clientId, this.settings.clientSecret, undefined, {
        ...(local ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .catch((err: unknown) => {
        // a provider away at start: discovered again at the next sign-in
        this.configuration = undefined;
        throw err;
      });
    return this.configuration;
  }

  /** Where to send a person to sign in, and what the return must match. */
  async begin(): Promise<{ url: string; transaction: SignInTransaction }> {
    const client = await openid();
    const config = await this.config();
    // ProConnect asks for state and nonce of 32 characters at least: 43 here
    const transaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, transaction };
  }

  /** The provider sent the person back: the code exchanged, the ID token checked, the userinfo read. */
  async finish(returned: URL, transaction: SignInTransaction): Promise<SignedInPerson> {
    const client = await openid();
    const config = await this.config();
    const tokens = await client.authorizationCodeGrant(config, returned, {
      pkceCodeVerifier: transaction.verifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    const text = (v: unknown) => (typeof v === 'string' && v ? v.slice(0, 200) : undefined);
    const claims: PersonClaims = {};
    for (const key of ['given_name', 'usual_name', 'email', 'siret', 'uid', 'idp_id'] as const) {
      const value = text(info[key]) ?? text(idClaims[key]);
      if (value) claims[key] = value;
    }
    const amr = Array.isArray(idClaims.amr) ? idClaims.amr.map(String) : [];
    return {
      issuer: String(idClaims.iss),
      subject: idClaims.sub,
      claims,
      secondFactor: amr.some((m) => this.settings.secondFactorAmr.includes(m)),
      idToken: tokens.id_token!,
    };
  }

  /** The provider's end of session, for a person signing out (its session there ends too). */
  async logoutUrl(idToken?: string): Promise<string | undefined> {
    const client = await openid();
    const config = await this.config().catch(() => undefined);
    if (!config?.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: this.settings.postLogoutUri,
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).href;
  }
}
