import { useBdcLabel } from '../views/names';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { bdcState } from '../../client/bdc-events';
import { listBdcs } from '../../client/bdc-reads';
import { knownEditeurs } from '../../client/editeurs';
import { nowOf } from '../../client/context';
import { bdcJournalState } from '../../client/journal';
import { readDocument } from '../../client/documents';
import { effectiveCampaigns } from '../../client/campaigns';
import { bdcStatuses } from '../../domain/bdc-view';
import { statusFr } from '../../domain/messages';
import { refusalsFromZod } from '../../domain/refusal';
import { filterOf, formFieldOf, sortOf, type FilterForm } from '../bdc-filter';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, fieldErrors, queryOf, sendPage, viewer, type Viewer } from '../http';
import { awaitedFr, BdcSummaryPanels, type BdcJournal, type RecordView } from '../views/bdc';
import type { Owed } from '../views/owed';
import { listControls } from '../../client/controls';
import { Page } from '../views/layout';
import {
  Alert,
  Checkbox,
  Csrf,
  Deadline,
  ErrorSummary,
  Euros,
  Input,
  Select,
  Status,
  Table,
  type Heading,
  SolutionName,
} from '../views/ui';
import { bdcActions } from './bdc-actions';
import { BULK_PATH, bulkActions } from './bdc-bulk';
import { ActionSection, takeAction, withheld, type Focus } from '../actions';

const historyUrlOf = (deps: ConsoleDeps, bdcId: string) =>
  deps.temporalUiUrl
    ? `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(bdcId)}`
    : undefined;

function BdcPage({
  v,
  bdc,
  now,
  deps,
  done,
  focus,
  journal,
  owed,
}: {
  v: Viewer;
  bdc: RecordView;
  now: number;
  deps: ConsoleDeps;
  done?: string;
  focus?: Focus;
  journal?: BdcJournal;
  owed?: Owed;
}) {
  const actions = bdcActions.filter((a) => a.roles.includes(v.user.role) && a.offered(bdc));
  const mayDecideSolution = v.user.role === 'operator' && bdc.status === 'awaiting_referencement';
  const vaAwaited =
    v.user.role === 'editeur' &&
    (bdc.status === 'advance_issued' || bdc.status === 'awaiting_va') &&
    !bdc.va &&
    !bdc.cancellation;
  return (
    <Page title={`Bon de commande ${bdc.request.reference}`} user={v.user} csrf={v.csrf} active="/console/bdc">
      <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
        <ol class="fr-breadcrumb__list">
          <li>
            <a class="fr-breadcrumb__link" href="/console/bdc">
              {v.user.role === 'editeur' ? 'Mes bons de commande' : 'Bons de commande'}
            </a>
          </li>
          <li>
            <a class="fr-breadcrumb__link" aria-current="page">
              {useBdcLabel(bdc.bdcId)}
            </a>
          </li>
        </ol>
      </nav>
      {done ? <Alert kind="success" title={done} /> : null}
      {/* what the BDC is first — status, request, money, deadlines —, then what the reader may do about it */}
      <BdcSummaryPanels
        bdc={bdc}
        now={now}
        historyUrl={v.user.role === 'editeur' ? undefined : historyUrlOf(deps, bdc.bdcId)}
        {...(journal ? { journal: v.user.role === 'editeur' ? { ...journal, mismatch: undefined } : journal } : {})}
        {...(owed ? { owed } : {})}
        actions={
          <>
            {vaAwaited ? (
              <p>
                <a class="fr-btn" href={`/console/bdc/${encodeURIComponent(bdc.bdcId)}/va`}>
                  Soumettre la VA signée et la facture
                </a>
              </p>
            ) : null}
            {actions.length || mayDecideSolution ? (
              <section aria-labelledby="actions" class="fr-mb-4w">
                <h2 id="actions" class="fr-h4">
                  Actions
                </h2>
                {actions.map((a) => (
                  <ActionSection
                    action={a}
                    url={`/console/bdc/${encodeURIComponent(bdc.bdcId)}/${a.slug}`}
                    csrf={v.csrf}
                    focus={focus}
                    cancelHref={`/console/bdc/${encodeURIComponent(bdc.bdcId)}`}
                    withheldBecause={withheld(a, v)}
                  />
                ))}
                {mayDecideSolution ? (
                  <p>
                    <a
                      class="fr-link"
                      href={`/console/solutions/${encodeURIComponent(bdc.request.solutionId)}/decision?editeur=${encodeURIComponent(bdc.request.editeurId)}`}
                    >
                      Enregistrer la décision de l’ANS pour toute la solution{' '}
                      <SolutionName id={bdc.request.solutionId} />
                    </a>
                  </p>
                ) : null}
              </section>
            ) : null}
          </>
        }
      />
    </Page>
  );
}

async function recordOf(deps: ConsoleDeps, v: Viewer, bdcId: string): Promise<RecordView> {
  return (await bdcState(deps.engine, callerOfViewer(v), bdcId)) as RecordView;
}

/** An éditeur's controls and demands of money back, by BDC: what its list says each BDC still awaits. */
export async function owedByBdc(deps: ConsoleDeps, editeurId: string): Promise<Map<string, Owed>> {
  const [demands, controls] = await Promise.all([
    deps.engine.money.demands({ editeurId }),
    listControls(deps.engine, { editeurId }),
  ]);
  const byBdc = new Map<string, Owed>();
  const of = (bdcId: string) => byBdc.get(bdcId) ?? byBdc.set(bdcId, { demands: [], controls: [] }).get(bdcId)!;
  for (const d of demands) of(d.bdcId).demands.push(d);
  for (const c of controls) of(c.bdcId).controls.push(c);
  return byBdc;
}

/** A BDC's controls and demands of money back (read once the BDC is known visible to the reader). */
async function owedOf(deps: ConsoleDeps, bdcId: string): Promise<Owed> {
  const [demands, controls] = await Promise.all([
    deps.engine.money.demands({ bdcId }),
    listControls(deps.engine, { bdcId }),
  ]);
  return { demands, controls };
}

/** The BDC list with every filter and its pages, a BDC's page, and the actions on it. */
export function bdcPages(app: Api, deps: ConsoleDeps) {
  const { engine } = deps;

  app.get(
    '/console/bdc',
    { config: { sessionRoles: who.everyone }, schema: { hide: true } },
    async (request, reply) => {
      const v = viewer(request, reply);
      const query = request.query as FilterForm;
      const editeur = v.user.role === 'editeur';
      // an operator repeats an action over several BDCs from here: a box per row
      const bulk = v.user.role === 'operator';
      const parsed = filterOf(query, 50);
      const errors = parsed.success
        ? undefined
        : fieldErrors(refusalsFromZod(parsed.error).map((r) => ({ ...r, path: formFieldOf[r.path] ?? r.path })));
      const [page, campaigns, now, editeurs, owed] = await Promise.all([
        parsed.success ? listBdcs(engine, callerOfViewer(v), parsed.data) : { bdcs: [] },
        effectiveCampaigns(engine),
        nowOf(engine),
        editeur ? [] : knownEditeurs(engine),
        editeur && v.user.editeurId ? owedByBdc(deps, v.user.editeurId) : new Map<string, Owed>(),
      ]);
      const editeurName = new Map(editeurs.map((e) => [e.editeurId, e.name ?? e.editeurId]));
      const sort = sortOf(query);
      // a sortable column's heading: a link to its order (ascending first, then the reverse)
      const sortable = (label: string, key: 'reference' | 'deadline' | 'ceiling'): Heading => {
        const current: 'ascending' | 'descending' | undefined =
          sort === key ? 'ascending' : sort === `-${key}` ? 'descending' : undefined;
        const next = current === 'ascending' ? `-${key}` : key;
        return {
          label: (
            <a href={`/console/bdc${queryOf({ ...query, tri: next, pageToken: undefined })}`}>
              {label}
              {current ? (current === 'ascending' ? ' ↑' : ' ↓') : ''}
              <span class="fr-sr-only">
                {current === 'ascending' ? ' (trier par ordre décroissant)' : ' (trier par ordre croissant)'}
              </span>
            </a>
          ),
          ...(current ? { sort: current } : {}),
        };
      };
      const next =
        'nextPageToken' in page && page.nextPageToken
          ? `/console/bdc${queryOf({ ...query, pageToken: page.nextPageToken })}`
          : undefined;
      const exportUrl = `/console/exports/bdc.csv${queryOf({ ...query, pageToken: undefined })}`;
      return sendPage(
        reply,
        <Page
          title={editeur ? 'Mes bons de commande' : 'Bons de commande'}
          user={v.user}
          csrf={v.csrf}
          active="/console/bdc"
        >
          <form method="get" action="/console/bdc" class="fr-mb-4w" aria-label="Filtrer les bons de commande">
            <ErrorSummary errors={errors} />
            <div class="fr-grid-row fr-grid-row--gutters">
              <div class="fr-col-12 fr-col-md-4">
                <Select
                  name="status"
                  label="Statut"
                  value={query.status}
                  errors={errors}
                  options={[['', 'Tous'], ...bdcStatuses.map((s): [string, string] => [s, statusFr[s] ?? s])]}
                />
              </div>
              <div class="fr-col-12 fr-col-md-4">
                <Select
                  name="campaign"
                  label="Campagne"
                  value={query.campaign}
                  errors={errors}
                  options={[['', 'Toutes'], ...campaigns.map((c): [string, string] => [c.id, c.label])]}
                />
              </div>
              <div class="fr-col-12 fr-col-md-4">
                <Input
                  name="reference"
                  label="Référence"
                  hint="Tout ou partie : « DEMO-1 » trouve aussi DEMO-10"
                  value={query.reference}
                  errors={errors}
                />
              </div>
              {editeur ? null : (
                <div class="fr-col-12 fr-col-md-4">
                  <Input
                    name="editeur"
                    label="Éditeur"
                    hint="Tout ou partie de son nom"
                    value={query.editeur}
                    errors={errors}
                  />
                </div>
              )}
              <div class="fr-col-12 fr-col-md-4">
                <Input
                  name="solution"
                  label="Solution"
                  hint="Tout ou partie de son identifiant"
                  value={query.solution}
                  errors={errors}
                />
              </div>
              <div class="fr-col-12 fr-col-md-4">
                <Input name="og" label="OG (FINESS juridique)" value={query.og} errors={errors} inputMode="numeric" />
              </div>
              <div class="fr-col-12 fr-col-md-4">
                <Input
                  name="essms"
                  label="ESSMS (FINESS géographique)"
                  value={query.essms}
                  errors={errors}
                  inputMode="numeric"
                />
              </div>
              <div class="fr-col-12 fr-col-md-4">
                <Input
                  name="deadlineFrom"
                  label="Prochaine échéance à partir du"
                  type="date"
                  value={query.deadlineFrom}
                  errors={errors}
                />
              </div>
              <div class="fr-col-12 fr-col-md-4">
                <Input
                  name="deadlineTo"
                  label="Prochaine échéance jusqu’au"
                  type="date"
                  value={query.deadlineTo}
                  errors={errors}
                />
              </div>
              <div class="fr-col-12 fr-col-md-4">
                <Checkbox name="overdue" label="Remboursement en retard" checked={query.overdue === 'oui'} />
              </div>
            </div>
            {query.tri ? <input type="hidden" name="tri" value={sort} /> : null}
            <ul class="fr-btns-group fr-btns-group--inline fr-mt-2w">
              <li>
                <button class="fr-btn" type="submit">
                  Filtrer
                </button>
              </li>
              <li>
                <a class="fr-btn fr-btn--secondary" href="/console/bdc">
                  Effacer les filtres
                </a>
              </li>
              <li>
                <a class="fr-btn fr-btn--tertiary" href={exportUrl}>
                  Exporter (tableur)
                </a>
              </li>
            </ul>
          </form>
          <Table
            id="liste-bdc"
            caption="Bons de commande"
            // the status right after the reference: what a reader looks for first, visible on a phone too
            head={
              editeur
                ? [
                    sortable('Référence', 'reference'),
                    'Statut',
                    'Ce qu’il attend',
                    sortable('Prochaine échéance', 'deadline'),
                    'OG',
                    'Campagne',
                  ]
                : [
                    sortable('Référence', 'reference'),
                    'Statut',
                    'Éditeur',
                    'Solution',
                    'OG',
                    'Campagne',
                    sortable('Plafond', 'ceiling'),
                    sortable('Prochaine échéance', 'deadline'),
                  ]
            }
            rows={page.bdcs.map((b) => {
              const link = (
                <>
                  {bulk ? (
                    <input
                      type="checkbox"
                      class="sons-choice"
                      form="lot-bdc"
                      name="choix"
                      value={b.bdcId}
                      aria-label={`Sélectionner ${b.reference || b.bdcId}`}
                    />
                  ) : null}
                  <a href={`/console/bdc/${encodeURIComponent(b.bdcId)}`}>{b.reference || b.bdcId}</a>
                </>
              );
              const due = b.nextDeadline ? <Deadline at={b.nextDeadline} now={now} /> : '—';
              const status = <Status status={b.status} overdue={b.reimbursementOverdue} />;
              // the OG by its name when its registration gave it, its FINESS juridique always
              const og = b.ogName ? `${b.ogName} (${b.og})` : b.og;
              return editeur
                ? [link, status, awaitedFr(b, owed.get(b.bdcId)), due, og, b.campaign]
                : [
                    link,
                    status,
                    editeurName.get(b.editeur) ?? b.editeur,
                    <SolutionName id={b.solution} />,
                    og,
                    b.campaign,
                    <Euros cents={b.ceilingCents} />,
                    due,
                  ];
            })}
          />
          {bulk && page.bdcs.length ? (
            // the boxes of the table's rows belong to this form (their `form` attribute)
            <form id="lot-bdc" method="post" action={BULK_PATH} class="fr-mb-3w" aria-label="Action groupée">
              <Csrf token={v.csrf} />
              <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
                <div class="fr-col-12 fr-col-md-6">
                  <Select
                    name="action"
                    label="Action sur les BDC cochés"
                    placeholder="Choisir une action"
                    options={bulkActions.map((a): [string, string] => [a.slug, a.title])}
                  />
                </div>
                <div class="fr-col-12 fr-col-md-6">
                  <button class="fr-btn fr-btn--secondary fr-mb-3w" type="submit">
                    Continuer
                  </button>
                </div>
              </div>
            </form>
          ) : null}
          {next ? (
            <nav role="navigation" aria-label="Pagination">
              <a class="fr-btn fr-btn--secondary" href={next}>
                Page suivante
              </a>
            </nav>
          ) : null}
        </Page>,
      );
    },
  );

  const donePage = (request: FastifyRequest) => {
    const done = (request.query as { fait?: string }).fait;
    return (
      bdcActions.find((a) => a.slug === done)?.done ??
      (done === 'va' ? 'Votre VA et votre facture sont acceptées.' : undefined)
    );
  };

  app.get(
    '/console/bdc/:bdcId',
    { config: { sessionRoles: who.everyone }, schema: { hide: true } },
    async (request, reply) => {
      const v = viewer(request, reply);
      const bdc = await recordOf(deps, v, (request.params as { bdcId: string }).bdcId);
      const [journal, owed] = await Promise.all([bdcJournalState(engine, bdc.bdcId), owedOf(deps, bdc.bdcId)]);
      return sendPage(
        reply,
        <BdcPage
          v={v}
          bdc={bdc}
          now={await nowOf(engine)}
          deps={deps}
          done={donePage(request)}
          journal={journal}
          owed={owed}
        />,
      );
    },
  );

  app.post(
    '/console/bdc/:bdcId/:action',
    { config: { sessionRoles: who.editeursAndOperators }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const { bdcId, action: slug } = request.params as { bdcId: string; action: string };
      const bdc = await recordOf(deps, viewer(request, reply), bdcId);
      const action = bdcActions.find((a) => a.slug === slug && a.roles.includes(request.principal.role));
      if (!action) return reply.callNotFound();
      const [now, journal, owed] = await Promise.all([
        nowOf(engine),
        bdcJournalState(engine, bdcId),
        owedOf(deps, bdcId),
      ]);
      return takeAction(request, reply, engine, {
        action,
        subject: bdc,
        page: (v, focus) => (
          <BdcPage v={v} bdc={bdc} now={now} deps={deps} focus={focus} journal={journal} owed={owed} />
        ),
        doneUrl: `/console/bdc/${encodeURIComponent(bdcId)}?fait=${action.slug}`,
      });
    },
  );

  app.get(
    '/console/documents/:sha256',
    { config: { sessionRoles: who.everyone }, schema: { hide: true } },
    async (request, reply) => {
      const doc = await readDocument(
        engine,
        callerOfViewer(viewer(request, reply)),
        (request.params as { sha256: string }).sha256,
      );
      return reply
        .type(doc.contentType)
        .header('content-disposition', `attachment; filename="${doc.fileName.replace(/[^\w.-]/g, '_')}"`)
        .send(doc.content);
    },
  );
}
