import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { unpayableEditeurs } from '../../client/editeurs';
import { awaitingValidation } from '../../client/reports';
import { listProposals, rejectProposal, validateProposal, type ListedProposal } from '../../client/proposals';
import { localizeRefusal } from '../../domain/localize';
import { proposalFr, render } from '../../domain/messages';
import { decisionRefusals, proposalKinds, type ProposalKind } from '../../domain/proposals';
import { RefusedError } from '../../domain/refusal';
import type { Actor } from '../../domain/roles';
import type { ConsoleDeps } from '../context';
import { withheld } from '../actions';
import { callerOfViewer, field, fieldValues, sendPage, viewer, type Viewer } from '../http';
import { Page } from '../views/layout';
import { Alert, ErrorSummary, Csrf, Euros, Hidden, Select, Table, When } from '../views/ui';

const PATH = '/console/ordres-a-valider';
/** how many proposals the page lists, oldest first (the ageing table counts them all) */
const LISTED = 500;
const ageingFr: Record<string, string> = {
  '0-1': 'moins de 2 jours',
  '2-7': '2 à 7 jours',
  '8-30': '8 à 30 jours',
  '31+': 'plus de 30 jours',
};

/** A proposal named in a form: its process, its process's id and its own id (process ids hold colons). */
const keyOf = (p: { process: string; processId: string; id: string }) => `${p.process}|${p.processId}|${p.id}`;
function parseKey(key: string) {
  const [process, ...rest] = key.split('|');
  const proposalId = rest.pop();
  const processId = rest.join('|');
  return process === 'bdc' || process === 'control'
    ? proposalId && processId
      ? { process, processId, proposalId }
      : undefined
    : undefined;
}

const total = (ps: ListedProposal[]) => ps.reduce((t, p) => t + p.amountCents, 0);
const person = (a: Actor) => (a.role === 'system' ? 'le moteur (règle du cycle de vie)' : (a.name ?? a.id));
const what = (p: ListedProposal) => `${proposalFr[p.kind] ?? p.kind} — ${p.reference}`;

/** Why this ordonnateur may not decide this proposal now, in French (none: it may). */
function refusalsFor(p: ListedProposal, actor: Actor): string[] {
  return decisionRefusals([{ ...p, at: p.proposedAt }], { eventId: '-', actor, proposalId: p.id }).map(
    (r) => localizeRefusal(r, 'fr').message,
  );
}

type Decision = 'valider' | 'rejeter';
interface Outcome {
  proposal: ListedProposal;
  refused?: string[];
}

/**
 * « Ordres à valider », the ordonnateurs' page (DOMAIN.md "Money decided by four eyes"): the money
 * proposals awaiting validation, from the record, filtered and totalled; many selected, then validated
 * or rejected with one confirmation — a batch of individual decisions, each sent to its own process and
 * each in its audit trail. What the rule of four eyes refuses (one's own proposal, what one caused,
 * validated twice) is said before the confirmation, and those proposals are not sent.
 */
export function proposalPages(app: Api, deps: ConsoleDeps) {
  const page = async (
    v: Viewer,
    filter: { kind?: ProposalKind; editeurId?: string },
    notice?: {
      refused?: string[];
      confirm?: { batch: string; decision: Decision; reason: string; ready: ListedProposal[]; refused: Outcome[] };
      done?: Outcome[];
      decision?: Decision;
    },
  ) => {
    const [proposals, waiting] = await Promise.all([
      listProposals(deps.engine, { state: 'proposed', ...filter, limit: LISTED }),
      awaitingValidation(deps.engine),
    ]);
    const actor = callerOfViewer(v).actor;
    const ordonnateur = v.user.role === 'ordonnateur';
    const secondFactorMissing = withheld({ money: true }, v);
    const canAct = ordonnateur && !secondFactorMissing;
    return (
      <Page title="Ordres à valider" user={v.user} csrf={v.csrf} active={PATH}>
        <p>
          Chaque somme — avance, solde, demande de remboursement ou de reversement, abandon de créance — est d’abord
          proposée, puis validée par un ordonnateur qui ne l’a ni proposée ni causée ; au-delà du seuil de la campagne,
          par deux ordonnateurs différents. Un rejet, avec son motif, met le BDC en attente d’une action.
        </p>
        {secondFactorMissing && ordonnateur ? (
          <Alert kind="warning" title="Second facteur requis">
            <p>{secondFactorMissing}</p>
          </Alert>
        ) : null}
        {notice?.done ? <Results outcomes={notice.done} decision={notice.decision!} /> : null}
        <ErrorSummary general={notice?.refused} />
        {notice?.confirm ? (
          <Confirmation v={v} confirm={notice.confirm} />
        ) : (
          <>
            <Table
              caption="Ancienneté des propositions en attente"
              head={['Proposées depuis', 'Propositions', 'Montant']}
              rows={waiting.ageing.map((b) => [ageingFr[b.days], String(b.count), <Euros cents={b.cents} />])}
            />
            <form method="get" action={PATH} class="sons-filters">
              <Select
                name="nature"
                label="Nature"
                value={filter.kind ?? ''}
                options={[['', 'Toutes'], ...proposalKinds.map((k): [string, string] => [k, proposalFr[k] ?? k])]}
              />
              <div class="fr-input-group">
                <label class="fr-label" for="f-editeur">
                  Éditeur (identifiant)
                </label>
                <input class="fr-input" id="f-editeur" name="editeur" type="text" value={filter.editeurId ?? ''} />
              </div>
              <button class="fr-btn fr-btn--secondary" type="submit">
                Filtrer
              </button>
            </form>
            <p>
              {proposals.length} proposition(s) en attente pour <Euros cents={total(proposals)} />
              {proposals.length === LISTED ? ` (les ${LISTED} plus anciennes ; filtrez pour voir les autres)` : ''}.
            </p>
            <form method="post" action={PATH}>
              <Csrf token={v.csrf} />
              <Table
                caption="Propositions en attente de validation"
                head={['', 'BDC', 'Éditeur', 'Somme', 'Montant', 'Proposée le', 'Par', 'Validations', 'Vous']}
                rows={proposals.map((p) => {
                  const refused = ordonnateur ? refusalsFor(p, actor) : [];
                  return [
                    canAct && !refused.length ? (
                      <input type="checkbox" name="choix" value={keyOf(p)} aria-label={`Sélectionner ${what(p)}`} />
                    ) : (
                      ''
                    ),
                    p.reference,
                    p.editeurId,
                    proposalFr[p.kind] ?? p.kind,
                    <Euros cents={p.amountCents} />,
                    <When at={p.proposedAt} />,
                    person(p.proposedBy),
                    `${p.validations.length} / ${p.validationsNeeded}${
                      p.validations.length ? ` (${p.validations.map((x) => person(x.by)).join(', ')})` : ''
                    }`,
                    refused.join(' ; ') || (ordonnateur ? 'peut décider' : '—'),
                  ];
                })}
              />
              {canAct && proposals.length ? (
                <>
                  <div class="fr-input-group">
                    <label class="fr-label" for="f-motif">
                      Motif (en cas de rejet)
                    </label>
                    <textarea class="fr-input" id="f-motif" name="motif" maxLength={500} rows={2} />
                  </div>
                  <ul class="fr-btns-group fr-btns-group--inline">
                    <li>
                      <button class="fr-btn" type="submit" name="decision" value="valider">
                        Valider la sélection
                      </button>
                    </li>
                    <li>
                      <button class="fr-btn fr-btn--secondary" type="submit" name="decision" value="rejeter">
                        Rejeter la sélection
                      </button>
                    </li>
                  </ul>
                </>
              ) : null}
            </form>
          </>
        )}
      </Page>
    );
  };

  const filterOf = (q: Record<string, unknown>) => {
    const kind = proposalKinds.find((k) => k === q.nature);
    const editeurId = typeof q.editeur === 'string' && q.editeur.trim() ? q.editeur.trim().slice(0, 64) : undefined;
    return { ...(kind ? { kind } : {}), ...(editeurId ? { editeurId } : {}) };
  };

  app.get(PATH, { config: { sessionRoles: who.moneyReaders }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, await page(viewer(request, reply), filterOf((request.query ?? {}) as Record<string, unknown>))),
  );

  app.post(
    PATH,
    { config: { sessionRoles: who.ordonnateurs }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const body = request.body;
      const decision = field(body, 'decision');
      const reason = field(body, 'motif').slice(0, 500);
      const keys = fieldValues(body, 'choix').map(parseKey);
      const refusedForm = async (message: string) => sendPage(reply, await page(v, {}, { refused: [message] }), 422);
      if (decision !== 'valider' && decision !== 'rejeter') return refusedForm('Choisissez de valider ou de rejeter.');
      if (!keys.length) return refusedForm('Sélectionnez au moins une proposition.');
      if (keys.length > 500) return refusedForm('Sélectionnez 500 propositions au plus.');
      if (keys.some((k) => k === undefined)) return refusedForm('La sélection est illisible : recommencez-la.');
      if (decision === 'rejeter' && !reason) return refusedForm('Un rejet se motive : écrivez son motif.');
      const withheldBecause = withheld({ money: true }, v);
      if (withheldBecause) return refusedForm(withheldBecause);

      // the proposals as the record holds them now
      const found = await Promise.all(keys.map(async (k) => (await listProposals(deps.engine, { one: k! }))[0]));
      const missing = keys.filter((_, i) => !found[i]).map((k) => `La proposition ${k!.proposalId} n’existe pas.`);
      if (missing.length) return sendPage(reply, await page(v, {}, { refused: missing }), 422);
      const proposals = found as ListedProposal[];
      const caller = callerOfViewer(v);

      if (field(body, 'etape') !== 'confirmer') {
        // what the rule of four eyes refuses is said now, and those are left out of the batch
        // and so is an order for an éditeur the ASP cannot pay yet (the ledger would refuse it after the confirmation)
        const unpayable =
          decision === 'valider'
            ? await unpayableEditeurs(
                deps.engine,
                proposals.map((p) => p.editeurId),
              )
            : new Set<string>();
        const checked = proposals.map((p) => ({
          proposal: p,
          refused: [
            ...refusalsFor(p, caller.actor),
            ...((p.kind === 'advance' || p.kind === 'balance') && unpayable.has(p.editeurId)
              ? [render('editeur_not_enrolled', { editeurId: p.editeurId }, 'fr')!]
              : []),
          ],
        }));
        const confirm = {
          // the batch's id chosen now: a confirmation sent twice is the same decisions, each once
          batch: randomUUID(),
          decision,
          reason,
          ready: checked.filter((o) => !o.refused.length).map((o) => o.proposal),
          refused: checked.filter((o) => o.refused.length),
        } as const;
        return sendPage(reply, await page(v, {}, { confirm }));
      }
      const batch = field(body, 'lot');
      if (!/^[0-9a-f-]{36}$/.test(batch)) return refusedForm('Recommencez la sélection.');
      // one decision per proposal, a few at once, each an update to its own process; its event id
      // names the batch and the proposal's place in it, so that a confirmation sent twice (a double
      // click, a reload) is answered by each process as it answered the first
      const limit = pLimit(4);
      const done = await Promise.all(
        proposals.map((p, i) =>
          limit(async (): Promise<Outcome> => {
            const d = { process: p.process, processId: p.processId, proposalId: p.id, eventId: `lot-${batch}-${i}` };
            try {
              if (decision === 'valider') await validateProposal(deps.engine, caller, d);
              else await rejectProposal(deps.engine, caller, { ...d, reason });
              return { proposal: p };
            } catch (err) {
              if (err instanceof RefusedError)
                return { proposal: p, refused: err.refusals.map((r) => localizeRefusal(r, 'fr').message) };
              throw err;
            }
          }),
        ),
      );
      return sendPage(reply, await page(v, {}, { done, decision }));
    },
  );

  /** The confirmation: how many, how much, what will not be sent and why; « Confirmer » or back. */
  function Confirmation({ v, confirm }: { v: Viewer; confirm: NonNullable<Parameters<typeof page>[2]>['confirm'] }) {
    const c = confirm!;
    const verb = c.decision === 'valider' ? 'la validation' : 'le rejet';
    return (
      <form method="post" action={PATH}>
        <Csrf token={v.csrf} />
        <Hidden name="etape" value="confirmer" />
        <Hidden name="lot" value={c.batch} />
        <Hidden name="decision" value={c.decision} />
        <Hidden name="motif" value={c.reason} />
        {c.ready.map((p) => (
          <Hidden name="choix" value={keyOf(p)} />
        ))}
        <Alert kind="warning" title={`Confirmez-vous ${verb} de ${c.ready.length} proposition(s) ?`}>
          <p>
            {c.ready.length} proposition(s) pour <Euros cents={total(c.ready)} />
            {c.decision === 'valider'
              ? ' : chacune validée en votre nom ; la dernière validation nécessaire émet l’ordre de paiement ou la demande.'
              : ` : chacune rejetée avec le motif « ${c.reason} » ; chaque BDC concerné attend alors une action.`}
          </p>
          <ul>
            {c.ready.map((p) => (
              <li>
                {what(p)} : <Euros cents={p.amountCents} />
              </li>
            ))}
          </ul>
          {c.refused.length ? (
            <>
              <p>{c.refused.length} proposition(s) ne seront pas envoyées :</p>
              <ul>
                {c.refused.map((o) => (
                  <li>
                    {what(o.proposal)} : {o.refused!.join(' ; ')}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </Alert>
        <ul class="fr-btns-group fr-btns-group--inline">
          {c.ready.length ? (
            <li>
              <button class="fr-btn" type="submit">
                Confirmer
              </button>
            </li>
          ) : null}
          <li>
            <a class="fr-btn fr-btn--secondary" href={PATH}>
              Retour
            </a>
          </li>
        </ul>
      </form>
    );
  }
}

/** What the batch did, proposal by proposal. */
function Results({ outcomes, decision }: { outcomes: Outcome[]; decision: Decision }) {
  const done = outcomes.filter((o) => !o.refused?.length);
  const refused = outcomes.filter((o) => o.refused?.length);
  return (
    <Alert
      kind={refused.length ? 'warning' : 'success'}
      title={`${done.length} proposition(s) ${decision === 'valider' ? 'validée(s)' : 'rejetée(s)'}, ${refused.length} refusée(s)`}
    >
      <ul>
        {done.map((o) => (
          <li>
            {what(o.proposal)} : <Euros cents={o.proposal.amountCents} /> —{' '}
            {decision === 'valider' ? 'validée' : 'rejetée'}
          </li>
        ))}
        {refused.map((o) => (
          <li>
            {what(o.proposal)} : {o.refused!.join(' ; ')}
          </li>
        ))}
      </ul>
    </Alert>
  );
}
