import { randomUUID } from 'node:crypto';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { batchProgress } from '../../client/batches';
import {
  amendCalendar,
  calendarDryRun,
  campaignById,
  effectiveCampaigns,
  type DryRunLine,
} from '../../client/campaigns';
import { nowOf } from '../../client/context';
import { decideSolution, solutionDecisionPlan } from '../../client/solutions';
import { solutionDecisionFr } from './bdc-actions';
import { endOfParisDay, isCivilDate } from '../../domain/calendar';
import { civilDateFr } from '../../domain/french';
import { render, say, statusFr } from '../../domain/messages';
import { RefusedError } from '../../domain/refusal';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, fieldErrors, queryOf, sendPage, viewer, type Viewer } from '../http';
import { Page } from '../views/layout';
import { solutionLabel } from '../views/names';
import {
  BdcLink,
  Alert,
  Checkbox,
  Csrf,
  ErrorSummary,
  Hidden,
  Input,
  Select,
  Table,
  When,
  type FieldErrors,
} from '../views/ui';

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

type DryRun = Awaited<ReturnType<typeof calendarDryRun>>;

/** The BDCs whose closing the amendment moves (or passes): what applying it changes, and the count it says. */
const changedBy = (plan: DryRun) =>
  plan.bdcs.filter((l) => l.effect !== 'unchanged' && l.effect !== 'milestone passed: unaffected').length;

/**
 * An amendment's dry run: each running BDC and what the amendment does to it, then the confirmation —
 * applying it to the BDCs it changes, counted; or, when it changes none, only the way back.
 */
function DryRunPage({
  v,
  campaignId,
  values,
  plan,
  ordersOpen,
  errors,
}: {
  v: Viewer;
  campaignId: string;
  values: Record<string, string>;
  plan: DryRun;
  /** BDCs may still be ordered once amended: the new calendar is theirs, whatever the running BDCs */
  ordersOpen: boolean;
  errors?: FieldErrors;
}) {
  const changed = changedBy(plan);
  const campaignChanges = ordersOpen || values.orderDeadline !== undefined;
  const back = (
    <a class="fr-btn fr-btn--secondary" href="/console/campagnes">
      Retour
    </a>
  );
  return (
    <Page title={`Avenant au calendrier — ${campaignId}`} user={v.user} csrf={v.csrf} active="/console/campagnes">
      <ErrorSummary errors={errors} />
      <p id="bilan">
        Simulation sur les {plan.runningBdcs} BDC en cours de la campagne : {changed} BDC modifié(s), dont{' '}
        {plan.outcomeChanges} deviendraient caducs aussitôt ; {plan.runningBdcs - changed} non concerné(s) ou
        inchangé(s).
      </p>
      <Table
        id="simulation"
        caption="Effet de l’avenant sur chaque BDC en cours"
        head={['BDC', 'Statut', 'Clôture actuelle', 'Nouvelle clôture', 'Effet']}
        rows={plan.bdcs.map((l) => [
          <BdcLink id={l.bdcId} />,
          statusFr[l.status] ?? l.status,
          <When at={l.closing} />,
          <When at={l.newClosing} />,
          effectFr[l.effect],
        ])}
      />
      {changed === 0 && !campaignChanges ? (
        <>
          <Alert kind="info" title="Cet avenant ne modifie aucun BDC en cours">
            <p>Il n’y a rien à appliquer : revenez au calendrier pour changer l’avenant.</p>
          </Alert>
          {back}
        </>
      ) : (
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
                errors={errors}
                label={`Je confirme : ${plan.outcomeChanges} BDC deviennent caducs et leur avance est demandée en remboursement`}
              />
            </Alert>
          ) : null}
          <ul class="fr-btns-group fr-btns-group--inline">
            <li>
              <button class="fr-btn" type="submit">
                {changed > 0
                  ? `Appliquer l’avenant aux ${changed} BDC`
                  : 'Appliquer l’avenant à la campagne (aucun BDC en cours modifié)'}
              </button>
            </li>
            <li>{back}</li>
          </ul>
        </form>
      )}
    </Page>
  );
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
        const [plan, campaign, now] = await Promise.all([
          calendarDryRun(engine, campaignId, parsed.value),
          campaignById(engine, campaignId),
          nowOf(engine),
        ]);
        const ordersOpen = endOfParisDay(parsed.value.orderDeadline ?? campaign.orderDeadline).getTime() >= now;
        const dryRun = (errors?: FieldErrors, status = 200) =>
          sendPage(
            reply,
            <DryRunPage
              v={v}
              campaignId={campaignId}
              values={values}
              plan={plan}
              ordersOpen={ordersOpen}
              errors={errors}
            />,
            status,
          );
        if (field(request.body, 'etape') === 'appliquer') {
          // the dry run's own check, next to its checkbox: an amendment lapsing BDCs is confirmed explicitly
          if (plan.requiresConfirmation && values.confirmed !== 'oui')
            return dryRun({ confirmed: [fr(say('confirmation_required', { lapsing: plan.outcomeChanges }))] }, 422);
          const { batchId } = await amendCalendar(engine, callerOfViewer(v), campaignId, {
            ...parsed.value,
            eventId: values.eventId ?? randomUUID(),
            confirmed: values.confirmed === 'oui',
          });
          return reply.redirect(`/console/traitements/${encodeURIComponent(batchId)}`, 303);
        }
        return dryRun();
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
                <BdcLink id={p.bdcId} />,
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
    <Page
      title={`Décision de l’ANS — solution ${solutionLabel(solutionId, v.names.solutions)}`}
      user={v.user}
      csrf={v.csrf}
      active="/console/bdc"
    >
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
            <ul class="fr-btns-group fr-btns-group--inline">
              <li>
                <button class="fr-btn" type="submit">
                  Confirmer
                </button>
              </li>
              <li>
                {/* back to the form as it was filled, nothing recorded */}
                <a
                  class="fr-btn fr-btn--secondary"
                  href={`/console/solutions/${encodeURIComponent(solutionId)}/decision${queryOf({
                    editeur: values.editeur,
                    decision: values.decision,
                    decidedOn: values.decidedOn,
                  })}`}
                >
                  Retour
                </a>
              </li>
            </ul>
          </>
        ) : (
          <>
            <Hidden name="etape" value="verifier" />
            <Select
              name="decision"
              label="Décision"
              placeholder="Choisir une décision"
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
        decisionPage(
          viewer(request, reply),
          (request.params as { solutionId: string }).solutionId,
          // « Retour » from the confirmation brings the form back as it was filled
          Object.fromEntries(
            ['editeur', 'decision', 'decidedOn']
              .map((n) => [n, String((request.query as Record<string, unknown>)[n] ?? '')])
              .filter(([, x]) => x !== ''),
          ),
        ),
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
        // the rules the decision meets when confirmed are checked now, and its reach counted
        const plan = await solutionDecisionPlan(engine, solutionId, { decision, decidedOn: values.decidedOn! });
        if (plan.refusals.length)
          return sendPage(reply, decisionPage(v, solutionId, values, fieldErrors(plan.refusals)), 422);
        return sendPage(
          reply,
          decisionPage(
            v,
            solutionId,
            values,
            undefined,
            solutionDecisionFr(solutionLabel(solutionId, v.names.solutions), decision, values.decidedOn!, plan.bdcs),
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
