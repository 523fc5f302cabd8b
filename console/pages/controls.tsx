import { useBdcLabel } from '../views/names';
import { randomUUID } from 'node:crypto';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import {
  checkControlDecision,
  checkDocumentsReceived,
  checkRecoveryReceipt,
  checkRecoverySettlement,
  controlState,
  decideControl,
  drawControls,
  drawOf,
  drawPreview,
  drawRequestSchema,
  listControls,
  recentDraws,
  recordDocumentsReceived,
  recordRecoveryReceived,
  redraw,
  settleRecovery,
} from '../../client/controls';
import { isCivilDate } from '../../domain/calendar';
import { recoveryOutstanding, type ControlView } from '../../domain/control-view';
import { civilDateFr, eurosFr, parisDateTimeFr, parseEurosFr } from '../../domain/french';
import { controlStatusFr, render, say, type Said } from '../../domain/messages';
import { RefusedError, refusalsFromZod } from '../../domain/refusal';
import { ActionSection, takeAction, withheld, type Confirmable, type Focus } from '../actions';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, fieldErrors, queryOf, sendPage, viewer, type Viewer } from '../http';
import { auditFr } from '../views/bdc';
import { Page } from '../views/layout';
import {
  BdcLink,
  Alert,
  Csrf,
  ErrorSummary,
  Euros,
  Hidden,
  Input,
  Select,
  Table,
  When,
  type FieldErrors,
} from '../views/ui';

const fr = (said: Said) => render(said.key, said.params, 'fr') ?? said.message;
const controlLink = (id: string) => `/console/controles/${encodeURIComponent(id)}`;
const StatusOf = ({ status, overdue }: { status: string; overdue?: boolean }) => (
  <span>
    <span class="fr-badge fr-badge--sm fr-badge--no-icon">{controlStatusFr[status] ?? status}</span>
    {overdue ? <span class="fr-badge fr-badge--sm fr-badge--no-icon fr-badge--error sons-ml">En retard</span> : null}
  </span>
);

const day = (v: Record<string, string>, name: string, errors: FieldErrors) =>
  isCivilDate(v[name] ?? '') ? v[name]! : ((errors[name] = [fr(say('civil_date_expected'))]), undefined);

/** A control's actions (console/actions.tsx: checked, confirmed, then sent). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each action checks its own form
const actions: Confirmable<any, ControlView>[] = [
  {
    slug: 'pieces',
    roles: ['operator'],
    done: 'C’est enregistré.',
    title: 'Enregistrer la réception des pièces',
    offered: (c) => c.status === 'documents_requested',
    fields: (v, e) => (
      <Input name="receivedAt" label="Date de réception" type="date" value={v.receivedAt} errors={e} required />
    ),
    parse(v) {
      const errors: FieldErrors = {};
      const receivedOn = day(v, 'receivedAt', errors);
      return receivedOn ? { value: { receivedOn } } : { errors };
    },
    describe: (x: { receivedOn: string }) => `Les pièces demandées ont été reçues le ${civilDateFr(x.receivedOn)}.`,
    check: (ctx, _caller, c) => checkDocumentsReceived(ctx, c.controlId),
    run: (ctx, caller, c, x: { receivedOn: string }, eventId) =>
      recordDocumentsReceived(ctx, caller, c.controlId, { eventId, receivedOn: x.receivedOn }),
  },
  {
    slug: 'decision',
    roles: ['operator'],
    done: 'C’est enregistré.',
    title: 'Décider du contrôle',
    offered: (c) => c.status === 'documents_requested' || c.status === 'under_review',
    fields: (v, e) => (
      <>
        <Select
          name="outcome"
          label="Conclusion"
          placeholder="Choisir une conclusion"
          value={v.outcome}
          errors={e}
          required
          options={[
            ['passed', 'Conforme'],
            ['failed', 'Non conforme : reversement demandé'],
          ]}
        />
        <Input name="findings" label="Constats" value={v.findings} errors={e} required />
        <Input name="reasons" label="Motifs (pour un contrôle non conforme)" value={v.reasons} errors={e} />
        <Input
          name="recoveryCents"
          label="Montant à reverser (€)"
          value={v.recoveryCents}
          errors={e}
          inputMode="decimal"
          hint="Au plus les sommes versées"
        />
      </>
    ),
    parse(v) {
      const errors: FieldErrors = {};
      if (v.outcome !== 'passed' && v.outcome !== 'failed')
        errors.outcome = [fr(say('choose_one', { label: 'la conclusion' }))];
      if (!v.findings) errors.findings = [fr(say('text_required', { label: 'les constats' }))];
      const cents = v.recoveryCents ? parseEurosFr(v.recoveryCents) : undefined;
      if (v.recoveryCents && !cents) errors.recoveryCents = [fr(say('euros_expected'))];
      return Object.keys(errors).length
        ? { errors }
        : {
            value: {
              outcome: v.outcome,
              findings: v.findings!,
              reasons: v.outcome === 'failed' && v.reasons ? [v.reasons] : [],
              ...(cents ? { recoveryCents: cents } : {}),
            },
          };
    },
    describe: (x: { outcome: string; findings: string; recoveryCents?: number }) =>
      x.outcome === 'passed'
        ? `Le contrôle est conforme (${x.findings}).`
        : `Le contrôle est non conforme (${x.findings}) : ${x.recoveryCents ? eurosFr(x.recoveryCents) : '—'} sont demandés en reversement à l’éditeur.`,
    check: (ctx, caller, c, x) => checkControlDecision(ctx, caller, c.controlId, x),
    run: (ctx, caller, c, x, eventId) => decideControl(ctx, caller, c.controlId, { eventId, ...x }),
  },
  {
    slug: 'reversement',
    roles: ['operator'],
    done: 'C’est enregistré.',
    title: 'Enregistrer un reversement reçu',
    offered: (c) => c.status === 'recovery_due',
    fields: (v, e) => (
      <>
        <Input
          name="amountCents"
          label="Montant reçu (€)"
          value={v.amountCents}
          errors={e}
          inputMode="decimal"
          required
        />
        <Input name="receivedAt" label="Date de réception" type="date" value={v.receivedAt} errors={e} required />
      </>
    ),
    parse(v) {
      const errors: FieldErrors = {};
      const cents = parseEurosFr(v.amountCents ?? '');
      if (!cents) errors.amountCents = [fr(say('euros_expected'))];
      const receivedOn = day(v, 'receivedAt', errors);
      return Object.keys(errors).length ? { errors } : { value: { amountCents: cents!, receivedOn: receivedOn! } };
    },
    describe: (x: { amountCents: number; receivedOn: string }) =>
      `Un reversement de ${eurosFr(x.amountCents)} reçu le ${civilDateFr(x.receivedOn)} est enregistré au grand livre.`,
    check: (ctx, caller, c, x) => checkRecoveryReceipt(ctx, caller, c.controlId, x),
    run: (ctx, caller, c, x, eventId) => recordRecoveryReceived(ctx, caller, c.controlId, { eventId, ...x }),
  },
  {
    slug: 'recouvrement',
    roles: ['operator'],
    done: 'C’est enregistré.',
    title: 'Reversement en retard : transmettre au recouvrement ou abandonner',
    offered: (c) => c.status === 'recovery_due' && Boolean(c.recovery?.overdue),
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
            ['escalate', 'Transmettre au recouvrement'],
            ['write_off', 'Abandonner ce qui reste dû'],
          ]}
        />
        <Input name="reason" label="Motif" value={v.reason} errors={e} required />
      </>
    ),
    parse(v) {
      const errors: FieldErrors = {};
      if (v.decision !== 'escalate' && v.decision !== 'write_off')
        errors.decision = [fr(say('choose_one', { label: 'la décision' }))];
      if (!v.reason) errors.reason = [fr(say('text_required', { label: 'le motif' }))];
      return Object.keys(errors).length ? { errors } : { value: { decision: v.decision, reason: v.reason! } };
    },
    describe: (x: { decision: string; reason: string }, c) =>
      x.decision === 'escalate'
        ? `Le reversement est transmis au recouvrement (${x.reason}).`
        : `Les ${eurosFr(recoveryOutstanding(c))} encore dus sont abandonnés (${x.reason}).`,
    check: (ctx, caller, c, x) => checkRecoverySettlement(ctx, caller, c.controlId, x),
    run: (ctx, caller, c, x, eventId) => settleRecovery(ctx, caller, c.controlId, { eventId, ...x }),
  },
];

function ControlPage({ v, control, focus, done }: { v: Viewer; control: ControlView; focus?: Focus; done?: boolean }) {
  const offered = v.user.role === 'operator' ? actions.filter((a) => a.offered(control)) : [];
  const r = control.recovery;
  return (
    <Page
      title={`Contrôle du BDC ${useBdcLabel(control.bdcId)}`}
      user={v.user}
      csrf={v.csrf}
      active="/console/controles"
    >
      {done ? <Alert kind="success" title="C’est enregistré." /> : null}
      <p>
        <StatusOf status={control.status} overdue={control.documents.overdue || r?.overdue} /> — tirage {control.drawId}
        , confié à {control.assignedTo} — <a href={`/console/bdc/${encodeURIComponent(control.bdcId)}`}>voir le BDC</a>
      </p>
      <Table
        caption="Pièces et reversement"
        head={[
          'Pièces demandées',
          'À transmettre avant le',
          'Reçues le',
          'Versé au BDC',
          'Reversement demandé',
          'Reçu',
          'Abandonné',
        ]}
        rows={[
          [
            control.documents.requested.join(', '),
            <When at={control.documents.dueAt} />,
            <When at={control.documents.receivedAt} withTime={false} />,
            <Euros cents={control.paidCents} />,
            <Euros cents={r?.amountCents} />,
            <Euros cents={r?.receivedCents} />,
            <Euros cents={r?.writtenOffCents} />,
          ],
        ]}
      />
      {offered.map((a) => (
        <ActionSection
          action={a}
          url={`${controlLink(control.controlId)}/${a.slug}`}
          csrf={v.csrf}
          focus={focus}
          cancelHref={controlLink(control.controlId)}
          withheldBecause={withheld(a, v)}
        />
      ))}
      <h2 class="fr-h4">Historique</h2>
      <ol class="sons-timeline">
        {control.audit.map((e) => (
          <li>
            <When at={e.at} /> — {auditFr(e)}
          </li>
        ))}
      </ol>
    </Page>
  );
}

const drawFields = ['seed', 'rate', 'size', 'assignedTo', 'documents', 'documentsDueOn'] as const;

function DrawForm({
  v,
  values,
  errors,
  confirming,
}: {
  v: Viewer;
  values: Record<string, string>;
  errors?: FieldErrors;
  /** the draw checked and said in words, with its counts: confirmed, or taken back */
  confirming?: string;
}) {
  if (confirming)
    return (
      <form method="post" action="/console/controles/tirages" noValidate>
        <Csrf token={v.csrf} />
        {Object.entries(values).map(([name, value]) => (
          <Hidden name={name} value={value} />
        ))}
        <Hidden name="etape" value="confirmer" />
        <Alert kind="warning" title="Confirmez-vous ?">
          <p id="tirage-a-confirmer">{confirming}</p>
        </Alert>
        <ul class="fr-btns-group fr-btns-group--inline">
          <li>
            <button class="fr-btn" type="submit">
              Confirmer
            </button>
          </li>
          <li>
            <a
              class="fr-btn fr-btn--secondary"
              href={`/console/controles${queryOf(Object.fromEntries(drawFields.map((n) => [n, values[n]])))}`}
            >
              Retour
            </a>
          </li>
        </ul>
      </form>
    );
  return (
    <form method="post" action="/console/controles/tirages" noValidate>
      <Csrf token={v.csrf} />
      <Hidden name="eventId" value={values.eventId ?? randomUUID()} />
      <Hidden name="etape" value="verifier" />
      <ErrorSummary errors={errors} />
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-4">
          <Input
            name="seed"
            label="Graine du tirage"
            value={values.seed}
            errors={errors}
            required
            hint="Le même tirage se refait à l’identique avec la même graine."
          />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <Input
            name="rate"
            label="Taux par strate (%)"
            value={values.rate}
            errors={errors}
            inputMode="decimal"
            hint="Ou une taille ci-contre"
          />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <Input name="size" label="Nombre de BDC" value={values.size} errors={errors} inputMode="numeric" />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <Input
            name="assignedTo"
            label="Contrôleur"
            value={values.assignedTo ?? v.user.name}
            errors={errors}
            required
          />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <Input
            name="documents"
            label="Pièces demandées"
            value={values.documents ?? 'contrat avec l’OG, preuve de déploiement'}
            errors={errors}
            required
            hint="Séparées par des virgules"
          />
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <Input
            name="documentsDueOn"
            label="À transmettre avant le"
            type="date"
            value={values.documentsDueOn}
            errors={errors}
            required
          />
        </div>
      </div>
      <button class="fr-btn fr-btn--secondary" type="submit">
        Vérifier le tirage avant de l’ouvrir
      </button>
    </form>
  );
}

/** A draw in words before it is made: the controls it opens, the éditeurs it writes to, what they are asked. */
function drawFr(
  p: { population: number; controls: number; editeurs: number },
  r: { documents: string[]; documentsDueOn: string },
): string {
  const controls = p.controls === 1 ? '1 contrôle' : `${p.controls} contrôles`;
  const editeurs = p.editeurs === 1 ? '1 éditeur' : `${p.editeurs} éditeurs`;
  return `Le tirage retient ${p.controls} BDC parmi les ${p.population} BDC terminés : il ouvre ${controls} et écrit par courriel à ${editeurs} pour ${p.editeurs === 1 ? 'lui' : 'leur'} demander ${r.documents.join(', ')} avant le ${civilDateFr(r.documentsDueOn)}.`;
}

/** A posteriori controls: the draws (reproducible), the controls, each one's page and actions. */
export function controlPages(app: Api, { engine }: ConsoleDeps) {
  const listPage = async (
    v: Viewer,
    form?: { values: Record<string, string>; errors?: FieldErrors; confirming?: string },
  ) => {
    const [controls, draws] = await Promise.all([listControls(engine, {}), recentDraws(engine)]);
    return (
      <Page title="Contrôles a posteriori" user={v.user} csrf={v.csrf} active="/console/controles">
        {v.user.role === 'operator' ? (
          <section class="fr-mb-4w" aria-labelledby="tirage">
            <h2 id="tirage" class="fr-h4">
              Nouveau tirage
            </h2>
            <p class="fr-text--sm">
              Parmi les BDC terminés, stratifiés par campagne, éditeur et tranche ; chaque BDC tiré reçoit un contrôle
              durable.
            </p>
            <DrawForm v={v} values={form?.values ?? {}} errors={form?.errors} confirming={form?.confirming} />
          </section>
        ) : null}
        <h2 class="fr-h4">Tirages</h2>
        <Table
          caption="Tirages"
          head={['Tirage', 'Graine', 'Population', 'Le', 'Par']}
          rows={draws.map((d) => [
            <a href={`/console/controles/tirages/${encodeURIComponent(d.drawId)}`}>du {parisDateTimeFr(d.drawnAt)}</a>,
            d.seed,
            String(d.population),
            <When at={d.drawnAt} />,
            d.drawnBy,
          ])}
        />
        <h2 class="fr-h4">Contrôles</h2>
        <Table
          id="liste-controles"
          caption="Contrôles"
          head={['Contrôle', 'BDC', 'Statut', 'Contrôleur', 'Reversement']}
          rows={controls.map((c) => [
            <a href={controlLink(c.controlId)}>{c.controlId}</a>,
            <BdcLink id={c.bdcId} />,
            <StatusOf status={c.status} overdue={c.documents.overdue || c.recovery?.overdue} />,
            c.assignedTo,
            <Euros cents={c.recovery?.amountCents} />,
          ])}
        />
      </Page>
    );
  };

  app.get(
    '/console/controles',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (request, reply) => {
      // « Retour » from a draw's confirmation brings its form back as it was filled
      const query = request.query as Record<string, unknown>;
      const values = Object.fromEntries(
        drawFields.map((n) => [n, typeof query[n] === 'string' ? query[n] : '']).filter(([, x]) => x !== ''),
      ) as Record<string, string>;
      return sendPage(reply, await listPage(viewer(request, reply), { values }));
    },
  );

  app.post(
    '/console/controles/tirages',
    { config: { sessionRoles: who.operators }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const values = Object.fromEntries(
        ['eventId', 'endedBefore', ...drawFields].map((n) => [n, field(request.body, n)]).filter(([, x]) => x !== ''),
      ) as Record<string, string>;
      const refused = async (errors: FieldErrors) => sendPage(reply, await listPage(v, { values, errors }), 422);
      const errors: FieldErrors = {};
      const rate = values.rate ? Number(values.rate.replace(',', '.')) / 100 : undefined;
      const size = values.size ? Number(values.size) : undefined;
      if (
        (rate === undefined) === (size === undefined) ||
        (rate !== undefined && !(rate > 0 && rate <= 1)) ||
        (size !== undefined && !(Number.isInteger(size) && size > 0))
      )
        errors.rate = [fr(say('sample_size'))];
      if (!values.seed) errors.seed = [fr(say('text_required', { label: 'la graine' }))];
      if (!isCivilDate(values.documentsDueOn ?? '')) errors.documentsDueOn = [fr(say('civil_date_expected'))];
      if (Object.keys(errors).length) return refused(errors);
      // the API's own schema: what it would refuse is refused here, before any confirmation
      const parsed = drawRequestSchema.safeParse({
        eventId: values.eventId ?? randomUUID(),
        seed: values.seed!,
        ...(rate !== undefined ? { rate } : { size: size! }),
        ...(values.endedBefore ? { endedBefore: values.endedBefore } : {}),
        assignedTo: values.assignedTo ?? v.user.name,
        documents: (values.documents ?? '')
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean),
        documentsDueOn: values.documentsDueOn!,
        recoveryDueDays: 30,
      });
      if (!parsed.success) return refused(fieldErrors(refusalsFromZod(parsed.error)));
      try {
        if (field(request.body, 'etape') !== 'confirmer') {
          const preview = await drawPreview(engine, parsed.data);
          if (preview.refusals.length) return refused(fieldErrors(preview.refusals));
          // the instant the preview counted at goes with the confirmation: the draw confirmed is the one shown
          const shown = { ...values, endedBefore: preview.endedBefore };
          return sendPage(reply, await listPage(v, { values: shown, confirming: drawFr(preview, parsed.data) }));
        }
        const draw = await drawControls(engine, callerOfViewer(v), parsed.data);
        return reply.redirect(`/console/controles/tirages/${encodeURIComponent(draw.drawId)}`, 303);
      } catch (err) {
        if (err instanceof RefusedError) return refused(fieldErrors(err.refusals));
        throw err;
      }
    },
  );

  app.get(
    '/console/controles/tirages/:drawId',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (request, reply) => {
      const v = viewer(request, reply);
      const { drawId } = request.params as { drawId: string };
      const [draw, again] = await Promise.all([drawOf(engine, drawId), redraw(engine, drawId)]);
      return sendPage(
        reply,
        <Page
          title={`Tirage du ${parisDateTimeFr(draw.drawnAt)}`}
          user={v.user}
          csrf={v.csrf}
          active="/console/controles"
        >
          <p>
            Graine « {draw.seed} », {draw.population} BDC terminés dans la population, {draw.sample.length} tirés, le{' '}
            <When at={draw.drawnAt} /> par {draw.drawnBy}.
          </p>
          <Alert
            kind={again.samePopulation && again.sameSample ? 'success' : 'error'}
            title={
              again.samePopulation && again.sameSample
                ? 'Tiré à nouveau à l’identique'
                : 'Le tirage ne se refait pas à l’identique'
            }
          >
            <p>
              Même population : {again.samePopulation ? 'oui' : 'non'} ; même échantillon :{' '}
              {again.sameSample ? 'oui' : 'non'}.
            </p>
          </Alert>
          <Table
            caption="Échantillon"
            head={['BDC', 'Strate (campagne | éditeur | tranche)', 'Rang SHA-256', 'Contrôle']}
            rows={draw.sample.map((s) => [
              <BdcLink id={s.bdcId} />,
              s.stratum,
              <span class="sons-hash">{s.rank.slice(0, 16)}…</span>,
              <a href={controlLink(`control:${drawId}:${s.bdcId}`)}>ouvrir</a>,
            ])}
          />
        </Page>,
      );
    },
  );

  app.get(
    '/console/controles/:controlId',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (request, reply) =>
      sendPage(
        reply,
        <ControlPage
          v={viewer(request, reply)}
          control={await controlState(engine, (request.params as { controlId: string }).controlId)}
          done={(request.query as { fait?: string }).fait !== undefined}
        />,
      ),
  );

  app.post(
    '/console/controles/:controlId/:action',
    { config: { sessionRoles: who.operators }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const { controlId, action: slug } = request.params as { controlId: string; action: string };
      const control = await controlState(engine, controlId);
      const action = actions.find((a) => a.slug === slug);
      if (!action) return reply.callNotFound();
      return takeAction(request, reply, engine, {
        action,
        subject: control,
        page: (v, focus) => <ControlPage v={v} control={control} focus={focus} />,
        doneUrl: `${controlLink(controlId)}?fait=${slug}`,
      });
    },
  );
}
