import type { PayloadCodec } from '@temporalio/common';
import type { TokenRegistry } from '../api/auth';
import type { EngineContext } from '../client/context';
import type { RelyingParty } from '../identity/relying-party';

/** What the console's pages are given. */
export interface ConsoleDeps {
  engine: EngineContext;
  tokens: TokenRegistry;
  /** seals the session cookies (console/session.ts) */
  sessionKey: Buffer;
  secureCookies: boolean;
  /** the Temporal Web UI: the link to a BDC's history, and the one origin its codec endpoint answers */
  temporalUiUrl?: string;
  /** the engine's payload codec: admins read histories in clear in the Web UI through it */
  payloadCodec?: PayloadCodec;
  namespace: string;
  /**
   * The OpenID Connect provider people sign in with (ProConnect, or the local one of `npm start`).
   * Configured, it is the only way into the console: a token no longer opens a session.
   */
  relyingParty?: RelyingParty;
}
