import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { attention, summaryReport, type SummaryLine } from '../../client/reports';
import { listControls } from '../../client/controls';
import { listSignalements } from '../../client/signalements';
import { nowOf } from '../../client/context';
import { eurosFr } from '../../domain/french';
import { localizeRefusal } from '../../domain/localize';
import { statusFr } from '../../domain/messages';
import type { ConsoleDeps } from '../context';
import { sendPage, viewer } from '../http';
import { Page } from '../views/layout';
import { BarChart, Deadline, Euros, Status, Table, When } from '../views/ui';

type Totals = {
  bdcs: number;
  committedCents: number;
  paidCents: number;
  toReimburseCents: number;
  reimbursedCents: number;
};
const zero = (): Totals => ({ bdcs: 0, committedCents: 0, paidCents: 0, toReimburseCents: 0, reimbursedCents: 0 });

function totalsBy(lines: SummaryLine[], key: (l: SummaryLine) => string): [string, Totals][] {
  const by = new Map<string, Totals>();
  for (const l of lines) {
    const t = by.get(key(l)) ?? zero();
    t.bdcs += l.bdcs;
    t.committedCents += l.committedCents;
    t.paidCents += l.paidCents;
    t.toReimburseCents += l.toReimburseCents;
    t.reimbursedCents += l.reimbursedCents;
    by.set(key(l), t);
  }
  return [...by.entries()];
}

const BdcLink = ({ id }: { id: string }) => <a href={`/console/bdc/${encodeURIComponent(id)}`}>{id}</a>;

/** Operators' and admins' home: BDCs and euros by status and campaign, and what needs attention. */
export function dashboardPage(app: Api, { engine }: ConsoleDeps) {
  app.get('/console/', { config: { sessionRoles: who.everyone }, schema: { hide: true } }, async (request, reply) => {
    if (request.principal.role === 'editeur') return reply.redirect('/console/bdc');
    const [lines, todo, now, lateControls, openSignalements] = await Promise.all([
      summaryReport(engine),
      attention(engine),
      nowOf(engine),
      listControls(engine, { overdue: true }),
      listSignalements(engine, { status: 'open' }),
    ]);
    const byStatus = totalsBy(lines, (l) => l.status);
    const byCampaign = totalsBy(lines, (l) => l.campaign);
    const all = totalsBy(lines, () => 'all')[0]?.[1] ?? zero();
    const v = viewer(request, reply);
    return sendPage(
      reply,
      <Page title="Tableau de bord" user={v.user} csrf={v.csrf} active="/console/">
        <div class="fr-grid-row fr-grid-row--gutters fr-mb-4w">
          {[
            ['Bons de commande', String(all.bdcs)],
            ['Engagé (plafonds)', eurosFr(all.committedCents)],
            ['Versé', eurosFr(all.paidCents)],
            ['À rembourser', eurosFr(all.toReimburseCents - all.reimbursedCents)],
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
                b.editeur,
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
              rows={todo.needsAttention.map((b) => [<BdcLink id={b.bdcId} />, b.editeur, <Status status={b.status} />])}
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
                  c.bdcId,
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
          bars={byStatus.map(([status, t]) => ({ label: statusFr[status] ?? status, value: t.bdcs }))}
          format={(n) => String(n)}
        />
        <BarChart
          title="Montants versés par statut"
          bars={byStatus.map(([status, t]) => ({ label: statusFr[status] ?? status, value: t.paidCents }))}
          format={eurosFr}
        />
        <Table
          caption="BDC et montants par statut"
          head={['Statut', 'BDC', 'Engagé', 'Versé', 'À rembourser', 'Remboursé']}
          rows={byStatus.map(([status, t]) => [
            <Status status={status} />,
            String(t.bdcs),
            <Euros cents={t.committedCents} />,
            <Euros cents={t.paidCents} />,
            <Euros cents={t.toReimburseCents - t.reimbursedCents} />,
            <Euros cents={t.reimbursedCents} />,
          ])}
        />

        <h2>Par campagne</h2>
        <BarChart
          title="Engagé par campagne"
          bars={byCampaign.map(([campaign, t]) => ({ label: campaign, value: t.committedCents }))}
          format={eurosFr}
        />
        <Table
          caption="BDC et montants par campagne"
          head={['Campagne', 'BDC', 'Engagé', 'Versé', 'À rembourser', 'Remboursé']}
          rows={byCampaign.map(([campaign, t]) => [
            campaign,
            String(t.bdcs),
            <Euros cents={t.committedCents} />,
            <Euros cents={t.paidCents} />,
            <Euros cents={t.toReimburseCents - t.reimbursedCents} />,
            <Euros cents={t.reimbursedCents} />,
          ])}
        />
      </Page>,
    );
  });
}
