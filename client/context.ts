import { People } from '../db/people';
import { MoneyQueries } from '../db/money';
import type { Client } from '@temporalio/client';
import type { Actor } from '../domain/bdc-view';
import type { Campaign } from '../domain/campaign';
import { CampaignStore } from '../db/campaigns';
import { ConsoleSessions } from '../db/console-sessions';
import { TokenRevocations } from '../db/token-revocations';
import { FinessReference } from '../db/finess';
import { Editeurs } from '../db/editeurs';
import { Payments } from '../db/payments';
import type { Debtor } from '../domain/sepa/debtor';
import { Ledger } from '../db/ledger';
import { BdcRecords } from '../db/record';
import { RecordQueries } from '../db/record-queries';
import { Solutions } from '../db/solutions';
import type { Sql } from '../db/sql';
import type { SecretBox } from '../notifications/secret-box';
import type { WebhookPolicy } from '../notifications/webhook-target';

/** What every engine service needs: Temporal, the database's repositories and the configured campaigns. */
export interface EngineContext {
  client: Client;
  sql: Sql;
  ledger: Ledger;
  finess: FinessReference;
  campaignStore: CampaignStore;
  records: BdcRecords;
  queries: RecordQueries;
  /** every euro shown, from the ledger's own rows (db/money.ts) */
  money: MoneyQueries;
  solutions: Solutions;
  sessions: ConsoleSessions;
  /** the people who sign in, and their roles */
  people: People;
  tokenRevocations: TokenRevocations;
  /** the campaigns as configured; those added at run time and the amendments come from the database */
  campaigns: Campaign[];
  taskQueue: string;
  /** the current instant (tests pass the test server's clock) */
  now?: () => Promise<number>;
  /** where webhooks may go, and the box their secrets are sealed in (absent: no webhook can be set) */
  webhooks?: Webhooks;
  /** the éditeurs enrolled and their bank details */
  editeurs: Editeurs;
  /** payment orders after their validation: runs, the bank's answers */
  payments: Payments;
  /** the ASP's account payment runs are paid from (ASP_DEBTOR_*; absent: the local default) */
  debtor?: Debtor;
}

export interface Webhooks {
  policy: WebhookPolicy;
  secrets: SecretBox;
}

export function engineContext(options: {
  client: Client;
  sql: Sql;
  campaigns: Campaign[];
  taskQueue: string;
  now?: () => Promise<number>;
  webhooks?: Webhooks;
  debtor?: Debtor;
}): EngineContext {
  const { sql } = options;
  return {
    ...options,
    ledger: new Ledger(sql),
    finess: new FinessReference(sql),
    campaignStore: new CampaignStore(sql),
    records: new BdcRecords(sql),
    queries: new RecordQueries(sql),
    money: new MoneyQueries(sql),
    solutions: new Solutions(sql),
    sessions: new ConsoleSessions(sql),
    people: new People(sql),
    tokenRevocations: new TokenRevocations(sql),
    editeurs: new Editeurs(sql),
    payments: new Payments(sql),
  };
}

/** Who asks: the actor the audit trail records and, for an éditeur, the only éditeur it may see. */
export interface Caller {
  actor: Actor;
  editeurId?: string;
  /** what scopes the caller's event ids (domain/ids.ts scopedEventId): no caller can use another's */
  scope: string;
  /** a person signed in without a second factor (false) takes no money action; absent: a service account */
  secondFactor?: boolean;
}

export const nowOf = async (ctx: Pick<EngineContext, 'now'>): Promise<number> => (await ctx.now?.()) ?? Date.now();
