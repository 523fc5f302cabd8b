import type { MoneyFigures } from '../../domain/money';
import type { ComponentChildren } from 'preact';
import type { AuditEntry, BdcView, Deadline as DeadlineT, Reminder } from '../../domain/bdc-view';
import { civilDateFr, parisDateTimeFr } from '../../domain/french';
import { localizeRefusal } from '../../domain/localize';
import { referencementFr, render } from '../../domain/messages';
import type { Refusal } from '../../domain/refusal';
import { roleFr } from './layout';
import { OwedPanels, owedFr, type Owed } from './owed';
import { Deadline, deadlineName, EditeurName, Euros, SolutionName, Status, Table, When } from './ui';

/** What a BDC is and has been, as its page shows it: request, money, deadlines, VA, timeline. */

export type RecordView = BdcView & {
  /** its money as the ledger holds it (db/money.ts): what every screen and export shows */
  money: MoneyFigures;
  refused?: { at: string; kind: string; eventId?: string; by: AuditEntry['by']; refusals: Refusal[] }[];
  /** every refused event; `refused` holds the latest */
  refusedCount?: number;
};

const deadlineStateFr: Record<DeadlineT['state'], string> = {
  pending: 'en cours',
  met: 'respectée',
  missed: 'manquée',
  moot: 'sans objet',
};
const eventKindFr: Record<string, string> = {
  vaSubmitted: 'VA et facture',
  cancellationRequested: 'annulation',
  referencementDossierFiled: 'dépôt du dossier',
  referencementDecided: 'décision de référencement',
  reimbursementReceived: 'remboursement reçu',
  calendarAmended: 'avenant au calendrier',
  attentionResolved: 'décision d’examen',
};

/** An audit entry in French: the catalogue's message when the entry names one, else its recorded words. */
export const auditFr = (e: Pick<AuditEntry, 'key' | 'params' | 'what'>) =>
  (e.key ? render(e.key, e.params, 'fr') : undefined) ?? e.what;

/** Where a deadline comes from, in words (the record keeps it as the engine wrote it). */
export function sourceFr(source: string): string {
  return source
    .replace(/^campaign /, 'campagne ')
    .replace(/^order date \+ (\d+) days$/, 'date de commande + $1 jours')
    .replace(/^demand \+ (\d+) days$/, 'demande + $1 jours')
    .replace(/^amendment /, 'avenant ');
}

/** A deadline's reminders in words: "J-30 le 18/03/2024 09:00 (envoyé)". */
function remindersFr(reminders: Reminder[] | undefined): string {
  if (!reminders?.length) return '—';
  return reminders
    .map(
      (r) =>
        `${r.before.replace(/^P(\d+)D$/, 'J-$1').replace(/^PT(\d+)M$/, '$1 min avant')} le ${parisDateTimeFr(r.at)}${r.sent ? ' (envoyé)' : ''}`,
    )
    .join(' ; ');
}

const actorFr = (by: AuditEntry['by']) =>
  by.role === 'system' ? 'le moteur' : `${roleFr[by.role] ?? by.role} ${by.name ?? by.id}`;

/** What the BDC waits for, in words, for whoever must act (an ended BDC may still await money back, or a control's documents). */
export function awaitedFr(b: { status: string; nextDeadline?: string }, owed?: Owed): string {
  const by = b.nextDeadline ? ` (avant le ${parisDateTimeFr(b.nextDeadline)})` : '';
  switch (b.status) {
    case 'awaiting_referencement':
      return `Le dossier ou la décision de référencement de la solution${by}`;
    case 'advance_issued':
      return 'L’ordonnancement de l’avance';
    case 'awaiting_va':
      return `La VA signée et la facture${by}`;
    case 'reimbursement_due':
      return owedFr(owed) ?? `Le remboursement de l’avance${by}`;
    case 'needs_attention':
      return 'Une décision de l’ASP';
    default:
      return owedFr(owed) ?? 'Rien : le BDC est terminé';
  }
}

function Definitions({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="sons-dl">
      {items.map(([term, value]) => (
        <>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </>
      ))}
    </dl>
  );
}

/** What the journal says of a BDC: verified up to when, entries written since, a mismatch found (not shown to éditeurs). */
export interface BdcJournal {
  verifiedAt?: string;
  newerEntries: boolean;
  mismatch?: { id: number; finishedAt?: string; firstMismatch?: { seq?: number } };
}

export function BdcSummaryPanels({
  bdc,
  now,
  historyUrl,
  journal,
  owed,
  actions,
}: {
  bdc: RecordView;
  now: number;
  historyUrl?: string;
  journal?: BdcJournal;
  /** its controls and demands of money back, shown after its deadlines */
  owed?: Owed;
  /** what the reader may do, shown once the BDC's status and details are read */
  actions?: ComponentChildren;
}) {
  const a = bdc.amounts;
  const m = bdc.money;
  return (
    <>
      <p class="fr-mb-2w">
        <Status status={bdc.status} overdue={bdc.reimbursementOverdue} />
      </p>
      <p id="attendu">
        Ce qu’il attend :{' '}
        {awaitedFr(
          {
            status: bdc.status,
            nextDeadline: bdc.deadlines
              .filter((d) => d.state === 'pending')
              .map((d) => d.at)
              .sort()[0],
          },
          owed,
        )}
      </p>
      {bdc.attention ? (
        <div class="fr-alert fr-alert--warning fr-mb-3w">
          <h2 class="fr-alert__title">À examiner</h2>
          <p>{bdc.attention.refusals.map((r) => localizeRefusal(r, 'fr').message).join(' ; ')}</p>
        </div>
      ) : null}
      <div class="fr-grid-row fr-grid-row--gutters">
        <section class="fr-col-12 fr-col-lg-6" aria-labelledby="demande">
          <h2 id="demande" class="fr-h4">
            Demande
          </h2>
          <Definitions
            items={[
              ['Éditeur', <EditeurName id={bdc.request.editeurId} />],
              ['Référence', bdc.request.reference],
              [
                'Solution',
                <>
                  <SolutionName id={bdc.request.solutionId} /> —{' '}
                  {referencementFr[bdc.referencement.state] ?? bdc.referencement.state}
                </>,
              ],
              ...(bdc.request.ogName ? [['OG', bdc.request.ogName] as [string, string]] : []),
              ['OG (FINESS juridique)', bdc.request.ogFiness],
              ['ESSMS', bdc.request.essms.join(', ')],
              ['Date de commande', civilDateFr(bdc.request.orderDate)],
              ['Campagne', `${bdc.campaign.id} (couloir ${bdc.campaign.couloir})`],
              ['Tranche', `${bdc.campaign.tranche} — ${bdc.campaign.ogEssmsCount} ESSMS de l’OG`],
              [
                'Extraction FINESS',
                bdc.campaign.finessExtraction.replace(
                  /^FINESS extraction of (\d{4}-\d{2}-\d{2})/,
                  (_m, d: string) => `extraction FINESS du ${civilDateFr(d)}`,
                ),
              ],
            ]}
          />
        </section>
        <section class="fr-col-12 fr-col-lg-6" aria-labelledby="montants">
          <h2 id="montants" class="fr-h4">
            Montants
          </h2>
          <Definitions
            items={[
              ['Plafond', <Euros cents={a.ceilingCents} />],
              ['Avance (30 %)', <Euros cents={a.advanceCents} />],
              ['Total financé', <Euros cents={a.financedCents} />],
              // an invoice below the advance leaves no balance: the difference is to be reimbursed (never a negative sum)
              a.balanceCents !== undefined && a.balanceCents < 0
                ? [
                    'Solde',
                    <>aucun : l’avance dépasse le total financé, {<Euros cents={-a.balanceCents} />} à rembourser</>,
                  ]
                : ['Solde', <Euros cents={a.balanceCents} />],
              ['Versé', <Euros cents={m.paidCents} />],
              ['Demandé en retour', <Euros cents={m.demandedCents} />],
              ['Reçu', <Euros cents={m.receivedCents} />],
              ['Abandonné', <Euros cents={m.writtenOffCents} />],
              ['Reste dû', <Euros cents={m.outstandingCents} />],
            ]}
          />
          {historyUrl ? (
            <p>
              <a class="fr-link" href={historyUrl} target="_blank" rel="noopener">
                Voir l’historique dans Temporal (nouvelle fenêtre)
              </a>
            </p>
          ) : null}
          {journal ? <JournalLine journal={journal} /> : null}
        </section>
      </div>

      <h2 class="fr-h4">Échéances</h2>
      <Table
        caption="Échéances du BDC"
        head={['Échéance', 'Date limite', 'État', 'Origine', 'Rappels à l’éditeur']}
        rows={bdc.deadlines.map((d) => [
          deadlineName(d.name),
          d.state === 'pending' ? <Deadline at={d.at} now={now} /> : <When at={d.at} />,
          deadlineStateFr[d.state],
          sourceFr(d.source),
          remindersFr(d.reminders),
        ])}
      />

      {owed ? <OwedPanels owed={owed} now={now} /> : null}
      {actions}

      {bdc.va ? (
        <>
          <h2 class="fr-h4">VA et facture</h2>
          <Definitions
            items={[
              ['VA signée le', <When at={bdc.va.signedAt} withTime={false} />],
              ['Facture', bdc.va.invoiceNumber],
              ['Montant facturé', <Euros cents={bdc.va.invoiceCents} />],
              ['Acceptée le', <When at={bdc.va.acceptedAt} />],
              [
                'Documents',
                bdc.va.documents ? (
                  <ul>
                    <li>
                      <a href={`/console/documents/${bdc.va.documents.signedVa}`}>VA signée (PDF)</a>{' '}
                      <span class="sons-hash">SHA-256 {bdc.va.documents.signedVa}</span>
                    </li>
                    <li>
                      <a href={`/console/documents/${bdc.va.documents.invoice}`}>Facture (PDF)</a>{' '}
                      <span class="sons-hash">SHA-256 {bdc.va.documents.invoice}</span>
                    </li>
                  </ul>
                ) : (
                  'aucun déposé (VA transmise par l’API)'
                ),
              ],
            ]}
          />
        </>
      ) : null}

      <h2 class="fr-h4">Historique</h2>
      <ol class="sons-timeline">
        {bdc.audit.map((e) => (
          <li>
            <When at={e.at} /> — {auditFr(e)} <span class="fr-text--sm sons-muted">({actorFr(e.by)})</span>
          </li>
        ))}
      </ol>

      {bdc.refused?.length ? (
        <>
          <h2 class="fr-h4">Soumissions refusées</h2>
          {bdc.refusedCount && bdc.refusedCount > bdc.refused.length ? (
            <p class="fr-text--sm">
              Les {bdc.refused.length} plus récentes sur {bdc.refusedCount} (toutes : l’API,{' '}
              <code>GET /bdcs/…/refused-events</code>).
            </p>
          ) : null}
          <Table
            caption="Soumissions refusées"
            head={['Reçue le', 'Événement', 'Par', 'Motifs']}
            rows={bdc.refused.map((r) => [
              <When at={r.at} />,
              eventKindFr[r.kind] ?? r.kind,
              actorFr(r.by),
              r.refusals.map((x) => localizeRefusal(x, 'fr').message).join(' ; '),
            ])}
          />
        </>
      ) : null}
    </>
  );
}

/** The record as the journal vouches for it: verified up to the last verification that found nothing amiss. */
function JournalLine({ journal }: { journal: BdcJournal }) {
  if (journal.mismatch)
    return (
      <p class="fr-badge fr-badge--error" id="journal">
        Journal : écart détecté le {journal.mismatch.finishedAt ? parisDateTimeFr(journal.mismatch.finishedAt) : '—'}{' '}
        (écriture n° {journal.mismatch.firstMismatch?.seq ?? '—'})
      </p>
    );
  if (!journal.verifiedAt)
    return (
      <p class="fr-badge fr-badge--info" id="journal">
        Journal : pas encore vérifié
      </p>
    );
  return (
    <p class="fr-badge fr-badge--success" id="journal">
      Journal vérifié jusqu’au {parisDateTimeFr(journal.verifiedAt)}
      {journal.newerEntries ? ' (écritures plus récentes à vérifier)' : ''}
    </p>
  );
}
