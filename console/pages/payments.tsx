import { randomUUID } from 'node:crypto';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import fs from 'node:fs';
import {
  importStatusReport,
  paymentOrders,
  paymentRunFile,
  paymentRuns,
  recordBankAnswers,
  releaseRun,
  type OrderView,
} from '../../client/payments';
import { paymentsReport } from '../../client/reports';
import { localizeRefusal } from '../../domain/localize';
import { orderStateFr, proposalFr } from '../../domain/messages';
import { CLIENT_EVENT_ID_PATTERN } from '../../domain/ids';
import { RefusedError } from '../../domain/refusal';
import { rejectionReasonFr } from '../../domain/sepa/pain002';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, sendPage, viewer, type Viewer } from '../http';
import { uploadOf } from '../uploads';
import { Page } from '../views/layout';
import { BdcLink, Alert, ErrorSummary, Csrf, Euros, Hidden, Table, When } from '../views/ui';

/** The bank's answers a comptable enters by hand: paid, or rejected with one of the reasons banks give most. */
const answers: [string, string][] = [
  ['paye', 'Payé'],
  ...Object.entries(rejectionReasonFr).map(([code, fr]): [string, string] => [code, `Rejeté : ${fr} (${code})`]),
];

const total = (orders: OrderView[]) => orders.reduce((t, o) => t + o.amountCents, 0);
const orderLabel = (o: OrderView) => `${proposalFr[o.kind] ?? o.kind} — ${o.reference}`;

/**
 * « Paiements », the comptables' page (DOMAIN.md "Paying"): the orders by state with their sums, the
 * validated orders to release — selected, then confirmed as one payment run whose pain.001 file is
 * downloaded —, the runs and their answers, the bank's answer entered by hand per order, and the
 * orders the bank rejected (back with the ordonnateurs). Ordonnateurs, controleurs and admins read it.
 */
export function paymentPages(app: Api, deps: ConsoleDeps) {
  const readers = ['comptable', 'ordonnateur', 'controleur', 'admin'] as const;
  const page = async (
    v: Viewer,
    notice?: {
      released?: string;
      answered?: string;
      refused?: string[];
      confirm?: { runId: string; orders: OrderView[] };
    },
  ) => {
    const [report, validated, released, rejected, runs] = await Promise.all([
      paymentsReport(deps.engine),
      paymentOrders(deps.engine, { state: 'validated' }),
      paymentOrders(deps.engine, { state: 'released' }),
      paymentOrders(deps.engine, { state: 'rejected' }),
      paymentRuns(deps.engine, 50),
    ]);
    const comptable = v.user.role === 'comptable';
    return (
      <Page title="Paiements" user={v.user} csrf={v.csrf} active="/console/paiements">
        {notice?.released ? (
          <Alert kind="success" title={`Mise en paiement ${notice.released} enregistrée`}>
            <p>
              Son fichier de virements SEPA (pain.001.001.09) se télécharge ci-dessous, dans la liste des mises en
              paiement.
            </p>
          </Alert>
        ) : null}
        {notice?.answered ? (
          <Alert kind="success" title="Réponse de la banque enregistrée">
            <p>{notice.answered}</p>
          </Alert>
        ) : null}
        <ErrorSummary general={notice?.refused} />
        <Table
          caption="Ordres de paiement par état"
          head={['État', 'Ordres', 'Montant']}
          rows={report.orders.map((o) => [
            orderStateFr[o.state] ?? o.state,
            String(o.count),
            <Euros cents={o.cents} />,
          ])}
        />
        {report.differences.length ? (
          <Alert kind="error" title="Écarts entre les mises en paiement et les ordres">
            <ul>
              {report.differences.map((d) => (
                <li>{d.what}</li>
              ))}
            </ul>
          </Alert>
        ) : null}

        <h2 class="fr-h4">Ordres validés, à mettre en paiement</h2>
        {notice?.confirm ? (
          <form method="post" action="/console/paiements/mise-en-paiement">
            <Csrf token={v.csrf} />
            <Hidden name="etape" value="confirmer" />
            <Hidden name="run" value={notice.confirm.runId} />
            <Hidden name="ordres" value={notice.confirm.orders.map((o) => o.id).join(',')} />
            <Alert kind="warning" title="Confirmez-vous la mise en paiement ?">
              <p>
                {notice.confirm.orders.length} ordre(s) pour <Euros cents={total(notice.confirm.orders)} />, payés du
                compte de l’ASP aux coordonnées bancaires en vigueur de chaque éditeur : le fichier de virements est
                produit et enregistré, et chaque ordre ne peut plus être mis en paiement ailleurs.
              </p>
            </Alert>
            <ul class="fr-btns-group fr-btns-group--inline">
              <li>
                <button class="fr-btn" type="submit">
                  Confirmer la mise en paiement
                </button>
              </li>
              <li>
                <a class="fr-btn fr-btn--secondary" href="/console/paiements">
                  Annuler
                </a>
              </li>
            </ul>
          </form>
        ) : (
          <form method="post" action="/console/paiements/mise-en-paiement">
            <Csrf token={v.csrf} />
            <Table
              caption="Ordres validés"
              head={['', 'BDC', 'Éditeur', 'Ordre', 'Montant', 'Validé par', 'Payé à (IBAN)']}
              rows={validated.map((o) => [
                comptable ? (
                  <input
                    type="checkbox"
                    name={`ordre-${o.id}`}
                    value="oui"
                    aria-label={`Sélectionner ${o.reference}`}
                  />
                ) : (
                  ''
                ),
                <BdcLink id={o.bdcId} />,
                o.editeurId,
                orderLabel(o),
                <Euros cents={o.amountCents} />,
                o.validatedBy.map((a) => a.id).join(', ') || '—',
                o.bankDetails ? (
                  <span>
                    <code>{o.bankDetails.iban}</code>
                    {o.bankDetailsChanged ? (
                      <span class="fr-badge fr-badge--sm fr-badge--warning sons-ml">
                        Coordonnées modifiées depuis la validation
                      </span>
                    ) : null}
                  </span>
                ) : (
                  <span class="fr-badge fr-badge--sm fr-badge--error">Aucunes coordonnées bancaires validées</span>
                ),
              ])}
            />
            <p>
              Total des ordres validés : <Euros cents={total(validated)} />
            </p>
            {comptable && validated.length ? (
              <button class="fr-btn" type="submit">
                Mettre en paiement la sélection
              </button>
            ) : null}
          </form>
        )}

        <h2 class="fr-h4">Mises en paiement</h2>
        <Table
          caption="Mises en paiement"
          head={[
            'Identifiant',
            'Le',
            'Par',
            'Virements',
            'Montant',
            'Payés',
            'Rejetés',
            'Sans réponse',
            'Fichier',
            'Compte rendu de la banque',
          ]}
          rows={runs.map((r) => [
            r.runId,
            <When at={r.releasedAt} />,
            r.releasedBy.id,
            String(r.transfers),
            <Euros cents={r.controlSumCents} />,
            String(r.paid),
            String(r.rejected),
            String(r.unanswered),
            <a
              class="fr-link fr-link--download"
              href={`/console/paiements/${encodeURIComponent(r.runId)}/fichier.xml`}
              download
            >
              pain.001
            </a>,
            comptable && r.unanswered ? (
              <form
                method="post"
                action={`/console/paiements/${encodeURIComponent(r.runId)}/compte-rendu`}
                encType="multipart/form-data"
              >
                <Csrf token={v.csrf} />
                <label class="fr-label" for={`pain002-${r.runId}`}>
                  Fichier pain.002
                </label>
                <input
                  class="fr-upload"
                  type="file"
                  id={`pain002-${r.runId}`}
                  name="rapport"
                  accept=".xml,application/xml"
                />
                <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">
                  Importer
                </button>
              </form>
            ) : (
              '—'
            ),
          ])}
        />

        <h2 class="fr-h4">En attente de la réponse de la banque</h2>
        <Table
          caption="Ordres mis en paiement"
          head={['BDC', 'Ordre', 'Montant', 'Mise en paiement', 'Réponse de la banque']}
          rows={released.map((o) => [
            <BdcLink id={o.bdcId} />,
            orderLabel(o),
            <Euros cents={o.amountCents} />,
            o.runId ?? '—',
            comptable && o.runId ? (
              <form method="post" action={`/console/paiements/${encodeURIComponent(o.runId)}/reponse`}>
                <Csrf token={v.csrf} />
                <Hidden name="ordre" value={String(o.id)} />
                <label class="fr-label" for={`issue-${o.id}`}>
                  Réponse
                </label>
                <select class="fr-select" id={`issue-${o.id}`} name="issue">
                  {answers.map(([value, label]) => (
                    <option value={value}>{label}</option>
                  ))}
                </select>
                <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">
                  Enregistrer
                </button>
              </form>
            ) : (
              '—'
            ),
          ])}
        />

        <h2 class="fr-h4">Rejetés par la banque, renvoyés aux ordonnateurs</h2>
        <Table
          caption="Ordres rejetés"
          head={['BDC', 'Ordre', 'Montant', 'Mise en paiement', 'Motif']}
          rows={rejected.map((o) => [
            <BdcLink id={o.bdcId} />,
            orderLabel(o),
            <Euros cents={o.amountCents} />,
            o.transfer?.runId ?? '—',
            o.transfer?.reasonCode
              ? `${rejectionReasonFr[o.transfer.reasonCode] ?? 'motif de la banque'} (${o.transfer.reasonCode})`
              : '—',
          ])}
        />
      </Page>
    );
  };
  const refusedMessages = (err: unknown) => {
    if (err instanceof RefusedError) return err.refusals.map((r) => localizeRefusal(r, 'fr').message);
    throw err;
  };

  app.get(
    '/console/paiements',
    { config: { sessionRoles: readers }, schema: { hide: true } },
    async (request, reply) => {
      const q = request.query as { mise?: string; reponse?: string; rapport?: string; inchanges?: string };
      return sendPage(
        reply,
        await page(viewer(request, reply), {
          ...(q.mise ? { released: String(q.mise) } : {}),
          ...(q.reponse ? { answered: `L’ordre n° ${String(q.reponse)} a sa réponse.` } : {}),
          ...(q.rapport !== undefined
            ? {
                answered: `Compte rendu importé : ${Number(q.rapport)} réponse(s) enregistrée(s), ${Number(q.inchanges ?? 0)} déjà connue(s).`,
              }
            : {}),
        }),
      );
    },
  );

  app.post(
    '/console/paiements/mise-en-paiement',
    { config: { sessionRoles: who.comptables }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (field(body, 'etape') !== 'confirmer') {
        // the selection, confirmed first; the run's id chosen now, so that a confirmation sent twice is one run
        const ids = Object.keys(body)
          .map((k) => /^ordre-(\d+)$/.exec(k)?.[1])
          .filter((id): id is string => id !== undefined)
          .map(Number);
        if (!ids.length) return sendPage(reply, await page(v, { refused: ['Sélectionnez au moins un ordre validé.'] }));
        const orders = await paymentOrders(deps.engine, { ids });
        return sendPage(reply, await page(v, { confirm: { runId: `paiement-${randomUUID()}`, orders } }));
      }
      const runId = field(body, 'run');
      const orderIds = field(body, 'ordres').split(',').filter(Boolean).map(Number);
      // what the API's schema checks, checked here too (a form is anything a browser sends)
      if (
        !CLIENT_EVENT_ID_PATTERN.test(runId) ||
        !orderIds.length ||
        !orderIds.every((id) => Number.isSafeInteger(id) && id > 0)
      )
        return sendPage(reply, await page(v, { refused: ['Sélectionnez au moins un ordre validé.'] }), 422);
      try {
        await releaseRun(deps.engine, callerOfViewer(v), { runId, orderIds });
      } catch (err) {
        return sendPage(reply, await page(v, { refused: refusedMessages(err) }), 422);
      }
      return reply.redirect(`/console/paiements?mise=${encodeURIComponent(runId)}`, 303);
    },
  );

  app.post(
    '/console/paiements/:runId/reponse',
    { config: { sessionRoles: who.comptables }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const { runId } = request.params as { runId: string };
      const orderId = Number(field(request.body, 'ordre'));
      const issue = field(request.body, 'issue');
      if (!Number.isSafeInteger(orderId) || orderId <= 0 || !answers.some(([value]) => value === issue))
        return sendPage(reply, await page(v, { refused: ['Choisissez un ordre et la réponse de la banque.'] }), 422);
      const answer =
        issue === 'paye'
          ? { orderId, outcome: 'paid' as const }
          : { orderId, outcome: 'rejected' as const, reasonCode: issue };
      try {
        // the same answer sent twice is one answer: its id names the order and the answer
        await recordBankAnswers(deps.engine, callerOfViewer(v), runId, {
          eventId: `console:${runId}:${orderId}:${issue}`.slice(0, 200),
          answers: [answer],
        });
      } catch (err) {
        return sendPage(reply, await page(v, { refused: refusedMessages(err) }), 422);
      }
      return reply.redirect(`/console/paiements?reponse=${orderId}`, 303);
    },
  );

  app.post(
    '/console/paiements/:runId/compte-rendu',
    {
      config: { sessionRoles: who.comptables, uploads: { maxFileBytes: 5 * 2 ** 20 } },
      schema: { hide: true },
      preHandler: app.csrfProtection,
    },
    async (request, reply) => {
      const v = viewer(request, reply);
      const { runId } = request.params as { runId: string };
      const upload = uploadOf(request.body, 'rapport');
      if (!upload)
        return sendPage(reply, await page(v, { refused: ['Choisissez le fichier pain.002 de la banque.'] }), 422);
      let answered: { answered: number; unchanged: number };
      try {
        answered = await importStatusReport(
          deps.engine,
          callerOfViewer(v),
          runId,
          await fs.promises.readFile(upload.path, 'utf8'),
        );
      } catch (err) {
        return sendPage(reply, await page(v, { refused: refusedMessages(err) }), 422);
      }
      return reply.redirect(`/console/paiements?rapport=${answered.answered}&inchanges=${answered.unchanged}`, 303);
    },
  );

  app.get(
    '/console/paiements/:runId/fichier.xml',
    { config: { sessionRoles: readers }, schema: { hide: true } },
    async (request, reply) => {
      const { runId } = request.params as { runId: string };
      const { messageId, file } = await paymentRunFile(deps.engine, runId);
      return reply
        .type('application/xml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${messageId.replace(/[^\w.-]/g, '_')}.xml"`)
        .header('cache-control', 'no-store')
        .send(file);
    },
  );
}
