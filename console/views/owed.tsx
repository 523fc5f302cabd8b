import type { DemandFigures } from '../../domain/money';
import type { ControlRecord } from '../../domain/control-view';
import { eurosFr, parisDateTimeFr } from '../../domain/french';
import { controlStatusFr } from '../../domain/messages';
import { BdcLink, Deadline, Euros, Table, When } from './ui';

/**
 * What an éditeur is asked for after its BDC's money went out: its controls (the documents due, the
 * decision) and every demand of money back (the advance's reimbursement, a control's recovery) with
 * what is still due and by when. The figures are the ledger's (db/money.ts: MoneyQueries.demands).
 */
export interface Owed {
  demands: DemandFigures[];
  controls: ControlRecord[];
}

const demandKindFr: Record<DemandFigures['kind'], string> = {
  reimbursement: 'Remboursement de l’avance',
  recovery: 'Reversement demandé après contrôle',
};

/** The demand still due soonest, if any: what the éditeur must pay first. */
export const firstDue = (demands: DemandFigures[]) =>
  demands.filter((d) => d.outstandingCents > 0).sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];

/** A still-open control whose documents are awaited from the éditeur, if any. */
const documentsAwaited = (controls: ControlRecord[]) =>
  controls.find((c) => c.status === 'documents_requested' && !c.documents.receivedAt);

/**
 * What an ended BDC still awaits of its éditeur, in words ("Rien : le BDC est terminé" only when
 * nothing is): money demanded back before a date, or a control's documents.
 */
export function owedFr(owed: Owed | undefined): string | undefined {
  if (!owed) return undefined;
  const due = firstDue(owed.demands);
  if (due)
    return `${due.kind === 'recovery' ? 'Le reversement' : 'Le remboursement'} de ${eurosFr(due.outstandingCents)} (avant le ${parisDateTimeFr(due.dueAt)})`;
  const control = documentsAwaited(owed.controls);
  if (control)
    return `Les pièces du contrôle : ${control.documents.requested.join(', ')} (avant le ${parisDateTimeFr(control.documents.dueAt)})`;
  return undefined;
}

export function DemandsTable({ demands, now, withBdc }: { demands: DemandFigures[]; now: number; withBdc?: boolean }) {
  return (
    <Table
      id="sommes-dues"
      caption="Sommes demandées en retour"
      head={[
        ...(withBdc ? ['BDC'] : []),
        'Demande',
        'Montant demandé',
        'Reçu',
        'Abandonné',
        'Reste dû',
        'À verser avant le',
      ]}
      rows={demands.map((d) => [
        ...(withBdc ? [<BdcLink id={d.bdcId} />] : []),
        demandKindFr[d.kind],
        <Euros cents={d.amountCents} />,
        <Euros cents={d.receivedCents} />,
        <Euros cents={d.writtenOffCents} />,
        <Euros cents={d.outstandingCents} />,
        d.outstandingCents > 0 ? <Deadline at={d.dueAt} now={now} /> : <When at={d.dueAt} />,
      ])}
    />
  );
}

export function ControlsTable({
  controls,
  now,
  withBdc,
}: {
  controls: ControlRecord[];
  now: number;
  withBdc?: boolean;
}) {
  return (
    <Table
      id="controles-editeur"
      caption="Contrôles a posteriori"
      head={[
        ...(withBdc ? ['BDC'] : []),
        'État',
        'Pièces demandées',
        'À transmettre avant le',
        'Reçues le',
        'Conclusion',
      ]}
      rows={controls.map((c) => [
        ...(withBdc ? [<BdcLink id={c.bdcId} />] : []),
        controlStatusFr[c.status] ?? c.status,
        c.documents.requested.join(', '),
        c.status === 'documents_requested' && !c.documents.receivedAt ? (
          <Deadline at={c.documents.dueAt} now={now} />
        ) : (
          <When at={c.documents.dueAt} />
        ),
        <When at={c.documents.receivedAt} withTime={false} />,
        c.decision ? (c.decision.outcome === 'passed' ? 'conforme' : 'non conforme') : '—',
      ])}
    />
  );
}

/** On a BDC's page: its controls and its demands, when it has any. */
export function OwedPanels({ owed, now }: { owed: Owed; now: number }) {
  if (!owed.demands.length && !owed.controls.length) return null;
  return (
    <section aria-labelledby="controles-et-reversements" class="fr-mb-4w">
      <h2 id="controles-et-reversements" class="fr-h4">
        Contrôles et sommes demandées en retour
      </h2>
      {owed.controls.length ? <ControlsTable controls={owed.controls} now={now} /> : null}
      {owed.demands.length ? <DemandsTable demands={owed.demands} now={now} /> : null}
    </section>
  );
}
