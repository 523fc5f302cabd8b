import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { UpdateDefinition } from '@temporalio/common';
import { registerBdc } from '../../client/intake';
import { sendBdcEvent } from '../../client/bdc-events';
import type { BdcRequest } from '../../domain/bdc';
import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import type { Campaign } from '../../domain/campaign';
import type { Ledger } from '../../db/ledger';
import { createBdcWorker } from '../../worker/create-worker';
import type { BdcView } from '../../workflows/bdc-view';
import { bdcMessages } from '../../workflows/messages';
import { bdcRequest, campaign, event } from './bdc-fixtures';
import { openLedger } from './database';
import { devServerEnvironment, timeSkippingEnvironment, workflowBundle } from './temporal';

/**
 * A vague-1 campaign moved around the test server's clock: the real vague-1 dates are long past, and
 * campaigns are data. Opening 30 days ago, order deadline in 30 days, closing in 90.
 */
export function campaignAround(nowMs: number, id = 'test-ms1', overrides: Partial<Campaign> = {}): Campaign {
  const today = parisCivilDate(new Date(nowMs));
  return campaign('vague1-ms1', { id, openingDate: addCalendarDays(today, -30), orderDeadline: addCalendarDays(today, 30), closingDate: addCalendarDays(today, 90), ...overrides });
}

export interface Harness {
  env: TestWorkflowEnvironment;
  ledger: Ledger;
  campaigns: Campaign[];
  /** registers a BDC through the real intake (ledger claims + workflow start) */
  register(overrides?: Partial<BdcRequest>, ogEssmsCount?: number): Promise<{ bdcId: string; request: BdcRequest }>;
  send<E extends { eventId: string }>(bdcId: string, update: UpdateDefinition<BdcView, [E]>, e: E): Promise<BdcView>;
  state(bdcId: string): Promise<BdcView>;
  result(bdcId: string): Promise<BdcView>;
  now(): Promise<number>;
  close(): Promise<void>;
}

/** A worker on a real Temporal server (time-skipping by default) with the real ledger on PGlite. */
export async function startHarness(server: 'time-skipping' | 'dev' = 'time-skipping'): Promise<Harness> {
  const env = await (server === 'dev' ? devServerEnvironment() : timeSkippingEnvironment());
  const ledger = await openLedger();
  const taskQueue = `bdc-${Math.random().toString(36).slice(2)}`;
  const worker: Worker = await createBdcWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, ledger, workflowBundle });
  const running = worker.run();
  const start = Date.now();
  const campaigns = [campaignAround(start)];
  const client = env.client;
  return {
    env,
    ledger,
    campaigns,
    async register(overrides = {}, ogEssmsCount) {
      const request = bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date(start)), ...overrides });
      const count = ogEssmsCount ?? request.essms.length + 1;
      const { workflowId } = await registerBdc({ client, ledger, taskQueue, campaigns, ogEssmsCount: async () => count }, request, event());
      return { bdcId: workflowId, request };
    },
    send: (bdcId, update, e) => sendBdcEvent(client, bdcId, update, e),
    state: (bdcId) => client.workflow.getHandle(bdcId).query(bdcMessages.state),
    result: (bdcId) => client.workflow.getHandle(bdcId).result(),
    now: async () => (await env.currentTimeMs()),
    async close() {
      worker.shutdown();
      await running;
      await ledger.sql.close();
      await env.teardown();
    },
  };
}
