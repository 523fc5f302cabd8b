import type { Client } from '@temporalio/client';
import type { Actor } from '../domain/bdc-view';
import type { Campaign } from '../domain/campaign';
import { CampaignStore } from '../db/campaigns';
import { ConsoleSessions } from '../db/console-sessions';
import { TokenRevocations } from '../db/token-revocations';
import { FinessReference } from '../db/finess';
import { Ledger } from '../db/ledger';
import { BdcRecords } from '../db/record';
import { RecordQueries } from '../db/record-queries';
import { Solutions } from '../db/solutions';
import type { Sql } from '../db/sql';

/** What every engine service needs: Temporal, the database's repositories and the configured campaigns. */
export interface EngineContext {
  client: Client;
  sql: Sql;
  ledger: Ledger;
  finess: FinessReference;
  campaignStore: CampaignStore;
  records: BdcRecords;
  queries: RecordQueries;
  solutions: Solutions;
  sessions: ConsoleSessions;
  tokenRevocations: TokenRevocations;
  /** the campaigns as configured; those added at run time and the amendments come from the database */
  campaigns: Campaign[];
  taskQueue: string;
  /** the current instant (tests pass the test server's clock) */
  now?: () => Promise<number>;
}

export function engineContext(options: {
  client: Client;
  sql: Sql;
  campaigns: Campaign[];
  taskQueue: string;
  now?: () => Promise<number>;
}): EngineContext {
  const { sql } = options;
  return {
    ...options,
    ledger: new Ledger(sql),
    finess: new FinessReference(sql),
    campaignStore: new CampaignStore(sql),
    records: new BdcRecords(sql),
    queries: new RecordQueries(sql),
    solutions: new Solutions(sql),
    sessions: new ConsoleSessions(sql),
    tokenRevocations: new TokenRevocations(sql),
  };
}

/** Who asks: the actor the audit trail records and, for an éditeur, the only éditeur it may see. */
export interface Caller {
  actor: Actor;
  editeurId?: string;
  /** what scopes the caller's event ids (domain/ids.ts scopedEventId): no caller can use another's */
  scope: string;
}

export const nowOf = async (ctx: Pick<EngineContext, 'now'>): Promise<number> => (await ctx.now?.()) ?? Date.now();
