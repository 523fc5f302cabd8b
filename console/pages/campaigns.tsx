import { randomUUID } from 'node:crypto';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { batchProgress } from '../../client/batches';
import { amendCalendar, calendarDryRun, effectiveCampaigns, type DryRunLine } from '../../client/campaigns';
import { decideSolution } from '../../client/solutions';
import { isCivilDate } from '../../domain/calendar';
import { civilDateFr } from '../../domain/french';
import { render, say, statusFr } from '../../domain/messages';
import { RefusedError } from '../../domain/refusal';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, fieldErrors, sendPage, viewer, type Viewer } from '../http';
import { Page } from '../views/layout';
import { Alert, Checkbox, Csrf, ErrorSummary, Hidden, Input, Select, Table, When, type FieldErrors } from '../views/ui';

const effectFr: Record<DryRunLine['effect'], string> = {
  'lapses at once': 'devient caduc aussitôt',
  'closing moves earlier': 'clôture avancée',
  'closing moves later': 'clôture repoussée',
  unchanged: 'inchangé',
  'milestone passed: unaffected': 'échéance passée : non concerné',
};
const fr = (said: ReturnType<typeof say>) => render(said.key, said.params, 'fr') ?? said.message;

function AmendForm({
  v,
  campaignId,
  values,
  errors,
}: {
  v: Viewer;
  campaignId: string;
  values: Record<string, string>;
  errors?: FieldErrors;
}) {
  return (
    <form method="post" action={`/console/campagnes/${campaignId}/calendrier`} noValidate>
      <Csrf token={v.csrf} />
      <Hidden name="eventId" value={values.eventId ?? randomUUID()} />
      <Hidden name="etape" value="simuler" />
      <ErrorSummary errors={errors} />
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-4">
          <Input
            name="orderDeadline"
            label="Nouvelle fermeture des commandes"
            type="date"
            value={values.orderDeadline}
            errors={errors}
          />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <Input
            name="closingDate"
            label="Nouvelle clôture (VA et facture)"
            type="date"
            value={values.closingDate}
            errors={errors}
            hint="La journée se termine à 23:59 (heure de Paris)."
          />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <Input name="reason" label="Motif de l’avenant" value={values.reason} errors={errors} required />
        </div>
      </div>
      <button class="fr-btn fr-btn--secondary" type="submit">
        Simuler l’avenant
      </button>
    </form>
  );
}

/** The form's amendment, or the fields' problems. */
function amendmentOf(
  values: Record<string, string>,
): { value: { orderDeadline?: string; closingDate?: string; reason: string } } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  for (const name of ['orderDeadline', 'closingDate'])
    if (values[name] && !isCivilDate(values[name])) errors[name] = [fr(say('civil_date_expected'))];
  if (!values.orderDeadline && !values.closingDate) errors.closingDate = [fr(say('amendment_empty'))];
  if (!values.reason) errors.reason = [fr(say('text_required', { label: 'le motif' }))];
  return Object.keys(errors).length
    ? { errors }
    : {
        value: {
          ...(values.orderDeadline ? { orderDeadline: values.orderDeadline } : {}),
          ...(values.closingDate ? { closingDate: values.closingDate } : {}),
          reason: values.reason!,
        },
      };
}

/** Campaigns and their calendars (amended through a dry run first), batches' progress, a solution's decision. */
export function campaignPages(app: Api, deps: ConsoleDeps) {
  const { engine } = deps;

  const campaignsPage = async (
    v: Viewer,
    focus?: { campaignId: string; values: Record<string, string>; errors?: FieldErrors },
    status = 200,
  ) => {
    const campaigns = await effectiveCampaigns(engine);
    return {
      status,
      page: (
        <Page title="Campagnes" user={v.user} csrf={v.csrf} active="/console/campagnes">
          {campaigns.map((c) => (
            <section class="fr-card fr-p-3w fr-mb-3w" aria-labelledby={`campagne-${c.id}`}>
              <h2 class="fr-h4" id={`campagne-${c.id}`}>
                {c.label}
              </h2>
              <p class="fr-text--sm">
                {c.id} — vague {c.vague}, couloir {c.couloir}
              </p>
              <Table
                caption={`Calendrier de ${c.id}`}
                head={['Ouverture', 'Fermeture des commandes', 'Clôture', 'Référencement', 'Avance', 'Remboursement']}
                rows={[
                  [
                    civilDateFr(c.openingDate),
                    civilDateFr(c.orderDeadline),
                    c.closingAt ? <When at={c.closingAt} /> : civilDateFr(c.closingDate),
                    `${c.referencementDelayDays} jours`,
                    `${c.advanceRateBasisPoints / 100} %`,
                    `${c.reimbursementDueDays} jours`,
                  ],
                ]}
              />
              {v.user.role === 'operator' ? (
                <details open={focus?.campaignId === c.id}>
                  <summary>Modifier le calendrier (avenant)</summary>
                  <AmendForm
                    v={v}
                    campaignId={c.id}
                    values={focus?.campaignId === c.id ? focus.values : {}}
                    errors={focus?.campaignId === c.id ? focus.errors : undefined}
                  />
                </details>
              ) : null}
            </section>
          ))}
        </Page>
      ),
    };
  };

  app.get(
    '/console/campagnes',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (request, reply) => {
      const { page } = await campaignsPage(viewer(request, reply));
      return sendPage(reply, page);
    },
  );

  app.post(
    '/console/campagnes/:campaignId/calendrier',
    { config: { sessionRoles: who.operators }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const { campaignId } = request.params as { campaignId: string };
      const values = Object.fromEntries(
        ['eventId', 'orderDeadline', 'closingDate', 'reason', 'confirmed']
          .map((n) => [n, field(request.body, n)])
          .filter(([, x]) => x !== ''),
      ) as Record<string, string>;
      const again = async (errors: FieldErrors, status = 422) => {
        const { page } = await campaignsPage(v, { campaignId, values, errors }, status);
        return sendPage(reply, page, status);
      };
      const parsed = amendmentOf(values);
      if ('errors' in parsed) return again(parsed.errors);
      try {
        if (field(request.body, 'etape') === 'appliquer') {
          const { batchId } = await amendCalendar(engine, callerOfViewer(v), campaignId, {
            ...parsed.value,
            eventId: values.eventId ?? randomUUID(),
            confirmed: values.confirmed === 'oui',
          });
          return reply.redirect(`/console/traitements/${encodeURIComponent(batchId)}`, 303);
        }
        const plan = await calendarDryRun(engine, campaignId, parsed.value);
        return sendPage(
          reply,
          <Page title={`Avenant au calendrier — ${campaignId}`} user={v.user} csrf={v.csrf} active="/console/campagnes">
            <p>
              Simulation sur les {plan.runningBdcs} BDC en cours de la campagne : {plan.outcomeChanges} deviendraient
              caducs aussitôt.
            </p>
            <Table
              id="simulation"
              caption="Effet de l’avenant sur chaque BDC en cours"
              head={['BDC', 'Statut', 'Clôture actuelle', 'Nouvelle clôture', 'Effet']}
              rows={plan.bdcs.map((l) => [
                <a href={`/console/bdc/${encodeURIComponent(l.bdcId)}`}>{l.bdcId}</a>,
                statusFr[l.status] ?? l.status,
                <When at={l.closing} />,
                <When at={l.newClosing} />,
                effectFr[l.effect],
              ])}
            />
            <form method="post" action={`/console/campagnes/${campaignId}/calendrier`}>
              <Csrf token={v.csrf} />
              {Object.entries(values)
                .filter(([k]) => k !== 'confirmed')
                .map(([name, value]) => (
                  <Hidden name={name} value={value} />
                ))}
              <Hidden name="etape" value="appliquer" />
              {plan.requiresConfirmation ? (
                <Alert kind="warning" title="Cet avenant place une échéance dans le passé">
                  <Checkbox
                    name="confirmed"
                    label={`Je confirme : ${plan.outcomeChanges} BDC deviennent caducs et leur avance est demandée en remboursement`}
                  />
                </Alert>
              ) : null}
              <ul class="fr-btns-group fr-btns-group--inline">
                <li>
                  <button class="fr-btn" type="submit">
                    Appliquer l’avenant aux {plan.runningBdcs} BDC
                  </button>
                </li>
                <li>
                  <a class="fr-btn fr-btn--secondary" href="/console/campagnes">
                    Ne rien faire
                  </a>
                </li>
              </ul>
            </form>
          </Page>,
        );
      } catch (err) {
        if (err instanceof RefusedError)
          return again(
            fieldErrors(err.refusals.map((r) => (r.path === 'confirmed' ? { ...r, path: 'closingDate' } : r))),
          );
        throw err;
      }
    },
  );

  app.get(
    '/console/traitements/:batchId',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (request, reply) => {
      const v = viewer(request, reply);
      const progress = await batchProgress(engine, (request.params as { batchId: string }).batchId);
      const handled = progress.applied + progress.skipped + progress.failed;
      return sendPage(
        reply,
        <Page
          title={
            progress.kind === 'calendar'
              ? 'Avenant au calendrier : application'
              : 'Décision de référencement : application'
          }
          user={v.user}
          csrf={v.csrf}
          refresh={progress.done ? undefined : 2}
        >
          <p>
            <progress max={progress.total ?? 1} value={handled} aria-label="Avancement">
              {handled} / {progress.total ?? '?'}
            </progress>
          </p>
          <p role="status" id="avancement">
            {progress.done ? 'Terminé' : 'En cours'} : {progress.applied} appliqué(s), {progress.skipped} écarté(s),{' '}
            {progress.failed} en échec, sur {progress.total ?? '?'} BDC.
          </p>
          {progress.problems.length ? (
            <Table
              caption="BDC écartés ou en échec"
              head={['BDC', 'Issue', 'Motif']}
              rows={progress.problems.map((p) => [
                <a href={`/console/bdc/${encodeURIComponent(p.bdcId)}`}>{p.bdcId}</a>,
                p.outcome === 'failed' ? 'en échec' : 'écarté',
                p.reason,
              ])}
            />
          ) : null}
        </Page>,
      );
    },
  );

  const decisionPage = (
    v: Viewer,
    solutionId: string,
    values: Record<string, string>,
    errors?: FieldErrors,
    confirming?: string,
  ) => (
    <Page title={`Décision de l’ANS — solution ${solutionId}`} user={v.user} csrf={v.csrf} active="/console/bdc">
      <p>
        La décision vaut pour la solution : les BDC qui l’attendent la reçoivent par un traitement durable, ceux
        enregistrés ensuite la suivent d’emblée.
      </p>
      <form method="post" action={`/console/solutions/${encodeURIComponent(solutionId)}/decision`} noValidate>
        <Csrf token={v.csrf} />
        <Hidden name="eventId" value={values.eventId ?? randomUUID()} />
        {values.editeur ? <Hidden name="editeur" value={values.editeur} /> : null}
        <ErrorSummary errors={errors} />
        {confirming ? (
          <>
            <Hidden name="decision" value={values.decision!} />
            <Hidden name="decidedOn" value={values.decidedOn!} />
            <Hidden name="etape" value="confirmer" />
            <Alert kind="warning" title="Confirmez-vous ?">
              <p>{confirming}</p>
            </Alert>
            <button class="fr-btn" type="submit">
              Confirmer
            </button>
          </>
        ) : (
          <>
            <Hidden name="etape" value="verifier" />
            <Select
              name="decision"
              label="Décision"
              value={values.decision}
              errors={errors}
              required
              options={[
                ['granted', 'Référencement accordé'],
                ['refused', 'Référencement refusé'],
              ]}
            />
            <Input
              name="decidedOn"
              label="Date de la décision"
              type="date"
              value={values.decidedOn}
              errors={errors}
              required
            />
            <button class="fr-btn fr-btn--secondary" type="submit">
              Vérifier avant d’envoyer
            </button>
          </>
        )}
      </form>
    </Page>
  );

  app.get(
    '/console/solutions/:solutionId/decision',
    { config: { sessionRoles: who.operators }, schema: { hide: true } },
    async (request, reply) =>
      sendPage(
        reply,
        decisionPage(viewer(request, reply), (request.params as { solutionId: string }).solutionId, {
          editeur: (request.query as { editeur?: string }).editeur ?? '',
        }),
      ),
  );

  app.post(
    '/console/solutions/:solutionId/decision',
    { config: { sessionRoles: who.operators }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const { solutionId } = request.params as { solutionId: string };
      const values = Object.fromEntries(
        ['eventId', 'decision', 'decidedOn', 'editeur']
          .map((n) => [n, field(request.body, n)])
          .filter(([, x]) => x !== ''),
      ) as Record<string, string>;
      const errors: FieldErrors = {};
      if (values.decision !== 'granted' && values.decision !== 'refused')
        errors.decision = [fr(say('choose_one', { label: 'la décision' }))];
      if (!isCivilDate(values.decidedOn ?? '')) errors.decidedOn = [fr(say('civil_date_expected'))];
      if (Object.keys(errors).length) return sendPage(reply, decisionPage(v, solutionId, values, errors), 422);
      const decision = values.decision as 'granted' | 'refused';
      if (field(request.body, 'etape') !== 'confirmer') {
        return sendPage(
          reply,
          decisionPage(
            v,
            solutionId,
            values,
            undefined,
            `Le référencement de la solution ${solutionId} est ${decision === 'granted' ? 'accordé' : 'refusé'} le ${civilDateFr(values.decidedOn!)}, pour tous ses BDC.`,
          ),
        );
      }
      try {
        const { batchId } = await decideSolution(
          engine,
          callerOfViewer(v),
          solutionId,
          { eventId: values.eventId ?? randomUUID(), decision, decidedOn: values.decidedOn! },
          values.editeur || undefined,
        );
        return reply.redirect(`/console/traitements/${encodeURIComponent(batchId)}`, 303);
      } catch (err) {
        if (err instanceof RefusedError)
          return sendPage(reply, decisionPage(v, solutionId, values, fieldErrors(err.refusals)), 422);
        throw err;
      }
    },
  );
}
