import { CancellationScope, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { controlMessages, type BdcControlWorkflow } from '../../contract/control';
import {
  controlEndStatuses,
  initialControlRecord,
  recoveryOutstanding,
  type ControlAnswer,
  type ControlDecision,
  type ControlInput,
  type ControlRecord,
} from '../../domain/control-view';
import type { AttentionDecision } from '../../domain/events';
import { controlEventForm } from '../../domain/control-events';
import { say } from '../../domain/messages';
import {
  controlAttentionRefusals,
  controlDecisionRefusals,
  documentsRefusals,
  recoveryReceiptRefusals,
  recoverySettlementRefusals,
} from '../../domain/rules/control';
import type { EventKey } from '../kernel/events';
import { dates, RecordedProcess, type Step } from '../kernel/process';
import type { Effect } from '../../contract/effects';
import type { Proposal } from '../../domain/proposals';

/**
 * One a posteriori control of a completed BDC: documents asked of the éditeur by a due date (flagged
 * when late), findings and a decision; a failed control demands back all or part of the sums paid,
 * tracked to receipt, flagged overdue, escalated or written off — never dropped.
 */
export class BdcControl extends RecordedProcess<ControlRecord, ControlAnswer> {
  constructor(private readonly input: ControlInput) {
    super(
      { process: 'control', id: input.controlId, bdcId: input.bdcId },
      input.resume ?? { record: initialControlRecord(input), events: {}, auditSeq: 0 },
    );
  }

  async run(): Promise<ControlRecord> {
    this.setHandlers();
    await CancellationScope.nonCancellable(async () => {
      if (this.record.version === 0) await this.open();
      while (!controlEndStatuses.includes(this.record.status)) {
        if (workflowInfo().continueAsNewSuggested && this.quiet()) {
          await continueAsNew<BdcControlWorkflow>({ ...this.input, resume: this.snapshot() });
        }
        if (this.record.status === 'recovery_due') await this.awaitRecovery();
        else await this.awaitDecision();
      }
      await condition(() => this.quiet());
    });
    return this.record;
  }

  protected answer(key: EventKey): ControlAnswer {
    return { controlId: this.record.controlId, ...key, status: this.record.status, version: this.record.version };
  }

  protected override attentionRules(e: AttentionDecision) {
    return controlAttentionRefusals(e);
  }

  private async open(): Promise<void> {
    const { documents, assignedTo, controlId, bdcId, editeurId } = this.record;
    const requested = documents.requested.join(', ');
    await this.commit({
      step: 'control opened',
      note: {
        audit: [
          {
            kind: 'control_opened',
            said: say('audit_control_opened', {
              drawId: this.input.drawId,
              documents: requested,
              dueAt: documents.dueAt,
              assignedTo,
            }),
            by: this.input.openedBy.actor,
            eventId: this.input.openedBy.eventId,
          },
        ],
      },
      effect: {
        effects: [
          {
            kind: 'notify',
            notification: {
              key: `control-opened:${controlId}`,
              template: 'control_opened',
              to: { party: 'editeur', id: editeurId },
              params: { bdcId, drawId: this.input.drawId, documents: requested, dueAt: documents.dueAt },
            },
          },
        ],
      },
    });
  }

  /** Waits for the decision; the documents' due date passing flags them late (the control goes on). */
  private async awaitDecision(): Promise<void> {
    const { status, documents } = this.record;
    const watching = !documents.receivedAt && !documents.overdue;
    const remaining = Date.parse(documents.dueAt) + 1 - Date.now();
    if (watching && remaining <= 0) {
      await this.commit({
        step: 'documents overdue',
        note: {
          apply: (r) => void (r.documents.overdue = true),
          audit: [{ kind: 'documents_overdue', said: say('audit_documents_overdue') }],
        },
      });
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
      await this.commit({
        step: writtenOff ? 'recovery written off' : 'recovered',
        note: {
          apply: (r) => void (r.status = writtenOff ? 'written_off' : 'recovered'),
          audit: [
            writtenOff
              ? {
                  kind: 'recovery_written_off',
                  said: say('audit_written_off', {
                    amountCents: recovery.writtenOffCents,
                    reason: recovery.escalated?.reason ?? '',
                  }),
                }
              : { kind: 'recovered', said: say('audit_recovered', { amountCents: recovery.receivedCents }) },
          ],
        },
      });
      return;
    }
    const remaining = Date.parse(recovery.dueAt) + 1 - Date.now();
    if (!recovery.overdue && remaining <= 0) {
      await this.commit({
        step: 'recovery overdue',
        note: {
          apply: (r) => void (r.recovery!.overdue = true),
          audit: [{ kind: 'recovery_overdue', said: say('audit_recovery_overdue') }],
        },
      });
      return;
    }
    const version = this.record.version;
    if (recovery.overdue) await condition(() => this.record.version !== version);
    else await condition(() => this.record.version !== version, remaining);
  }

  /** A failed control: its decision recorded, the recovery it decides proposed to the ordonnateurs (four eyes). */
  private fail(e: ControlDecision, key: EventKey): Promise<void> {
    const reasons = e.reasons.join('; ');
    return this.proposeFromHandler(
      'control failed',
      {
        kind: 'recovery',
        amountCents: e.recoveryCents!,
        proposedBy: e.actor,
        details: { reason: `control ${this.record.controlId}: ${reasons}` },
      },
      key,
      {
        apply: (r) => {
          r.decision = { outcome: e.outcome, findings: e.findings, reasons: e.reasons, by: e.actor, at: this.now() };
          r.status = 'awaiting_validation';
        },
        audit: [
          {
            kind: 'control_failed',
            said: say('audit_control_failed', { findings: e.findings, reasons }),
            by: e.actor,
            eventId: e.eventId,
          },
        ],
      },
    );
  }

  /** A recovery validated: demanded, due at the end of a Paris day, the éditeur told; a write-off validated: written. */
  protected async executed(p: Proposal): Promise<Step<ControlRecord> & { effects: Effect[] }> {
    const reason = p.details?.reason ?? '';
    if (p.kind === 'writeOff') {
      const amountCents = Math.min(p.amountCents, recoveryOutstanding(this.record));
      return {
        effects: [{ kind: 'writeOff', amountCents, reason }],
        apply: (r) => {
          r.recovery!.writtenOffCents += amountCents;
          r.recovery!.escalated ??= { reason, by: p.proposedBy, at: this.now() };
        },
        audit: [
          { kind: 'recovery_written_off', said: say('audit_written_off', { amountCents, reason }), by: p.proposedBy },
        ],
      };
    }
    const issuedAt = this.now();
    const { dueAt, issuedDayStartsAt } = await dates.dueDate({ issuedAt, days: this.input.recoveryDueDays });
    const amountCents = p.amountCents;
    const reasons = this.record.decision?.reasons.join('; ') ?? reason;
    return {
      effects: [
        { kind: 'demand', amountCents, reason, dueAt },
        {
          kind: 'notify',
          notification: {
            key: `recovery:${this.record.controlId}`,
            template: 'recovery_demanded',
            to: { party: 'editeur', id: this.record.editeurId },
            params: { bdcId: this.record.bdcId, amountCents, dueAt, reasons },
          },
        },
      ],
      apply: (r) => {
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
      audit: [{ kind: 'recovery_demanded', said: say('audit_recovery_demanded', { amountCents, dueAt }) }],
    };
  }

  /** A recovery rejected by the ordonnateur: the control is under review again (its controller decides anew). */
  protected override rejectedStep(p: Proposal): Step<ControlRecord> | undefined {
    return p.kind === 'recovery' ? { apply: (r) => void (r.status = 'under_review') } : undefined;
  }

  protected override fourEyesThresholdCents(): number | undefined {
    return this.input.fourEyesThresholdCents;
  }

  // ——— handlers: validate, record with the consequence, answer ———

  private setHandlers(): void {
    setHandler(controlMessages.state, () => this.record);
    this.onAttention(controlMessages.attentionResolved);
    this.onProposals(controlMessages.proposalValidated, controlMessages.proposalRejected);

    this.book.on(
      controlMessages.documentsReceived,
      controlEventForm.documentsReceived,
      () => documentsRefusals(this.record),
      (e, key) =>
        this.commitFromHandler({
          step: 'documents received',
          events: [key],
          note: {
            apply: (r) => {
              r.documents.receivedAt = e.receivedAt;
              r.status = 'under_review';
            },
            audit: [
              {
                kind: 'documents_received',
                said: say('audit_documents_received', { receivedAt: e.receivedAt }),
                by: e.actor,
                eventId: e.eventId,
              },
            ],
          },
        }),
    );

    this.book.on(
      controlMessages.controlDecided,
      controlEventForm.controlDecided,
      (e) => controlDecisionRefusals(this.record, e),
      (e, key) => {
        if (e.outcome === 'failed') return this.fail(e, key);
        return this.commitFromHandler({
          step: 'control passed',
          events: [key],
          note: {
            apply: (r) => {
              r.decision = {
                outcome: e.outcome,
                findings: e.findings,
                reasons: e.reasons,
                by: e.actor,
                at: this.now(),
              };
              r.status = 'passed';
            },
            audit: [
              {
                kind: 'control_passed',
                said: say('audit_control_passed', { findings: e.findings }),
                by: e.actor,
                eventId: e.eventId,
              },
            ],
          },
        });
      },
    );

    this.book.on(
      controlMessages.recoveryReceived,
      controlEventForm.recoveryReceived,
      (e) => recoveryReceiptRefusals(this.record, Date.now(), e),
      (e, key) =>
        this.commitFromHandler({
          step: 'recovery received',
          events: [key],
          effect: {
            effects: [{ kind: 'receipt', eventId: e.eventId, amountCents: e.amountCents, receivedAt: e.receivedAt }],
            apply: (r) => void (r.recovery!.receivedCents += e.amountCents),
            audit: [
              {
                kind: 'recovery_received',
                said: say('audit_recovery_received', { amountCents: e.amountCents, receivedAt: e.receivedAt }),
                by: e.actor,
                eventId: e.eventId,
              },
            ],
          },
        }),
    );

    this.book.on(
      controlMessages.recoverySettled,
      controlEventForm.recoverySettled,
      (e) => recoverySettlementRefusals(this.record, e),
      (e, key) => {
        const by = { reason: e.reason, by: e.actor, at: this.now() };
        const line = (kind: string, said: ReturnType<typeof say>) => ({ kind, said, by: e.actor, eventId: e.eventId });
        if (e.decision === 'escalate')
          return this.commitFromHandler({
            step: 'recovery escalated',
            events: [key],
            note: {
              apply: (r) => void (r.recovery!.escalated = by),
              audit: [line('recovery_escalated', say('audit_escalated', { reason: e.reason }))],
            },
          });
        // the write-off is the operator's proposal: an ordonnateur validates it (four eyes), then it is written
        return this.proposeFromHandler(
          'recovery written off',
          {
            kind: 'writeOff',
            amountCents: recoveryOutstanding(this.record),
            proposedBy: e.actor,
            details: { reason: e.reason },
          },
          key,
        );
      },
    );
  }
}

export async function bdcControl(input: ControlInput): Promise<ControlRecord> {
  return new BdcControl(input).run();
}
