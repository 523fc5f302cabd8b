import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { attention } from '../../client/reports';
import type { MoneyFigures } from '../../domain/money';
import { listControls } from '../../client/controls';
import { listSignalements } from '../../client/signalements';
import { nowOf } from '../../client/context';
import { eurosFr } from '../../domain/french';
import { localizeRefusal } from '../../domain/localize';
import { statusFr } from '../../domain/messages';
import type { ConsoleDeps } from '../context';
import { sendPage, viewer } from '../http';
import { Page } from '../views/layout';
import { BdcLink, BarChart, EditeurName, Deadline, Euros, Status, Table, When } from '../views/ui';

/** The money columns of a summary table: the same figures as the summary export. */
const moneyHead = (first: string) => [
  first,
  'BDC',
  'Engagé',
  'Versé',
  'Demandé en retour',
  'Reçu',
  'Abandonné',
  'Reste dû',
];
const moneyCells = (t: MoneyFigures) => [
  String(t.bdcs),
  <Euros cents={t.committedCents} />,
  <Euros cents={t.paidCents} />,
  <Euros cents={t.demandedCents} />,
  <Euros cents={t.receivedCents} />,
  <Euros cents={t.writtenOffCents} />,
  <Euros cents={t.outstandingCents} />,
];

/** Operators' and admins' home: BDCs and euros by status and campaign, and what needs attention. */
export function dashboardPage(app: Api, { engine }: ConsoleDeps) {
  app.get('/console/', { config: { sessionRoles: who.everyone }, schema: { hide: true } }, async (request, reply) => {
    if (request.principal.role === 'editeur') return reply.redirect('/console/bdc');
    // every figure from the one source of euros (db/money.ts): the ledger's sums, as the exports have them
    const [[all], byStatus, byCampaign, todo, now, lateControls, openSignalements] = await Promise.all([
      engine.money.totals(),
      engine.money.totals(['status']),
      engine.money.totals(['campaign']),
      attention(engine),
      nowOf(engine),
      listControls(engine, { overdue: true }),
      listSignalements(engine, { status: 'open' }),
    ]);
    const v = viewer(request, reply);
    return sendPage(
      reply,
      <Page title="Tableau de bord" user={v.user} csrf={v.csrf} active="/console/">
        <div class="fr-grid-row fr-grid-row--gutters fr-mb-4w">
          {[
            ['Bons de commande', String(all!.bdcs)],
            ['Engagé (plafonds)', eurosFr(all!.committedCents)],
            ['Versé', eurosFr(all!.paidCents)],
            ['Reste dû (remboursements et reversements)', eurosFr(all!.outstandingCents)],
          ].map(([label, value]) => (
            <div class="fr-col-12 fr-col-md-3">
              <div class="fr-tile fr-tile--sm sons-figure">
                <p class="fr-tile__desc">{label}</p>
                <p class="fr-h4 fr-mb-0">{value}</p>
              </div>
            </div>
          ))}
        </div>

        <h2>À traiter</h2>
        <div class="fr-grid-row fr-grid-row--gutters">
          <section class="fr-col-12 fr-col-lg-6" aria-labelledby="retards">
            <h3 id="retards" class="fr-h5">
              Remboursements en retard
            </h3>
            <Table
              caption="Remboursements en retard"
              head={['BDC', 'Éditeur', 'Statut']}
              rows={todo.overdue.map((b) => [
                <BdcLink id={b.bdcId} />,
                <EditeurName id={b.editeur} />,
                <Status status={b.status} overdue />,
              ])}
            />
          </section>
          <section class="fr-col-12 fr-col-lg-6" aria-labelledby="examiner">
            <h3 id="examiner" class="fr-h5">
              BDC à examiner
            </h3>
            <Table
              caption="BDC à examiner"
              head={['BDC', 'Éditeur', 'Statut']}
              rows={todo.needsAttention.map((b) => [
                <BdcLink id={b.bdcId} />,
                <EditeurName id={b.editeur} />,
                <Status status={b.status} />,
              ])}
            />
          </section>
          <section class="fr-col-12 fr-col-lg-6" aria-labelledby="echeances">
            <h3 id="echeances" class="fr-h5">
              Échéances dans les 14 jours
            </h3>
            <Table
              caption="Échéances dans les 14 jours"
              head={['BDC', 'Statut', 'Échéance']}
              rows={todo.closeToDeadline.map((b) => [
                <BdcLink id={b.bdcId} />,
                <Status status={b.status} />,
                b.nextDeadline ? <Deadline at={b.nextDeadline} now={now} /> : '—',
              ])}
            />
          </section>
          <section class="fr-col-12 fr-col-lg-6" aria-labelledby="controles">
            <h3 id="controles" class="fr-h5">
              Contrôles en retard
            </h3>
            <Table
              caption="Contrôles en retard"
              head={['Contrôle', 'BDC', 'Contrôleur']}
              rows={lateControls
                .slice(0, 10)
                .map((c) => [
                  <a href={`/console/controles/${encodeURIComponent(c.controlId)}`}>{c.drawId}</a>,
                  <BdcLink id={c.bdcId} />,
                  c.assignedTo,
                ])}
            />
          </section>
          <section class="fr-col-12 fr-col-lg-6" aria-labelledby="signalements">
            <h3 id="signalements" class="fr-h5">
              Signalements sans réponse
            </h3>
            <Table
              caption="Signalements sans réponse"
              head={['Reçu le', 'OG', 'Éditeur']}
              rows={openSignalements
                .slice(0, 10)
                .map((s) => [
                  <When at={s.receivedAt} />,
                  s.ogFiness,
                  <a href="/console/signalements">{s.editeurId}</a>,
                ])}
            />
          </section>
          <section class="fr-col-12 fr-col-lg-6" aria-labelledby="refus">
            <h3 id="refus" class="fr-h5">
              Dernières soumissions refusées
            </h3>
            <Table
              caption="Dernières soumissions refusées"
              head={['BDC', 'Reçue le', 'Motifs']}
              rows={todo.refused.map((r) => [
                <BdcLink id={r.bdcId} />,
                <When at={r.at} />,
                r.refusals.map((x) => localizeRefusal(x, 'fr').message).join(' ; '),
              ])}
            />
          </section>
        </div>

        <h2>Par statut</h2>
        <BarChart
          title="Nombre de BDC par statut"
          bars={byStatus.map((t) => ({ label: statusFr[t.status] ?? t.status, value: t.bdcs }))}
          format={(n) => String(n)}
        />
        <BarChart
          title="Montants versés par statut"
          bars={byStatus.map((t) => ({ label: statusFr[t.status] ?? t.status, value: t.paidCents }))}
          format={eurosFr}
        />
        <Table
          caption="BDC et montants par statut"
          head={moneyHead('Statut')}
          rows={byStatus.map((t) => [<Status status={t.status} />, ...moneyCells(t)])}
        />

        <h2>Par campagne</h2>
        <BarChart
          title="Engagé par campagne"
          bars={byCampaign.map((t) => ({ label: t.campaign, value: t.committedCents }))}
          format={eurosFr}
        />
        <Table
          caption="BDC et montants par campagne"
          head={moneyHead('Campagne')}
          rows={byCampaign.map((t) => [t.campaign, ...moneyCells(t)])}
        />
      </Page>,
    );
  });
}
