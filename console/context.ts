import type { TokenRegistry } from '../api/auth';
import type { EngineContext } from '../client/context';

/** What the console's pages are given. */
export interface ConsoleDeps {
  engine: EngineContext;
  tokens: TokenRegistry;
  /** seals the session cookies (console/session.ts) */
  sessionKey: Buffer;
  secureCookies: boolean;
  /** the Temporal Web UI, for the link to a BDC's history */
  temporalUiUrl?: string;
  namespace: string;
}
