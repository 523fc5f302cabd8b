import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { reconcileLedger } from '../../client/reconciliation';
import { fileDossier } from '../../client/bdc-events';
import { registerBdc, startPendingWorkflows } from '../../client/intake';
import { parisCivilDate } from '../../domain/calendar';
import { bdcRequest } from '../support/bdc-fixtures';
import { harnessOperator, harnessPerFile } from '../support/harness';

// Issue 10, defect 7: registration is one transaction (record, claims, the workflow to start); a start
// that fails leaves a BDC the record holds whole, which reconciliation reports and the engine starts.
const h = harnessPerFile({ server: 'dev' });

test('a registration whose workflow cannot start is recorded whole, reconciled, then started', async () => {
  const engine = await h.engine();
  const unreachable = new Client({
    connection: h.env.connection,
    namespace: h.env.namespace,
    interceptors: { workflow: [{ start: () => Promise.reject(new Error('Temporal unreachable')) }] },
  });
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()) });
  await h.seed(request, 3);
  await h.grant(request.solutionId, request.editeurId);
  const registered = await registerBdc({ ...engine, client: unreachable }, harnessOperator, request, randomUUID());
  expect(registered).toMatchObject({ created: true, started: false });
  expect(await h.ledger.claimsOf(registered.bdcId)).toEqual([...request.essms].sort());
  // reconciliation reports the BDC the record holds and Temporal does not run (no grace for a start here)
  const mine = async () =>
    (await reconcileLedger(await h.engine(), { graceMs: 0 })).differences.filter((d) => d.bdcId === registered.bdcId);
  expect(await mine()).toEqual([
    {
      bdcId: registered.bdcId,
      kind: 'workflow_missing',
      what: 'the record says it runs; Temporal runs no workflow for it',
    },
  ]);
  expect(await startPendingWorkflows(await h.engine(), 0)).toBe(1);
  await h.waitForStatus(registered.bdcId, 'awaiting_va');
  expect(await h.money(registered.bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });
  expect(await mine()).toEqual([]);
});

// Found by the drill: the engine SIGKILLed between a registration's record and its workflow's start.
// The caller's retry and the BDC's next event must not wait for the sweeper, nor be told "no BDC".
async function recordedNotStarted(granted: boolean) {
  const engine = await h.engine();
  const unreachable = new Client({
    connection: h.env.connection,
    namespace: h.env.namespace,
    interceptors: { workflow: [{ start: () => Promise.reject(new Error('engine killed')) }] },
  });
  const request = bdcRequest({
    campaignId: 'test-ms1',
    orderDate: parisCivilDate(new Date()),
    solutionId: `solution-${randomUUID().slice(0, 8)}`,
  });
  await h.seed(request, 3);
  if (granted) await h.grant(request.solutionId, request.editeurId);
  const eventId = randomUUID();
  const registered = await registerBdc({ ...engine, client: unreachable }, harnessOperator, request, eventId);
  expect(registered).toMatchObject({ created: true, started: false });
  return { request, eventId, bdcId: registered.bdcId };
}

test('a registration repeated after its workflow failed to start starts it, and answers as the first', async () => {
  const { request, eventId, bdcId } = await recordedNotStarted(true);
  expect(await registerBdc(await h.engine(), harnessOperator, request, eventId)).toEqual({
    bdcId,
    created: false,
    started: true,
  });
  await h.waitForStatus(bdcId, 'awaiting_va');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });
});

test('an event for a BDC recorded but not yet started starts its workflow, then is delivered', async () => {
  const { bdcId } = await recordedNotStarted(false);
  const view = await fileDossier(await h.engine(), harnessOperator, bdcId, {
    eventId: randomUUID(),
    filedOn: parisCivilDate(new Date()),
  });
  expect(view).toMatchObject({
    status: 'awaiting_referencement',
    audit: [{ kind: 'registered' }, { kind: 'dossier_filed' }],
  });
});
