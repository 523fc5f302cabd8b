import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { reconcileLedger } from '../../client/reconciliation';
import { registerBdc, startPendingWorkflows } from '../../client/intake';
import { parisCivilDate } from '../../domain/calendar';
import { bdcRequest } from '../support/bdc-fixtures';
import { harnessOperator, harnessPerFile } from '../support/harness';

// Issue 10, defect 7: registration is one transaction (record, claims, the workflow to start); a start
// that fails leaves a BDC the record holds whole, which reconciliation reports and the engine starts.
const h = harnessPerFile({ server: 'dev' });

test('a registration whose workflow cannot start is recorded whole, reconciled, then started', async () => {
  const engine = await h.engine();
  const unreachable = new Client({ connection: h.env.connection, namespace: h.env.namespace, interceptors: { workflow: [{ start: () => Promise.reject(new Error('Temporal unreachable')) }] } });
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()) });
  await h.seed(request, 3);
  await h.grant(request.solutionId, request.editeurId);
  const registered = await registerBdc({ ...engine, client: unreachable }, harnessOperator, request, randomUUID());
  expect(registered).toMatchObject({ created: true, started: false });
  expect(await h.ledger.claimsOf(registered.bdcId)).toEqual([...request.essms].sort());
  // reconciliation reports the BDC the record holds and Temporal does not run (no grace for a start here)
  const mine = async () => (await reconcileLedger(await h.engine(), { graceMs: 0 })).differences.filter((d) => d.bdcId === registered.bdcId);
  expect(await mine()).toEqual([{ bdcId: registered.bdcId, kind: 'workflow_missing', what: 'the record says it runs; Temporal runs no workflow for it' }]);
  expect(await startPendingWorkflows(await h.engine(), 0)).toBe(1);
  await h.waitForStatus(registered.bdcId, 'awaiting_va');
  expect(await h.money(registered.bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });
  expect(await mine()).toEqual([]);
});

