import { randomUUID } from 'node:crypto';
import { registerBdc } from '../../client/intake';
import { reconcileLedger } from '../../client/reconciliation';
import { summaryReport } from '../../client/reports';
import { decideSolution } from '../../client/solutions';
import { bdcState } from '../../client/bdc-events';
import type { BdcRecord } from '../../domain/bdc-view';
import { parisCivilDate } from '../../domain/calendar';
import { RefusedError } from '../../domain/refusal';
import { bdcTable } from '../../db/record';
import { writeTransition } from '../../db/recorded';
import { bdcMessages } from '../../contract/bdc';
import { bdcRequest, validVa } from '../support/bdc-fixtures';
import { postgresBackend } from '../support/database';
import { harnessOperator, harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';

// Issue 11: the BDC's record in PostgreSQL — written with each money effect, ordered, outliving
// Temporal's retention — and the registry of solutions. On the dev server (real visibility) with the
// database on PostgreSQL.
const h = harnessPerFile({ server: 'dev', database: postgresBackend() });
const today = () => parisCivilDate(new Date());

test('a transition and its money effect are one transaction: a record that cannot be written leaves no payment', async () => {
  const { bdcId } = await h.register({ request: { solutionReferenced: false } });
  const view = await h.waitForStatus(bdcId, 'awaiting_referencement');
  const broken = { ...(view as BdcRecord), status: 'paid twice' as BdcRecord['status'], version: view.version + 1 };
  await expect(
    writeTransition(h.ledger.sql, bdcTable, {
      process: 'bdc',
      id: bdcId,
      bdcId,
      record: broken,
      audit: [],
      effects: [{ kind: 'paymentOrder', order: 'advance', amountCents: 175_200 }],
    }),
  ).rejects.toThrow(/bdcs_status_known/);
  expect(await h.money(bdcId)).toEqual({ orders: [], demands: [], receipts: [] });
  expect((await h.state(bdcId)).status).toBe('awaiting_referencement');
});

test('a late retry of an older transition changes nothing: the record keeps the newer state', async () => {
  const { bdcId } = await h.register({ request: { solutionReferenced: false } });
  const view = (await h.waitForStatus(bdcId, 'awaiting_referencement')) as BdcRecord;
  const at = new Date().toISOString();
  const newer = { ...view, version: 7, outcome: 'newer' };
  const older = { ...view, version: 6, outcome: 'older' };
  expect(
    await writeTransition(h.ledger.sql, bdcTable, {
      process: 'bdc',
      id: bdcId,
      bdcId,
      effects: [],
      record: newer,
      audit: [{ seq: 1, at, kind: 'test', what: 'newer', by: harnessOperator.actor }],
    }),
  ).toEqual({ recorded: true });
  expect(
    await writeTransition(h.ledger.sql, bdcTable, {
      process: 'bdc',
      id: bdcId,
      bdcId,
      effects: [],
      record: older,
      audit: [{ seq: 1, at, kind: 'test', what: 'older', by: harnessOperator.actor }],
    }),
  ).toEqual({ recorded: false });
  const after = await h.state(bdcId);
  expect([after.version, after.outcome, after.audit.map((a) => a.what)]).toEqual([
    7,
    'newer',
    [after.audit[0]!.what, 'newer'],
  ]);
});

test("past Temporal's retention the BDC is still read, reported, reconciled — and never registered twice", async () => {
  const { bdcId, request } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, new Date(Date.now() - 60_000).toISOString(), 584_000));
  await h.result(bdcId);
  // what the namespace's retention does to a closed workflow
  const { workflowService } = h.env.client;
  await workflowService.deleteWorkflowExecution({
    namespace: h.env.namespace ?? 'default',
    workflowExecution: { workflowId: bdcId },
  });
  // the deletion is carried out asynchronously
  await eventually(() =>
    h.env.client.workflow
      .getHandle(bdcId)
      .describe()
      .then(
        () => false,
        () => true,
      ),
  );

  const engine = await h.engine();
  const view = await bdcState(engine, harnessOperator, bdcId);
  expect(view).toMatchObject({ status: 'completed', amounts: { paidCents: 584_000 } });
  // registered, the advance proposed, validated, ordered, awaiting the VA; the VA, the balance proposed, validated, ordered, completed
  expect((view as { audit: unknown[] }).audit).toHaveLength(10);
  const line = (await summaryReport(engine)).find((l) => l.status === 'completed' && l.editeur === request.editeurId);
  expect(line).toMatchObject({ paidCents: expect.any(Number) });
  expect(line!.paidCents).toBeGreaterThanOrEqual(584_000);
  expect((await reconcileLedger(engine, { graceMs: 0 })).differences.filter((d) => d.bdcId === bdcId)).toEqual([]);
  const again = await h.intake(request).then(
    () => undefined,
    (e: RefusedError) => e.refusals[0],
  );
  expect(again).toMatchObject({ code: 'already_registered' });
});

test('BDCs registered while their solution is granted, in the same instant: every one proceeds, none missed', async () => {
  const engine = await h.engine();
  const solutionId = `sol-${randomUUID().slice(0, 8)}`;
  const requests = Array.from({ length: 20 }, () =>
    bdcRequest({ campaignId: 'test-ms1', orderDate: today(), solutionId, solutionReferenced: false }),
  );
  for (const r of requests) await h.seed(r, 3);
  // the first registration makes the solution known (pending); then the rest race the decision
  const first = await registerBdc(engine, harnessOperator, requests[0], randomUUID());
  const [registered] = await Promise.all([
    Promise.all(requests.slice(1).map((r) => registerBdc(engine, harnessOperator, r, randomUUID()))),
    decideSolution(engine, harnessOperator, solutionId, {
      eventId: randomUUID(),
      decision: 'granted',
      decidedOn: today(),
    }),
  ]);
  for (const { bdcId } of [first, ...registered]) {
    await h.waitForStatus(bdcId, 'awaiting_va');
    expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });
  }
});

test('a decision for a solution not yet known, sent three times at once: one decision, three answers alike', async () => {
  // found by the drill: the three inserted the solution together; two answered 500
  const solutionId = `sol-${randomUUID().slice(0, 8)}`;
  const body = { eventId: randomUUID(), decision: 'granted' as const, decidedOn: today() };
  const engine = await h.engine();
  // connections open and idle, as in a running engine: the three transactions begin together
  await Promise.all([0, 1, 2, 3].map(() => h.ledger.sql.query('SELECT pg_sleep(0.05)')));
  const answers = await Promise.all(
    [0, 1, 2].map(() => decideSolution(engine, harnessOperator, solutionId, body, 'editeur-acme')),
  );
  expect(answers.map((a) => [a.solution.state, a.solution.decisionEventId, a.batchId])).toEqual(
    Array(3).fill(['granted', answers[0]!.solution.decisionEventId, `referencement-${solutionId}-granted`]),
  );
});
