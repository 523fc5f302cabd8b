import type { FastifyReply } from 'fastify';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { auditTrailCsvFr } from '../../client/audit-trail-export';
import { bdcListCsvFr, paymentOrdersCsvFr, reimbursementsCsvFr, summaryCsvFr } from '../../client/exports';
import { summaryReport } from '../../client/reports';
import { endOfParisDay, isCivilDate, startOfParisDay } from '../../domain/calendar';
import { say } from '../../domain/messages';
import { RefusedError, refuse, refusalsFromZod } from '../../domain/refusal';
import { filterOf, type FilterForm } from '../bdc-filter';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, sendPage, viewer } from '../http';
import { Page } from '../views/layout';

const csv = (reply: FastifyReply, name: string, text: string) =>
  reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store')
    .send(text);

const exportsList: [string, string, string][] = [
  [
    '/console/exports/bdc.csv',
    'Bons de commande',
    'un BDC par ligne, avec son statut, son plafond et sa prochaine échéance (les filtres de la liste s’appliquent depuis sa page)',
  ],
  [
    '/console/exports/synthese.csv',
    'Synthèse',
    'BDC et montants engagés, avancés, versés, à rembourser et remboursés, par campagne, statut et éditeur',
  ],
  ['/console/exports/ordres-de-paiement.csv', 'Ordres de paiement', 'avances et soldes ordonnés, pour la comptabilité'],
  ['/console/exports/remboursements.csv', 'Remboursements', 'demandes de remboursement et remboursements reçus'],
  [
    '/console/exports/piste-d-audit.csv',
    'Piste d’audit',
    'chaque action sur les BDC et leurs contrôles : quand, quoi, dans quel rôle, par qui (identifiant et nom de la personne)',
  ],
];

/** Exports that open right in a French spreadsheet (`;`, decimal comma, UTF-8 with its mark, Paris dates). */
export function exportPages(app: Api, { engine }: ConsoleDeps) {
  app.get(
    '/console/exports',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (request, reply) => {
      const v = viewer(request, reply);
      return sendPage(
        reply,
        <Page title="Exports" user={v.user} csrf={v.csrf} active="/console/exports">
          <p>Chaque export s’ouvre dans un tableur : séparateur « ; », virgule décimale, dates à l’heure de Paris.</p>
          <ul>
            {exportsList.map(([href, label, what]) => (
              <li class="fr-mb-2w">
                <a class="fr-link fr-link--download" href={href} download>
                  {label}
                  <span class="fr-link__detail">CSV — {what}</span>
                </a>
              </li>
            ))}
          </ul>
        </Page>,
      );
    },
  );

  app.get(
    '/console/exports/bdc.csv',
    { config: { sessionRoles: who.everyone }, schema: { hide: true } },
    async (request, reply) => {
      // the list's filters and order, as its page read them
      const parsed = filterOf({ ...(request.query as FilterForm), pageToken: undefined }, 200);
      if (!parsed.success) throw new RefusedError(refusalsFromZod(parsed.error));
      const filter = parsed.data;
      return csv(
        reply,
        'bons-de-commande.csv',
        await bdcListCsvFr(engine, callerOfViewer(viewer(request, reply)), filter),
      );
    },
  );
  app.get(
    '/console/exports/synthese.csv',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (_request, reply) => csv(reply, 'synthese.csv', summaryCsvFr(await summaryReport(engine))),
  );
  app.get(
    '/console/exports/ordres-de-paiement.csv',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (_request, reply) => csv(reply, 'ordres-de-paiement.csv', await paymentOrdersCsvFr(engine.ledger)),
  );
  app.get(
    '/console/exports/remboursements.csv',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (_request, reply) => csv(reply, 'remboursements.csv', await reimbursementsCsvFr(engine.ledger)),
  );
  // ?du=AAAA-MM-JJ&au=AAAA-MM-JJ (Paris days, both included): a period of the trail; ?bdc=…: one BDC's
  app.get(
    '/console/exports/piste-d-audit.csv',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (request, reply) => {
      const { du, au, bdc } = request.query as Record<string, string | undefined>;
      // a period that is not one is refused, not read as no period (the whole trail would come down)
      for (const [name, day] of [
        ['du', du],
        ['au', au],
      ] as const)
        if (day !== undefined && day !== '' && (typeof day !== 'string' || !isCivilDate(day)))
          throw refuse('civil_date_expected', say('civil_date_expected'), name, String(day));
      const scope = {
        ...(du && isCivilDate(du) ? { from: startOfParisDay(du).toISOString() } : {}),
        ...(au && isCivilDate(au) ? { to: endOfParisDay(au).toISOString() } : {}),
        ...(bdc ? { bdcId: bdc.slice(0, 200) } : {}),
      };
      return csv(reply, 'piste-d-audit.csv', await auditTrailCsvFr(engine, scope));
    },
  );
}
