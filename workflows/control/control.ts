import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { ControlActivities } from '../../activities/controls';
import type { Actor, AuditEntry } from '../../domain/bdc-view';
import { controlEventForm } from '../../domain/control-events';
import {
  controlEndStatuses,
  recoveryOutstanding,
  type ControlAnswer,
  type ControlDecision,
  type ControlInput,
  type ControlRecord,
  type RecoveryReceipt,
  type RecoverySettlement,
} from '../../domain/control-view';
import { eventHash } from '../../domain/event-hash';
import { say, type Said } from '../../domain/messages';
import { refusalOf, type Refusal } from '../../domain/refusal';
import type { ControlEffect } from '../../db/controls';
import { controlMessages } from './messages';

const acts = proxyActivities<ControlActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: ['Refused'],
  },
});
const local = proxyLocalActivities<ControlActivities>({ startToCloseTimeout: '5 seconds' });

const SYSTEM: Actor = { role: 'system', id: 'sons-engine' };
type Line = { kind: string; said: Said; by?: Actor; eventId?: string };
type Key = { eventId: string; kind: string; hash: string };

const reject = (refusals: Refusal[]): never => {
  throw ApplicationFailure.create({
    type: 'Refused',
    message: refusals.map((r) => r.message).join('; '),
    details: refusals,
    nonRetryable: true,
  });
};

/**
 * One a posteriori control of a completed BDC: documents asked of the éditeur by a due date (flagged
 * when late), findings and a decision; a failed control demands back all or part of the sums paid,
 * tracked to receipt, flagged overdue, escalated or written off — never dropped. State lives in one
 * place, committed to the record with its money effect at every transition.
 */
export class BdcControl {
  private record: ControlRecord;
  private readonly events: Record<string, { kind: string; hash: string }>;
  private auditSeq: number;
  private tail: Promise<unknown> = Promise.resolve();
  /** events being recorded, by id: their duplicates wait for them */
  private readonly inFlight = new Map<string, { key: Key; done: Promise<void> }>();

  constructor(private readonly input: ControlInput) {
    this.record = input.resume?.record ?? {
      controlId: input.controlId,
      drawId: input.drawId,
      bdcId: input.bdcId,
      editeurId: input.editeurId,
      status: 'documents_requested',
      assignedTo: input.assignedTo,
      paidCents: input.paidCents,
      documents: { requested: input.documents, dueAt: input.documentsDueAt, overdue: false },
      version: 0,
    };
    this.events = input.resume?.events ?? {};
    this.auditSeq = input.resume?.auditSeq ?? 0;
  }

  async run(): Promise<ControlRecord> {
    this.setHandlers();
    await CancellationScope.nonCancellable(async () => {
      if (this.record.version === 0) await this.open();
      while (!controlEndStatuses.includes(this.record.status)) {
        if (workflowInfo().continueAsNewSuggested && allHandlersFinished()) {
          await condition(allHandlersFinished);
          await continueAsNew<(i: ControlInput) => Promise<ControlRecord>>({
            ...this.input,
            resume: { record: this.record, events: this.events, auditSeq: this.auditSeq },
          });
        }
        if (this.record.status === 'recovery_due') await this.awaitRecovery();
        else await this.awaitDecision();
      }
      await condition(allHandlersFinished);
    });
    return this.record;
  }

  private now = () => new Date(Date.now()).toISOString();

  private async open(): Promise<void> {
    const { documents, assignedTo } = this.record;
    await this.commit(
      (r) => void r,
      [
        {
          kind: 'control_opened',
          said: say('audit_control_opened', {
            drawId: this.input.drawId,
            documents: documents.requested.join(', '),
            dueAt: documents.dueAt,
            assignedTo,
          }),
          by: this.input.openedBy.actor,
          eventId: this.input.openedBy.eventId,
        },
      ],
      [
        {
          kind: 'notify',
          notification: {
            key: `control-opened:${this.record.controlId}`,
            template: 'control_opened',
            to: { party: 'editeur', id: this.record.editeurId },
            params: {
              bdcId: this.record.bdcId,
              drawId: this.input.drawId,
              documents: documents.requested.join(', '),
              dueAt: documents.dueAt,
            },
          },
        },
      ],
    );
  }

  /** Waits for the decision; the documents' due date passing flags them late (the control goes on). */
  private async awaitDecision(): Promise<void> {
    const status = this.record.status;
    const { documents } = this.record;
    const watching = !documents.receivedAt && !documents.overdue;
    const remaining = Date.parse(documents.dueAt) + 1 - Date.now();
    if (watching && remaining <= 0) {
      await this.commit(
        (r) => void (r.documents.overdue = true),
        [{ kind: 'documents_overdue', said: say('audit_documents_overdue') }],
      );
      return;
    }
    const changed = () => this.record.status !== status || this.record.documents.receivedAt !== documents.receivedAt;
    if (watching) await condition(changed, remaining);
    else await condition(changed);
  }

  /** Waits for the recovery to be settled; its due date passing flags it overdue (never dropped). */
  private async awaitRecovery(): Promise<void> {
    const recovery = this.record.recovery!;
    if (recoveryOutstanding(this.record) <= 0) {
      const writtenOff = recovery.writtenOffCents > 0;
      await this.commit(
        (r) => void (r.status = writtenOff ? 'written_off' : 'recovered'),
        [
          {
            kind: writtenOff ? 'recovery_written_off' : 'recovered',
            said: writtenOff
              ? say('audit_written_off', {
                  amountCents: recovery.writtenOffCents,
                  reason: recovery.escalated?.reason ?? '',
                })
              : say('audit_recovered', { amountCents: recovery.receivedCents }),
          },
        ],
      );
      return;
    }
    const remaining = Date.parse(recovery.dueAt) + 1 - Date.now();
    if (!recovery.overdue && remaining <= 0) {
      await this.commit(
        (r) => void (r.recovery!.overdue = true),
        [{ kind: 'recovery_overdue', said: say('audit_recovery_overdue') }],
      );
      return;
    }
    const version = this.record.version;
    if (recovery.overdue) await condition(() => this.record.version !== version);
    else await condition(() => this.record.version !== version, remaining);
  }

  // ——— commits: one at a time, each from the state the previous left ———

  private commit(
    change: (r: ControlRecord) => void,
    lines: Line[],
    effects: ControlEffect[] = [],
    events: Key[] = [],
  ): Promise<void> {
    const run = this.tail.then(async () => {
      const candidate = JSON.parse(JSON.stringify(this.record)) as ControlRecord;
      candidate.version += 1;
      change(candidate);
      const at = this.now();
      const audit: AuditEntry[] = lines.map((l, i) => ({
        seq: this.auditSeq + i,
        at,
        kind: l.kind,
        what: l.said.message,
        key: l.said.key,
        ...(l.said.params ? { params: l.said.params } : {}),
        by: l.by ?? SYSTEM,
        ...(l.eventId ? { eventId: l.eventId } : {}),
      }));
      await acts.commitControl({ controlId: this.record.controlId, record: candidate, audit, effects });
      this.record = candidate;
      this.auditSeq += audit.length;
      for (const k of events) this.events[k.eventId] = { kind: k.kind, hash: k.hash };
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private answer(eventId: string, kind: string): ControlAnswer {
    return {
      controlId: this.record.controlId,
      eventId,
      kind,
      hash: this.events[eventId]!.hash,
      status: this.record.status,
      version: this.record.version,
    };
  }

  // ——— handlers: validate, record with the consequence, answer ———

  private setHandlers(): void {
    setHandler(controlMessages.state, () => this.record);
    const wrongState = () => [
      refusalOf(
        'wrong_state',
        say('control_wrong_state', { status: this.record.status }),
        'status',
        this.record.status,
      ),
    ];

    this.on(
      controlMessages.documentsReceived,
      controlEventForm.documentsReceived,
      () => (this.record.status !== 'documents_requested' ? wrongState() : []),
      (e, key) =>
        this.commit(
          (r) => {
            r.documents.receivedAt = e.receivedAt;
            r.status = 'under_review';
          },
          [
            {
              kind: 'documents_received',
              said: say('audit_documents_received', { receivedAt: e.receivedAt }),
              by: e.actor,
              eventId: e.eventId,
            },
          ],
          [],
          [key],
        ),
    );

    this.on(
      controlMessages.controlDecided,
      controlEventForm.controlDecided,
      (e) => this.decisionRefusals(e),
      async (e, key) => {
        const decision = { outcome: e.outcome, findings: e.findings, reasons: e.reasons, by: e.actor, at: this.now() };
        if (e.outcome === 'passed') {
          return this.commit(
            (r) => {
              r.decision = decision;
              r.status = 'passed';
            },
            [
              {
                kind: 'control_passed',
                said: say('audit_control_passed', { findings: e.findings }),
                by: e.actor,
                eventId: e.eventId,
              },
            ],
            [],
            [key],
          );
        }
        const issuedAt = this.now();
        const { dueAt, issuedDayStartsAt } = await local.recoveryDueDate({
          issuedAt,
          days: this.input.recoveryDueDays,
        });
        const amountCents = e.recoveryCents!;
        const reason = `control ${this.record.controlId}: ${e.reasons.join('; ')}`;
        return this.commit(
          (r) => {
            r.decision = decision;
            r.recovery = {
              amountCents,
              reason,
              dueAt,
              issuedAt,
              issuedDayStartsAt,
              receivedCents: 0,
              writtenOffCents: 0,
              overdue: false,
            };
            r.status = 'recovery_due';
          },
          [
            {
              kind: 'control_failed',
              said: say('audit_control_failed', { findings: e.findings, reasons: e.reasons.join('; ') }),
              by: e.actor,
              eventId: e.eventId,
            },
            { kind: 'recovery_demanded', said: say('audit_recovery_demanded', { amountCents, dueAt }) },
          ],
          [
            { kind: 'recoveryDemand', amountCents, reason, dueAt },
            {
              kind: 'notify',
              notification: {
                key: `recovery:${this.record.controlId}`,
                template: 'recovery_demanded',
                to: { party: 'editeur', id: this.record.editeurId },
                params: { bdcId: this.record.bdcId, amountCents, dueAt, reasons: e.reasons.join('; ') },
              },
            },
          ],
          [key],
        );
      },
    );

    this.on(
      controlMessages.recoveryReceived,
      controlEventForm.recoveryReceived,
      (e) => this.receiptRefusals(e),
      (e, key) =>
        this.commit(
          (r) => void (r.recovery!.receivedCents += e.amountCents),
          [
            {
              kind: 'recovery_received',
              said: say('audit_recovery_received', { amountCents: e.amountCents, receivedAt: e.receivedAt }),
              by: e.actor,
              eventId: e.eventId,
            },
          ],
          [{ kind: 'recoveryReceipt', eventId: e.eventId, amountCents: e.amountCents, receivedAt: e.receivedAt }],
          [key],
        ),
    );

    this.on(
      controlMessages.recoverySettled,
      controlEventForm.recoverySettled,
      (e) => this.settlementRefusals(e),
      (e, key) => {
        if (e.decision === 'escalate')
          return this.commit(
            (r) => void (r.recovery!.escalated = { reason: e.reason, by: e.actor, at: this.now() }),
            [
              {
                kind: 'recovery_escalated',
                said: say('audit_escalated', { reason: e.reason }),
                by: e.actor,
                eventId: e.eventId,
              },
            ],
            [],
            [key],
          );
        const amountCents = recoveryOutstanding(this.record);
        return this.commit(
          (r) => {
            r.recovery!.writtenOffCents += amountCents;
            r.recovery!.escalated ??= { reason: e.reason, by: e.actor, at: this.now() };
          },
          [
            {
              kind: 'recovery_written_off',
              said: say('audit_written_off', { amountCents, reason: e.reason }),
              by: e.actor,
              eventId: e.eventId,
            },
          ],
          [{ kind: 'recoveryWriteOff', amountCents, reason: e.reason }],
          [key],
        );
      },
    );
  }

  /** An update: form, duplicate (same id and content answers as the first did) or reused id, business rules; then recorded. */
  private on<E extends { eventId: string; actor: Actor }>(
    definition: UpdateDefinition<ControlAnswer, [E]>,
    form: (raw: unknown) => Refusal[],
    rules: (e: E) => Refusal[],
    accept: (e: E, key: Key) => Promise<void>,
  ): void {
    const kind = definition.name;
    setHandler(
      definition,
      (e) =>
        CancellationScope.nonCancellable(async () => {
          // a duplicate sent while its first is being recorded waits for it, and answers as it does
          let recording = this.inFlight.get(e.eventId);
          if (!this.events[e.eventId] && !recording) {
            const key = { eventId: e.eventId, kind, hash: eventHash(kind, e) };
            recording = { key, done: accept(e, key).finally(() => this.inFlight.delete(e.eventId)) };
            this.inFlight.set(e.eventId, recording);
          }
          if (recording) await recording.done;
          return this.answer(e.eventId, kind);
        }),
      {
        validator: (e) => {
          const problems = form(e);
          if (problems.length) reject(problems);
          const known = this.events[e.eventId] ?? this.inFlight.get(e.eventId)?.key;
          if (known) {
            if (known.kind === kind && known.hash === eventHash(kind, e)) return;
            reject([
              refusalOf(
                'event_id_reused',
                say('event_id_reused', { eventId: e.eventId, kind: known.kind, same: known.kind === kind }),
                'eventId',
                e.eventId,
              ),
            ]);
          }
          const business = rules(e);
          if (business.length) reject(business);
        },
      },
    );
  }

  private decisionRefusals(e: ControlDecision): Refusal[] {
    if (this.record.status !== 'documents_requested' && this.record.status !== 'under_review')
      return [
        refusalOf(
          'wrong_state',
          say('control_wrong_state', { status: this.record.status }),
          'status',
          this.record.status,
        ),
      ];
    if (e.outcome === 'passed') return [];
    const problems: Refusal[] = [];
    if (!e.reasons.length) problems.push(refusalOf('reasons_missing', say('reasons_missing'), 'reasons'));
    if (!e.recoveryCents) problems.push(refusalOf('recovery_missing', say('recovery_missing'), 'recoveryCents'));
    else if (e.recoveryCents > this.record.paidCents)
      problems.push(
        refusalOf(
          'recovery_too_large',
          say('recovery_too_large', { amountCents: e.recoveryCents, paidCents: this.record.paidCents }),
          'recoveryCents',
          e.recoveryCents,
        ),
      );
    return problems;
  }

  private receiptRefusals(e: RecoveryReceipt): Refusal[] {
    const { recovery, status } = this.record;
    if (status !== 'recovery_due' || !recovery)
      return [refusalOf('wrong_state', say('control_wrong_state', { status }), 'status', status)];
    const outstanding = recoveryOutstanding(this.record);
    if (e.amountCents > outstanding)
      return [
        refusalOf(
          'more_than_due',
          say('more_than_due', { amountCents: e.amountCents, dueCents: outstanding }),
          'amountCents',
          e.amountCents,
        ),
      ];
    if (Date.parse(e.receivedAt) > Date.now())
      return [refusalOf('in_future', say('receipt_in_future'), 'receivedAt', e.receivedAt)];
    if (Date.parse(e.receivedAt) < Date.parse(recovery.issuedDayStartsAt))
      return [
        refusalOf(
          'before_demand',
          say('receipt_before_demand', { issuedAt: recovery.issuedAt }),
          'receivedAt',
          e.receivedAt,
        ),
      ];
    return [];
  }

  private settlementRefusals(e: RecoverySettlement): Refusal[] {
    const { recovery, status } = this.record;
    if (status !== 'recovery_due' || !recovery?.overdue)
      return [refusalOf('not_overdue', say('not_overdue', { status }), 'status', status)];
    if (e.decision === 'escalate' && recovery.escalated)
      return [refusalOf('already_escalated', say('already_escalated'), 'decision', e.decision)];
    return [];
  }
}

export async function bdcControl(input: ControlInput): Promise<ControlRecord> {
  return new BdcControl(input).run();
}
