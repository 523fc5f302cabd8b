import {
  cancelBdc,
  checkAttention,
  checkCancellation,
  checkDecision,
  checkDossier,
  checkReimbursement,
  checkSettlement,
  fileDossier,
  recordReimbursement,
  resolveAttention,
  settleReimbursement,
} from '../../client/bdc-events';
import { decideForBdc, solutionDecisionPlan } from '../../client/solutions';
import { isCivilDate } from '../../domain/calendar';
import { civilDateFr, eurosFr, parseEurosFr } from '../../domain/french';
import { render, say, type Said } from '../../domain/messages';
import type { RecordView } from '../views/bdc';
import type { Confirmable } from '../actions';
import { Input, Select, type FieldErrors } from '../views/ui';

/** The actions a BDC's page offers (console/actions.tsx: checked, confirmed, then sent). */
export type BdcAction<T> = Confirmable<T, RecordView>;

/** A problem of a field, in French (the console's forms speak French). */
const problem = (errors: FieldErrors, name: string, said: Said) => (
  (errors[name] ??= []).push(render(said.key, said.params, 'fr') ?? said.message),
  undefined
);

const date = (values: Record<string, string>, name: string, errors: FieldErrors): string | undefined => {
  const v = values[name] ?? '';
  return isCivilDate(v) ? v : problem(errors, name, say('civil_date_expected'));
};
const text = (values: Record<string, string>, name: string, errors: FieldErrors, label: string): string | undefined => {
  const v = (values[name] ?? '').trim();
  if (v.length >= 1 && v.length <= 500) return v;
  return problem(errors, name, v ? say('text_too_long', { label, max: 500 }) : say('text_required', { label }));
};
const cancellable = ['awaiting_referencement', 'advance_issued', 'awaiting_va'];

/** A solution's decision in words, with the BDCs it reaches now (the batch's count) and what it does to them. */
export function solutionDecisionFr(
  solutionId: string,
  decision: 'granted' | 'refused',
  decidedOn: string,
  bdcs: number,
): string {
  const said = `Le référencement de la solution ${solutionId} est ${decision === 'granted' ? 'accordé' : 'refusé'} le ${civilDateFr(decidedOn)}.`;
  const effect = decision === 'granted' ? 'leur avance suit' : 'ils se terminent sans paiement';
  const reach =
    bdcs === 0
      ? 'Aucun BDC n’attend cette décision aujourd’hui'
      : bdcs === 1
        ? `1 BDC en attente de ce référencement la reçoit (${decision === 'granted' ? 'son avance suit' : 'il se termine sans paiement'})`
        : `${bdcs} BDC en attente de ce référencement la reçoivent (${effect})`;
  return `${said} ${reach} ; les BDC de cette solution enregistrés ensuite la suivent d’emblée.`;
}

const referencement: BdcAction<{ decision: 'granted' | 'refused'; decidedOn: string }> = {
  slug: 'referencement',
  title: 'Enregistrer la décision de l’ANS pour ce BDC',
  roles: ['operator'],
  offered: (b) => b.status === 'awaiting_referencement',
  fields: (v, e) => (
    <>
      <Select
        name="decision"
        label="Décision"
        placeholder="Choisir une décision"
        value={v.decision}
        errors={e}
        required
        options={[
          ['granted', 'Référencement accordé'],
          ['refused', 'Référencement refusé'],
        ]}
      />
      <Input name="decidedOn" label="Date de la décision" type="date" value={v.decidedOn} errors={e} required />
    </>
  ),
  parse(v) {
    const errors: FieldErrors = {};
    const decidedOn = date(v, 'decidedOn', errors);
    if (v.decision !== 'granted' && v.decision !== 'refused')
      problem(errors, 'decision', say('choose_one', { label: 'la décision' }));
    return Object.keys(errors).length
      ? { errors }
      : { value: { decision: v.decision as 'granted' | 'refused', decidedOn: decidedOn! } };
  },
  // the decision is the solution's: said with the BDCs its batch reaches, checked by the solution's rules too
  describe: async (x, b, ctx) =>
    solutionDecisionFr(
      b.request.solutionId,
      x.decision,
      x.decidedOn,
      (await solutionDecisionPlan(ctx, b.request.solutionId, x)).bdcs,
    ),
  check: async (ctx, caller, b, x) => [
    ...(await checkDecision(ctx, caller, b.bdcId, x)),
    ...(await solutionDecisionPlan(ctx, b.request.solutionId, x)).refusals.filter((r) => r.code !== 'in_future'),
  ],
  run: (ctx, caller, b, x, eventId) => decideForBdc(ctx, caller, b.bdcId, { eventId, ...x }),
  done: 'La décision de référencement est enregistrée.',
};

const cancellation: BdcAction<{ reason: string }> = {
  slug: 'annulation',
  title: 'Annuler le BDC',
  roles: ['operator'],
  offered: (b) => cancellable.includes(b.status) && !b.va && !b.cancellation,
  fields: (v, e) => <Input name="reason" label="Motif de l’annulation" value={v.reason} errors={e} required />,
  parse(v) {
    const errors: FieldErrors = {};
    const reason = text(v, 'reason', errors, 'le motif');
    return reason ? { value: { reason } } : { errors };
  },
  describe: (x, b) =>
    `Le BDC est annulé (motif : ${x.reason}).${b.amounts.paidCents > 0 ? ` L’avance de ${eurosFr(b.amounts.paidCents)} sera demandée en remboursement à l’éditeur.` : ' Aucun paiement n’a eu lieu.'}`,
  check: (ctx, caller, b) => checkCancellation(ctx, caller, b.bdcId),
  run: (ctx, caller, b, x, eventId) => cancelBdc(ctx, caller, b.bdcId, { eventId, reason: x.reason }),
  done: 'L’annulation est enregistrée.',
};

const receipt: BdcAction<{ amountCents: number; receivedOn: string }> = {
  slug: 'remboursement',
  title: 'Enregistrer un remboursement reçu',
  roles: ['operator'],
  money: true,
  offered: (b) => b.status === 'reimbursement_due',
  fields: (v, e) => (
    <>
      <Input
        name="amountCents"
        label="Montant reçu (€)"
        value={v.amountCents}
        errors={e}
        required
        inputMode="decimal"
        hint="Par exemple 1 752,00"
      />
      <Input name="receivedAt" label="Date de réception" type="date" value={v.receivedAt} errors={e} required />
    </>
  ),
  parse(v) {
    const errors: FieldErrors = {};
    const cents = parseEurosFr(v.amountCents ?? '');
    if (!cents) problem(errors, 'amountCents', say('euros_expected'));
    const receivedOn = date(v, 'receivedAt', errors);
    return Object.keys(errors).length ? { errors } : { value: { amountCents: cents!, receivedOn: receivedOn! } };
  },
  describe: (x) =>
    `Un remboursement de ${eurosFr(x.amountCents)} reçu le ${civilDateFr(x.receivedOn)} est enregistré au grand livre.`,
  // the receipt's form names its date receivedAt, as the rule's refusal does
  check: (ctx, caller, b, x) => checkReimbursement(ctx, caller, b.bdcId, x),
  run: (ctx, caller, b, x, eventId) => recordReimbursement(ctx, caller, b.bdcId, { eventId, ...x }),
  done: 'Le remboursement reçu est enregistré.',
};

const attention: BdcAction<{ decision: 'retry' | 'cancel'; reason: string }> = {
  slug: 'examen',
  title: 'Décider pour ce BDC à examiner',
  roles: ['operator'],
  offered: (b) => b.status === 'needs_attention',
  fields: (v, e) => (
    <>
      <Select
        name="decision"
        label="Décision"
        placeholder="Choisir une décision"
        value={v.decision}
        errors={e}
        required
        options={[
          ['retry', 'Tenter à nouveau l’étape en échec'],
          ['cancel', 'Annuler le BDC (aucun paiement)'],
        ]}
      />
      <Input name="reason" label="Motif" value={v.reason} errors={e} required />
    </>
  ),
  parse(v) {
    const errors: FieldErrors = {};
    const reason = text(v, 'reason', errors, 'le motif');
    if (v.decision !== 'retry' && v.decision !== 'cancel')
      problem(errors, 'decision', say('choose_one', { label: 'la décision' }));
    return Object.keys(errors).length
      ? { errors }
      : { value: { decision: v.decision as 'retry' | 'cancel', reason: reason! } };
  },
  describe: (x) =>
    x.decision === 'retry'
      ? `L’étape en échec est tentée à nouveau (motif : ${x.reason}).`
      : `Le BDC est annulé sans paiement (motif : ${x.reason}).`,
  check: (ctx, caller, b, x) => checkAttention(ctx, caller, b.bdcId, x),
  run: (ctx, caller, b, x, eventId) => resolveAttention(ctx, caller, b.bdcId, { eventId, ...x }),
  done: 'La décision est enregistrée.',
};

const settlement: BdcAction<{ decision: 'escalate' | 'write_off'; reason: string }> = {
  slug: 'recouvrement',
  title: 'Remboursement en retard : transmettre au recouvrement ou abandonner',
  roles: ['operator'],
  money: true,
  offered: (b) => b.status === 'reimbursement_due' && b.reimbursementOverdue,
  fields: (v, e) => (
    <>
      <Select
        name="decision"
        label="Décision"
        placeholder="Choisir une décision"
        value={v.decision}
        errors={e}
        required
        options={[
          ['escalate', 'Transmettre au recouvrement (le BDC attend toujours le remboursement)'],
          ['write_off', 'Abandonner ce qui reste dû (le BDC se termine)'],
        ]}
      />
      <Input name="reason" label="Motif" value={v.reason} errors={e} required />
    </>
  ),
  parse(v) {
    const errors: FieldErrors = {};
    const reason = text(v, 'reason', errors, 'le motif');
    if (v.decision !== 'escalate' && v.decision !== 'write_off')
      problem(errors, 'decision', say('choose_one', { label: 'la décision' }));
    return Object.keys(errors).length
      ? { errors }
      : { value: { decision: v.decision as 'escalate' | 'write_off', reason: reason! } };
  },
  describe: (x, b) =>
    x.decision === 'escalate'
      ? `Le remboursement en retard est transmis au recouvrement (motif : ${x.reason}).`
      : `Les ${eurosFr(b.money.outstandingCents)} encore dus sont abandonnés (motif : ${x.reason}) ; le BDC se termine.`,
  check: (ctx, caller, b, x) => checkSettlement(ctx, caller, b.bdcId, x),
  run: (ctx, caller, b, x, eventId) => settleReimbursement(ctx, caller, b.bdcId, { eventId, ...x }),
  done: 'La décision sur le remboursement est enregistrée.',
};

const dossier: BdcAction<{ filedOn: string }> = {
  slug: 'dossier',
  title: 'Déclarer le dépôt du dossier de référencement',
  roles: ['editeur', 'operator'],
  offered: (b) =>
    b.status === 'awaiting_referencement' &&
    b.referencement.state === 'pending' &&
    !b.referencement.dossierFiledAt &&
    b.deadlines.some((d) => d.name === 'dossier' && d.state === 'pending'),
  fields: (v, e) => (
    <Input name="filedAt" label="Date du dépôt auprès de l’ANS" type="date" value={v.filedAt} errors={e} required />
  ),
  parse(v) {
    const errors: FieldErrors = {};
    const filedOn = date(v, 'filedAt', errors);
    return filedOn ? { value: { filedOn } } : { errors };
  },
  describe: (x) => `Le dossier de référencement a été déposé auprès de l’ANS le ${civilDateFr(x.filedOn)}.`,
  check: (ctx, caller, b, x) => checkDossier(ctx, caller, b.bdcId, x),
  run: (ctx, caller, b, x, eventId) => fileDossier(ctx, caller, b.bdcId, { eventId, filedOn: x.filedOn }),
  done: 'Le dépôt du dossier est enregistré.',
};

export const bdcActions = [
  referencement,
  cancellation,
  receipt,
  settlement,
  attention,
  dossier,
] as BdcAction<unknown>[];
