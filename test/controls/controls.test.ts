import { randomUUID } from 'node:crypto';
import {
  controlState,
  decideControl,
  drawControls,
  recordDocumentsReceived,
  recordRecoveryReceived,
  redraw,
  settleRecovery,
} from '../../client/controls';
import { reconcileLedger } from '../../client/reconciliation';
import { parisCivilDate, addCalendarDays } from '../../domain/calendar';
import { RefusedError } from '../../domain/refusal';
import { bdcMessages } from '../../contract/bdc';
import { validVa } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessOperator, harnessPerFile, iso } from '../support/harness';

// Issue 15: a posteriori controls — a reproducible draw of completed BDCs, a durable control of each,
// a failed control's recovery demanded, received, or written off once overdue; cents in the ledger.
const h = harnessPerFile();

const completed: string[] = [];
beforeAll(async () => {
  for (const editeurId of [
    'editeur-acme',
    'editeur-acme',
    'editeur-acme',
    'editeur-rival',
    'editeur-rival',
    'editeur-rival',
  ]) {
    const { bdcId, request } = await h.register({ request: { editeurId } });
    await h.waitForStatus(bdcId, 'awaiting_va');
    await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, iso(await h.now()), 584_000));
    await h.waitForStatus(bdcId, 'completed');
    completed.push(bdcId);
  }
  // completed a moment ago: the draws below are of BDCs ended before now
  await h.env.sleep(60_000);
}, 240_000);

const drawRequest = (seed: string) => ({
  eventId: randomUUID(),
  seed,
  rate: 0.34,
  assignedTo: 'controleur-1',
  documents: ['contrat OG', 'preuve de déploiement'],
  recoveryDueDays: 30,
});
/** The control in this status, once its workflow has recorded it (a control is recorded before its workflow opens it). */
const waitStatus = (controlId: string, status: string) =>
  eventually(
    async () => {
      const c = await controlState(ctx(), controlId);
      return c.status === status && c.version > 0 && c;
    },
    { what: `${controlId} ${status}` },
  );
/** Reconciliation of the record and the ledger (the time-skipping server lists no workflows: Temporal's side is not compared here). */
const ledgerDifferences = async () =>
  (await reconcileLedger(engine, { graceMs: 0 })).differences.filter(
    (d) => !['workflow_missing', 'workflow_unexpected', 'temporal_unavailable'].includes(d.kind),
  );
let engine: Awaited<ReturnType<typeof h.engine>>;
const ctx = () => engine;
beforeAll(async () => {
  engine = await h.engine();
});

test('a draw is recorded with its parameters and redrawn identically from its seed; each drawn BDC gets its control', async () => {
  const documentsDueOn = addCalendarDays(parisCivilDate(new Date(await h.now())), 15);
  const draw = await drawControls(engine, harnessOperator, { ...drawRequest('contrôle-T1'), documentsDueOn });
  // two strata (one per éditeur, one tranche, one campaign) of 3: a third of each, at least one
  expect(draw.population).toBe(completed.length);
  expect(draw.sample).toHaveLength(2);
  expect(new Set(draw.sample.map((s) => s.stratum)).size).toBe(2);
  expect(draw.params).toMatchObject({ rate: 0.34, strata: ['campaign', 'editeur', 'tranche'] });
  expect(await redraw(engine, draw.drawId)).toMatchObject({ samePopulation: true, sameSample: true });
  // the same request again answers the same draw
  const controls = await Promise.all(
    draw.sample.map((s) => waitStatus(`control:${draw.drawId}:${s.bdcId}`, 'documents_requested')),
  );
  expect(controls.map((c) => c.audit[0]!.kind)).toEqual(['control_opened', 'control_opened']);
});

test('a failed control demands back part of the sums paid; receipts settle it; the ledger and the record agree', async () => {
  const draw = await drawControls(engine, harnessOperator, {
    ...drawRequest('contrôle-T2'),
    documentsDueOn: addCalendarDays(parisCivilDate(new Date(await h.now())), 15),
  });
  const controlId = `control:${draw.drawId}:${draw.sample[0]!.bdcId}`;
  const bdcId = draw.sample[0]!.bdcId;
  await waitStatus(controlId, 'documents_requested');
  await recordDocumentsReceived(engine, harnessOperator, controlId, {
    eventId: randomUUID(),
    receivedOn: parisCivilDate(new Date(await h.now())),
  });
  // more than was paid is refused
  const tooMuch = await decideControl(engine, harnessOperator, controlId, {
    eventId: randomUUID(),
    outcome: 'failed',
    findings: 'DUI non déployé',
    reasons: ['2 ESSMS sans DUI'],
    recoveryCents: 600_000,
  }).catch((e: RefusedError) => e);
  expect((tooMuch as RefusedError).refusals).toMatchObject([{ code: 'recovery_too_large', path: 'recoveryCents' }]);
  const failed = await decideControl(engine, harnessOperator, controlId, {
    eventId: randomUUID(),
    outcome: 'failed',
    findings: 'un ESSMS sans DUI déployé',
    reasons: ['ESSMS sans DUI'],
    recoveryCents: 292_000,
  });
  // the recovery is proposed to the ordonnateurs (four eyes), then demanded
  expect(failed).toMatchObject({
    status: 'awaiting_validation',
    proposals: [{ kind: 'recovery', amountCents: 292_000 }],
  });
  expect(await waitStatus(controlId, 'recovery_due')).toMatchObject({
    recovery: { amountCents: 292_000, receivedCents: 0 },
  });
  const money = await h.ledger.entries(bdcId);
  expect(money.get(bdcId)!.demands.map((d) => [d.kind, d.amountCents, d.controlId])).toEqual([
    ['recovery', 292_000, controlId],
  ]);

  await recordRecoveryReceived(engine, harnessOperator, controlId, {
    eventId: randomUUID(),
    amountCents: 200_000,
    receivedOn: parisCivilDate(new Date(await h.now())),
  });
  await recordRecoveryReceived(engine, harnessOperator, controlId, {
    eventId: randomUUID(),
    amountCents: 92_000,
    receivedOn: parisCivilDate(new Date(await h.now())),
  });
  const settled = await waitStatus(controlId, 'recovered');
  expect(settled.recovery).toMatchObject({ amountCents: 292_000, receivedCents: 292_000 });
  expect((await h.ledger.entries(bdcId)).get(bdcId)!.receipts.map((r) => r.amountCents)).toEqual([200_000, 92_000]);
  await h.keepHistory(controlId, 'control-failed-recovered');
  // the other control of the draw passes
  const other = `control:${draw.drawId}:${draw.sample[1]!.bdcId}`;
  await waitStatus(other, 'documents_requested');
  expect(
    await decideControl(engine, harnessOperator, other, {
      eventId: randomUUID(),
      outcome: 'passed',
      findings: 'pièces conformes',
      reasons: [],
    }),
  ).toMatchObject({ status: 'passed' });
  expect(await ledgerDifferences()).toEqual([]);
});

test('documents late are flagged; a recovery overdue is flagged, then written off with a reason', async () => {
  const now = await h.now();
  const draw = await drawControls(engine, harnessOperator, {
    ...drawRequest('contrôle-T3'),
    documentsDueOn: addCalendarDays(parisCivilDate(new Date(now)), 5),
  });
  const controlId = `control:${draw.drawId}:${draw.sample[0]!.bdcId}`;
  const opened = await waitStatus(controlId, 'documents_requested');
  await h.sleepPast(opened.documents.dueAt);
  await eventually(async () => (await controlState(engine, controlId)).documents.overdue, {
    what: 'the documents flagged late',
  });
  await decideControl(engine, harnessOperator, controlId, {
    eventId: randomUUID(),
    outcome: 'failed',
    findings: 'aucune pièce transmise',
    reasons: ['pièces non transmises'],
    // all the éditeur holds of this BDC (less when an earlier control of the file recovered part of it)
    recoveryCents: opened.heldCents,
  });
  const due = await waitStatus(controlId, 'recovery_due');
  // a write-off before the due date is refused: only an overdue recovery is
  await expect(
    settleRecovery(engine, harnessOperator, controlId, { eventId: randomUUID(), decision: 'write_off', reason: 'x' }),
  ).rejects.toMatchObject({ refusals: [{ code: 'not_overdue' }] });
  await h.sleepPast(due.recovery!.dueAt);
  await eventually(async () => (await controlState(engine, controlId)).recovery?.overdue, {
    what: 'the recovery flagged overdue',
  });
  await settleRecovery(engine, harnessOperator, controlId, {
    eventId: randomUUID(),
    decision: 'escalate',
    reason: 'transmis à l’agent comptable',
  });
  await settleRecovery(engine, harnessOperator, controlId, {
    eventId: randomUUID(),
    decision: 'write_off',
    reason: 'éditeur en liquidation judiciaire',
  });
  const end = await waitStatus(controlId, 'written_off');
  expect(opened.heldCents).toBeGreaterThan(0);
  expect(end.recovery).toMatchObject({
    amountCents: opened.heldCents,
    receivedCents: 0,
    writtenOffCents: opened.heldCents,
    overdue: true,
  });
  const [w] = await h.ledger.sql.query<{ amount_cents: number; reason: string }>(
    'SELECT w.amount_cents, w.reason FROM demand_write_offs w JOIN reimbursement_demands d ON d.id = w.demand_id WHERE d.control_id = $1',
    [controlId],
  );
  expect([Number(w!.amount_cents), w!.reason]).toEqual([opened.heldCents, 'éditeur en liquidation judiciaire']);
  await h.keepHistory(controlId, 'control-late-recovery-written-off');
  expect(await ledgerDifferences()).toEqual([]);
});
