import type { PayloadCodec } from '@temporalio/common';
import type { TokenRegistry } from '../api/auth';
import type { EngineContext } from '../client/context';

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
}
