import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import {
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bdcMessages, BDC_WORKFLOW_TYPE, type BdcLifecycleWorkflow } from '../../contract/bdc';
import { controlMessages, CONTROL_WORKFLOW_TYPE, type BdcControlWorkflow } from '../../contract/control';
import type { Effect, Transition } from '../../contract/effects';
import type { BdcRecord, BdcWorkflowInput, EventAnswer } from '../../domain/bdc-view';
import type { ControlRecord } from '../../domain/control-view';
import { REFUSED } from '../../domain/refusal';
import { temporalServer } from '../../scripts/local-engine';
import { bdcRequest, event, operator, validVa } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { workflowBundle } from '../support/workflow-bundle';

// The lifecycle's and the control's transitions with their activities mocked (reference-app-orders-go's
// style): no database, the transitions the workflow asks to record are kept in memory, and the ledger's
// refusals are played by a rule. The end-to-end tests (test/workflows/*.test.ts) run the same paths on
// the real record and ledger.

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `transitions-${randomUUID()}`;
const written: Transition[] = [];
/** the ledger's answer to a transition: a refusal, or nothing (written) */
let ledger: (t: Transition) => string | undefined = () => undefined;

beforeAll(async () => {
  env = await temporalServer('time-skipping');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: {
      async recordTransition(t: Transition) {
        if (held && holding(t)) {
          arrived(t);
          await held;
        }
        const refused = ledger(t);
        if (refused)
          throw ApplicationFailure.create({
            type: REFUSED,
            message: refused,
            details: [{ code: 'ledger_refused', message: refused, path: '' }],
            nonRetryable: true,
          });
        written.push(t);
        return { recorded: true };
      },
      async dueDate({ issuedAt, days }: { issuedAt: string; days: number }) {
        const dueAt = new Date(Date.parse(issuedAt) + days * 86_400_000).toISOString();
        return { dueAt, issuedDayStartsAt: issuedAt };
      },
    },
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});
afterEach(() => {
  ledger = () => undefined;
});
/** while set, every write waits for it: a transition's commit kept in flight */
let held: Promise<void> | undefined;
/** which writes are held, and who hears that one arrived */
let holding: (t: Transition) => boolean = () => true;
let arrived: (t: Transition) => void = () => undefined;

/**
 * Runs with the writes `which` picks (every one by default) held in flight until `release` (or the
 * end): events meet a commit not yet done. `writing` resolves when the first held write arrives.
 */
async function withWritesHeld(
  run: (release: () => void, writing: Promise<Transition>) => Promise<void>,
  which: (t: Transition) => boolean = () => true,
): Promise<void> {
  let release!: () => void;
  held = new Promise((r) => (release = r));
  holding = which;
  const writing = new Promise<Transition>((r) => (arrived = r));
  try {
    await run(release, writing);
  } finally {
    release();
    held = undefined;
    holding = () => true;
  }
}

const of = (id: string) => written.filter((t) => t.id === id);
const money = (id: string) =>
  of(id).flatMap((t) =>
    t.effects.flatMap((e: Effect) => ('amountCents' in e ? [[e.kind, e.amountCents] as [string, number]] : [])),
  );
const statuses = (id: string) => of(id).map((t) => (t.record as { status: string }).status);
const refusalCode = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) =>
      e instanceof WorkflowUpdateFailedError
        ? ((e.cause as ApplicationFailure).details?.[0] as { code: string }).code
        : String(e),
  );

async function startBdc(
  referencement: 'granted' | 'pending' = 'granted',
  fourEyesThresholdCents?: number,
): Promise<{ handle: WorkflowHandle<BdcLifecycleWorkflow>; input: BdcWorkflowInput }> {
  const now = await env.currentTimeMs();
  const day = 86_400_000;
  const request = bdcRequest();
  const input: BdcWorkflowInput = {
    bdcId: `bdc:${request.editeurId}:${request.reference}`,
    request,
    campaign: {
      id: 'test',
      couloir: 'MS1',
      tranche: 'B',
      ogEssmsCount: 3,
      finessExtraction: 'test',
      advanceRateBasisPoints: 3000,
      referencementDelayDays: 120,
      reimbursementDueDays: 30,
      ...(fourEyesThresholdCents ? { fourEyesThresholdCents } : {}),
    },
    ceilingCents: 584_000,
    referencement,
    deadlines: {
      ...(referencement === 'pending' ? { dossier: new Date(now + 120 * day).toISOString() } : {}),
      orderDeadline: new Date(now + 10 * day).toISOString(),
      closing: new Date(now + 60 * day).toISOString(),
    },
    orderDayStartsAt: new Date(now - day).toISOString(),
    registeredBy: { eventId: randomUUID(), actor: operator },
    registeredAt: new Date(now).toISOString(),
  };
  const handle = await env.client.workflow.start<BdcLifecycleWorkflow>(BDC_WORKFLOW_TYPE, {
    workflowId: input.bdcId,
    taskQueue,
    args: [input],
  });
  return { handle, input };
}

const state = (handle: WorkflowHandle) => handle.query(bdcMessages.state) as Promise<BdcRecord>;
const reaches = (handle: WorkflowHandle, status: string) =>
  eventually(async () => (await state(handle)).status === status, { what: `status ${status}` });
const ordonnateur = (n: number) => ({
  eventId: randomUUID(),
  actor: { role: 'ordonnateur' as const, id: `ordonnateur-${n}` },
});
/** An ordonnateur validates the BDC's pending proposal (once it is there). */
async function validate(handle: WorkflowHandle, n = 1) {
  const pending = await eventually(async () => (await state(handle)).proposals?.find((p) => p.state === 'proposed'), {
    what: 'a proposal',
  });
  return handle.executeUpdate(bdcMessages.proposalValidated, { args: [{ ...ordonnateur(n), proposalId: pending.id }] });
}

test('référencée at registration: the advance proposed, validated, ordered; a valid VA, the balance proposed, validated, ordered, completed', async () => {
  const { handle, input } = await startBdc();
  await reaches(handle, 'awaiting_validation');
  expect(money(input.bdcId)).toEqual([]);
  await validate(handle);
  await reaches(handle, 'awaiting_va');
  const va = validVa(input.request, new Date((await env.currentTimeMs()) - 1_000).toISOString(), 584_000);
  await handle.executeUpdate(bdcMessages.vaSubmitted, { args: [va] });
  await validate(handle);
  await reaches(handle, 'completed');
  expect(money(input.bdcId)).toEqual([
    ['paymentOrder', 175_200],
    ['paymentOrder', 408_800],
  ]);
  expect(of(input.bdcId).flatMap((t) => t.audit.map((a) => [a.seq, a.kind, a.by.id]))).toEqual([
    [1, 'proposed', 'sons-engine'],
    [2, 'validated', 'ordonnateur-1'],
    [3, 'advance_ordered', 'sons-engine'],
    [4, 'awaiting_va', 'sons-engine'],
    [5, 'va_accepted', 'editeur-acme'],
    [6, 'proposed', 'sons-engine'],
    [7, 'validated', 'ordonnateur-1'],
    [8, 'balance_ordered', 'sons-engine'],
    [9, 'completed', 'sons-engine'],
  ]);
});

test('the ledger refuses the advance at its validation: nothing is paid, the ordonnateur is told why; validated again, it is ordered', async () => {
  let refusals = 0;
  ledger = (t) =>
    t.effects.some((e) => e.kind === 'paymentOrder') && refusals++ === 0 ? 'no bank details' : undefined;
  const { handle, input } = await startBdc();
  await reaches(handle, 'awaiting_validation');
  expect(await refusalCode(validate(handle))).toBe('ledger_refused');
  expect(money(input.bdcId)).toEqual([]);
  expect((await state(handle)).proposals).toMatchObject([{ state: 'proposed', validations: [] }]);
  await validate(handle);
  await reaches(handle, 'awaiting_va');
  expect(money(input.bdcId)).toEqual([['paymentOrder', 175_200]]);
});

test('four eyes: not the one who caused it, only an ordonnateur; a rejection makes the BDC need attention, an operator cancels, nothing is paid', async () => {
  const { handle, input } = await startBdc();
  const pending = await eventually(async () => (await state(handle)).proposals?.[0], { what: 'the advance proposed' });
  const decide = (actor: { role: 'ordonnateur' | 'operator'; id: string }) =>
    refusalCode(
      handle.executeUpdate(bdcMessages.proposalValidated, {
        args: [{ eventId: randomUUID(), actor, proposalId: pending.id }],
      }),
    );
  // the operator who registered a BDC already référencé made its advance due: not them, even as an ordonnateur
  expect(await decide({ role: 'ordonnateur', id: input.registeredBy.actor.id })).toBe('caused_it');
  expect(await decide({ role: 'operator', id: 'someone' })).toBe('not_ordonnateur');
  await handle.executeUpdate(bdcMessages.proposalRejected, {
    args: [{ ...ordonnateur(1), proposalId: pending.id, reason: 'RIB manquant' }],
  });
  await reaches(handle, 'needs_attention');
  expect((await state(handle)).attention).toMatchObject({
    reason: 'the ordonnateur rejected the advance: RIB manquant',
  });
  await handle.executeUpdate(bdcMessages.attentionResolved, {
    args: [{ ...event(), decision: 'cancel', reason: 'OG dissoute' }],
  });
  await reaches(handle, 'cancelled');
  expect(money(input.bdcId)).toEqual([]);
  expect(of(input.bdcId).at(-1)!.effects).toEqual([{ kind: 'releaseClaims' }]);
});

test('above the campaign threshold two different ordonnateurs validate; the same one twice is refused', async () => {
  const { handle, input } = await startBdc('granted', 100_000);
  await reaches(handle, 'awaiting_validation');
  expect((await state(handle)).proposals![0]!.validationsNeeded).toBe(2);
  await validate(handle, 1);
  expect(await refusalCode(validate(handle, 1))).toBe('already_validated');
  expect(money(input.bdcId)).toEqual([]);
  await validate(handle, 2);
  await reaches(handle, 'awaiting_va');
  expect(money(input.bdcId)).toEqual([['paymentOrder', 175_200]]);
});

test('two ordonnateurs validating one advance together: the first writes the money, the second is refused, one audit line', async () => {
  const { handle, input } = await startBdc();
  await reaches(handle, 'awaiting_validation');
  const pending = (await state(handle)).proposals!.find((p) => p.state === 'proposed')!;
  await withWritesHeld(async (release) => {
    // the first validation is accepted; its commit, which writes the order, is still in flight
    const first = await handle.startUpdate(bdcMessages.proposalValidated, {
      args: [{ ...ordonnateur(1), proposalId: pending.id }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    // a second person's validation of the same proposal meanwhile: judged when its turn to be written comes
    const second = await handle.startUpdate(bdcMessages.proposalValidated, {
      args: [{ ...ordonnateur(2), proposalId: pending.id }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    // its answer once the first is written: the proposal is validated, the money written once
    release();
    expect(await refusalCode(second.result())).toBe('wrong_state');
    await first.result();
  });
  await reaches(handle, 'awaiting_va');
  expect(money(input.bdcId)).toEqual([['paymentOrder', 175_200]]);
  const audit = of(input.bdcId).flatMap((t) => t.audit.map((a) => a.kind));
  expect(audit.filter((k) => k === 'validated')).toHaveLength(1);
  expect(audit.filter((k) => k === 'advance_ordered')).toHaveLength(1);
  expect((await state(handle)).proposals![0]!.validations.map((v) => v.by.id)).toEqual(['ordonnateur-1']);
});

test('a rejection arriving while a validation writes the advance is refused once it is written: the money stands, once', async () => {
  const { handle, input } = await startBdc();
  await reaches(handle, 'awaiting_validation');
  const pending = (await state(handle)).proposals!.find((p) => p.state === 'proposed')!;
  await withWritesHeld(async (release) => {
    const validation = await handle.startUpdate(bdcMessages.proposalValidated, {
      args: [{ ...ordonnateur(1), proposalId: pending.id }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    const rejection = await handle.startUpdate(bdcMessages.proposalRejected, {
      args: [{ ...ordonnateur(2), proposalId: pending.id, reason: 'montant contesté' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    release();
    await validation.result();
    expect(await refusalCode(rejection.result())).toBe('wrong_state');
  });
  await reaches(handle, 'awaiting_va');
  expect(money(input.bdcId)).toEqual([['paymentOrder', 175_200]]);
  const proposal = (await state(handle)).proposals![0]!;
  expect(proposal.state).toBe('validated');
  expect(proposal.rejection).toBeUndefined();
  expect(of(input.bdcId).flatMap((t) => t.audit.map((a) => a.kind))).not.toContain('rejected');
});

test('a cancellation arriving while a refusal of référencement ends the BDC is refused once the end is written, and the workflow ends', async () => {
  const { handle, input } = await startBdc('pending');
  await reaches(handle, 'awaiting_referencement');
  const rejected = (t: Transition) => (t.record as { status: string }).status === 'rejected';
  await withWritesHeld(async (release, writing) => {
    await handle.executeUpdate(bdcMessages.referencementDecided, {
      args: [
        { ...event(), decision: 'refused', decidedAt: new Date((await env.currentTimeMs()) - 1_000).toISOString() },
      ],
    });
    // the BDC's end is being written: the record still says « awaiting_referencement »
    await writing;
    const cancellation = await handle.startUpdate(bdcMessages.cancellationRequested, {
      args: [{ ...event(), reason: 'OG dissoute' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    release();
    // before the fix it was never answered, and the workflow never ended
    expect(await refusalCode(cancellation.result())).toBe('wrong_state');
  }, rejected);
  expect((await handle.result()).status).toBe('rejected');
  expect(statuses(input.bdcId).at(-1)).toBe('rejected');
  expect((await state(handle)).cancellation).toBeUndefined();
  expect(of(input.bdcId).flatMap((t) => t.audit.map((a) => a.kind))).not.toContain('cancellation_requested');
  // nothing paid, nothing demanded: the ESSMS freed
  expect(money(input.bdcId)).toEqual([]);
  expect(of(input.bdcId).at(-1)!.effects).toEqual([{ kind: 'releaseClaims' }]);
});

test("a workflow cancellation through Temporal arriving while the BDC's end is written does not keep the workflow open", async () => {
  const { handle, input } = await startBdc('pending');
  await reaches(handle, 'awaiting_referencement');
  await withWritesHeld(
    async (release, writing) => {
      await handle.executeUpdate(bdcMessages.referencementDecided, {
        args: [
          { ...event(), decision: 'refused', decidedAt: new Date((await env.currentTimeMs()) - 1_000).toISOString() },
        ],
      });
      await writing;
      await handle.cancel();
      release();
    },
    (t) => (t.record as { status: string }).status === 'rejected',
  );
  expect((await handle.result()).status).toBe('rejected');
  expect(money(input.bdcId)).toEqual([]);
});

test('a cancellation accepted while a rejection of the advance is written ends the BDC once an operator cancels: recorded and answered, never lost', async () => {
  const { handle, input } = await startBdc();
  await reaches(handle, 'awaiting_validation');
  const pending = (await state(handle)).proposals!.find((p) => p.state === 'proposed')!;
  let cancellation!: WorkflowUpdateHandle<EventAnswer>;
  await withWritesHeld(async (release) => {
    const rejection = await handle.startUpdate(bdcMessages.proposalRejected, {
      args: [{ ...ordonnateur(1), proposalId: pending.id, reason: 'RIB manquant' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    cancellation = await handle.startUpdate(bdcMessages.cancellationRequested, {
      args: [{ ...event(), reason: 'OG dissoute' }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    release();
    await rejection.result();
  });
  await reaches(handle, 'needs_attention');
  // the operator's cancellation of the refused step (before the fix it took the place of the one handed
  // over, which was then never answered, and the workflow never ended)
  await handle.executeUpdate(bdcMessages.attentionResolved, {
    args: [{ ...event(), decision: 'cancel', reason: 'OG dissoute' }],
  });
  expect(await cancellation.result()).toMatchObject({ status: 'cancelled' });
  expect((await handle.result()).status).toBe('cancelled');
  expect((await state(handle)).cancellation).toMatchObject({ reason: 'OG dissoute', by: operator });
  expect(money(input.bdcId)).toEqual([]);
});

test('an advance awaiting its validation is withdrawn by a cancellation: nothing is paid, the BDC ends unpaid', async () => {
  const { handle, input } = await startBdc();
  await reaches(handle, 'awaiting_validation');
  await handle.executeUpdate(bdcMessages.cancellationRequested, { args: [{ ...event(), reason: 'OG dissoute' }] });
  await reaches(handle, 'cancelled');
  expect((await state(handle)).proposals).toMatchObject([
    { kind: 'advance', state: 'withdrawn', withdrawn: 'cancellation' },
  ]);
  expect(money(input.bdcId)).toEqual([]);
});

test('a VA sent while the advance awaits its validation is recorded at once; the closing then passing withdraws nothing, both payments follow their validations', async () => {
  const { handle, input } = await startBdc();
  await reaches(handle, 'awaiting_validation');
  const va = validVa(input.request, new Date((await env.currentTimeMs()) - 1_000).toISOString(), 584_000);
  // answered without any ordonnateur (an éditeur's request must not wait on their agenda: before the
  // fix it was never answered, and the test ran out of time here)
  expect(await handle.executeUpdate(bdcMessages.vaSubmitted, { args: [va] })).toMatchObject({
    status: 'awaiting_validation',
  });
  const recorded = await state(handle);
  expect(recorded.va).toMatchObject({ invoiceCents: 584_000 });
  expect(recorded.deadlines.find((d) => d.name === 'closing')?.state).toBe('met');
  // the closing passes while the ordonnateurs have not validated the advance: the work was proven in time
  await env.sleep(61 * 86_400_000);
  expect((await state(handle)).proposals).toMatchObject([{ kind: 'advance', state: 'proposed' }]);
  await validate(handle);
  await reaches(handle, 'awaiting_validation');
  await eventually(async () => (await state(handle)).proposals?.some((p) => p.kind === 'balance'), {
    what: 'the balance proposed',
  });
  await validate(handle);
  await reaches(handle, 'completed');
  expect(money(input.bdcId)).toEqual([
    ['paymentOrder', 175_200],
    ['paymentOrder', 408_800],
  ]);
  expect(of(input.bdcId).flatMap((t) => t.audit.map((a) => a.kind))).toEqual([
    'proposed',
    'va_accepted',
    'validated',
    'advance_ordered',
    'proposed',
    'validated',
    'balance_ordered',
    'completed',
  ]);
});

test('a duplicate sent while its first is being recorded gets the same answer, even a refusal', async () => {
  const { handle, input } = await startBdc('pending');
  await reaches(handle, 'awaiting_referencement');
  ledger = (t) => (t.audit.some((a) => a.kind === 'dossier_filed') ? 'record locked' : undefined);
  const filed = { ...event(), filedAt: new Date((await env.currentTimeMs()) - 1_000).toISOString() };
  const send = () => refusalCode(handle.executeUpdate(bdcMessages.referencementDossierFiled, { args: [filed] }));
  expect(await Promise.all([send(), send()])).toEqual(['ledger_refused', 'ledger_refused']);
  // nothing of it was kept: the same event, sent again once the record takes it, is recorded once
  ledger = () => undefined;
  expect(await Promise.all([send(), send()])).toEqual(['accepted', 'accepted']);
  expect(of(input.bdcId).filter((t) => t.audit.some((a) => a.kind === 'dossier_filed'))).toHaveLength(1);
});

test('a control whose opening is refused needs attention; it is never cancelled, and tried again it opens', async () => {
  let refusals = 0;
  ledger = (t) => (t.process === 'control' && refusals++ === 0 ? 'outbox unavailable' : undefined);
  const controlId = `control:${randomUUID()}`;
  const now = await env.currentTimeMs();
  const handle = await env.client.workflow.start<BdcControlWorkflow>(CONTROL_WORKFLOW_TYPE, {
    workflowId: controlId,
    taskQueue,
    args: [
      {
        controlId,
        drawId: 'draw-1',
        bdcId: 'bdc:editeur-acme:BDC-1',
        editeurId: 'editeur-acme',
        paidCents: 584_000,
        heldCents: 584_000,
        assignedTo: 'controleur-1',
        documents: ['contrat'],
        documentsDueAt: new Date(now + 60 * 86_400_000).toISOString(),
        recoveryDueDays: 30,
        openedBy: { eventId: randomUUID(), actor: operator },
      },
    ],
  });
  const control = () => handle.query(controlMessages.state) as Promise<ControlRecord>;
  await eventually(async () => (await control()).status === 'needs_attention', { what: 'the control needs attention' });
  const cancel = { ...event(), decision: 'cancel' as const, reason: 'abandon' };
  expect(await refusalCode(handle.executeUpdate(controlMessages.attentionResolved, { args: [cancel] }))).toBe(
    'not_cancellable',
  );
  await handle.executeUpdate(controlMessages.attentionResolved, {
    args: [{ ...event(), decision: 'retry', reason: 'rétabli' }],
  });
  await eventually(async () => (await control()).status === 'documents_requested', { what: 'the control opened' });
  expect(statuses(controlId)).toEqual(['needs_attention', 'documents_requested', 'documents_requested']);
  expect(
    of(controlId)
      .at(-1)!
      .effects.map((e) => e.kind),
  ).toEqual(['notify']);
  expect(of(controlId).flatMap((t) => t.audit.map((a) => a.kind))).toEqual([
    'control_opened',
    'needs_attention',
    'attention_resolved',
  ]);
});
