import { randomUUID } from 'node:crypto';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { bankDetailsAwaiting, decideBankDetails, editeurFile, proposeBankDetails } from '../../client/editeurs';
import { bankDetailsRefusals } from '../../domain/bank-details';
import { bankDetailsStateFr } from '../../domain/messages';
import { CLIENT_EVENT_ID_PATTERN } from '../../domain/ids';
import { RefusedError } from '../../domain/refusal';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, fieldErrors, sendPage, viewer, type Viewer } from '../http';
import { Page } from '../views/layout';
import { Alert, Csrf, ErrorSummary, Hidden, Input, Table, When, type FieldErrors } from '../views/ui';

const CONFIRM = 'confirmer';

/** Refusals of a form as its fields' errors; anything else is the error page's. */
function refusalsOf(err: unknown): FieldErrors {
  if (err instanceof RefusedError) return fieldErrors(err.refusals);
  throw err;
}

/**
 * Bank details by four eyes, in the console (DOMAIN.md "Éditeurs enrolled"): an éditeur's person
 * reads its enrolment and bank details and proposes new ones (« Coordonnées bancaires »); an
 * ordonnateur validates or rejects each proposal (« Coordonnées à valider »). Each action confirmed
 * first; its event id chosen at the first step, so that a confirmation sent twice is one action.
 */
export function editeurPages(app: Api, deps: ConsoleDeps) {
  const own = async (
    v: Viewer,
    form?: { values: Record<string, string>; errors?: FieldErrors; confirming?: boolean; done?: boolean },
  ) => {
    const editeurId = v.user.editeurId!;
    const file = await editeurFile(deps.engine, callerOfViewer(v), editeurId);
    const values = form?.values ?? {};
    return (
      <Page title="Coordonnées bancaires" user={v.user} csrf={v.csrf} active="/console/coordonnees-bancaires">
        {form?.done ? (
          <Alert kind="success" title="Coordonnées bancaires transmises">
            <p>Elles seront utilisées pour vos paiements dès qu’un ordonnateur de l’ASP les aura validées.</p>
          </Alert>
        ) : null}
        {file.enrolment ? (
          <dl class="sons-dl">
            <dt>Raison sociale</dt>
            <dd>{file.enrolment.name}</dd>
            <dt>SIRET</dt>
            <dd>{file.enrolment.siret}</dd>
            <dt>Représentant légal</dt>
            <dd>
              {file.enrolment.legalRepresentative.name} ({file.enrolment.legalRepresentative.role})
            </dd>
            <dt>Personnes habilitées</dt>
            <dd>{file.enrolment.mandate.map((p) => `${p.name} <${p.email}>`).join(', ')}</dd>
          </dl>
        ) : (
          <Alert kind="warning" title="Votre inscription auprès de l’ASP n’est pas faite">
            <p>Inscrivez d’abord votre société (SIRET, représentant légal, mandat, attestation de TVA).</p>
          </Alert>
        )}
        <Alert
          kind={file.payable ? 'info' : 'warning'}
          title={file.payable ? 'Paiements possibles' : 'Paiements impossibles'}
        >
          <p>
            {file.payable
              ? 'L’ASP paie vos ordres aux coordonnées bancaires en vigueur ci-dessous.'
              : 'Aucunes coordonnées bancaires validées : l’ASP ne peut pas vous payer.'}
          </p>
        </Alert>
        <Table
          caption="Vos coordonnées bancaires"
          head={[
            'IBAN',
            'BIC',
            'Titulaire',
            'État',
            'Proposées le',
            'Décidées le',
            'En vigueur jusqu’au',
            'Motif du rejet',
          ]}
          rows={file.bankDetails.map((d) => [
            <code>{d.iban}</code>,
            d.bic,
            d.holder,
            bankDetailsStateFr[d.state] ?? d.state,
            <When at={d.proposedAt} />,
            <When at={d.decidedAt} />,
            <When at={d.validUntil} />,
            d.rejectionReason ?? '—',
          ])}
        />
        {file.enrolment ? (
          <form method="post" action="/console/coordonnees-bancaires">
            <h2 class="fr-h4">Nouvelles coordonnées bancaires</h2>
            <Csrf token={v.csrf} />
            <ErrorSummary errors={form?.errors} />
            <Hidden name="evenement" value={values.evenement ?? randomUUID()} />
            <Input
              name="iban"
              label="IBAN"
              value={values.iban}
              errors={form?.errors}
              required
              readOnly={form?.confirming}
            />
            <Input
              name="bic"
              label="BIC"
              value={values.bic}
              errors={form?.errors}
              required
              readOnly={form?.confirming}
            />
            <Input
              name="holder"
              label="Titulaire du compte"
              value={values.holder}
              errors={form?.errors}
              required
              readOnly={form?.confirming}
            />
            {form?.confirming ? (
              <>
                <Hidden name="etape" value={CONFIRM} />
                <Alert kind="warning" title="Confirmez-vous ces coordonnées bancaires ?">
                  <p>Un ordonnateur de l’ASP les vérifiera ; elles remplaceront alors les précédentes.</p>
                </Alert>
                <button class="fr-btn" type="submit">
                  Confirmer
                </button>
              </>
            ) : (
              <button class="fr-btn" type="submit">
                Transmettre
              </button>
            )}
          </form>
        ) : null}
      </Page>
    );
  };

  app.get(
    '/console/coordonnees-bancaires',
    { config: { sessionRoles: who.editeurs }, schema: { hide: true } },
    async (request, reply) => {
      const done = (request.query as { fait?: string }).fait === 'oui';
      return sendPage(reply, await own(viewer(request, reply), done ? { values: {}, done } : undefined));
    },
  );

  app.post(
    '/console/coordonnees-bancaires',
    { config: { sessionRoles: who.editeurs }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const values = Object.fromEntries(
        ['iban', 'bic', 'holder', 'evenement'].map((k) => [k, field(request.body, k)]),
      ) as Record<string, string>;
      const confirmed = field(request.body, 'etape') === CONFIRM;
      if (!CLIENT_EVENT_ID_PATTERN.test(values.evenement!)) values.evenement = randomUUID();
      const proposal = { eventId: values.evenement!, iban: values.iban!, bic: values.bic!, holder: values.holder! };
      try {
        if (!confirmed) {
          // checked before the confirmation: a wrong IBAN is said at its field at once
          const refusals = bankDetailsRefusals(proposal);
          if (refusals.length) throw new RefusedError(refusals);
          return sendPage(reply, await own(v, { values, confirming: true }));
        }
        await proposeBankDetails(deps.engine, callerOfViewer(v), v.user.editeurId!, proposal);
      } catch (err) {
        return sendPage(reply, await own(v, { values, errors: refusalsOf(err) }), 422);
      }
      return reply.redirect('/console/coordonnees-bancaires?fait=oui', 303);
    },
  );

  const awaiting = async (
    v: Viewer,
    notice?: {
      confirm?: { id: number; editeurId: string; decision: string; reason: string; eventId: string };
      done?: string;
      errors?: FieldErrors;
    },
  ) => {
    const proposals = await bankDetailsAwaiting(deps.engine);
    return (
      <Page
        title="Coordonnées bancaires à valider"
        user={v.user}
        csrf={v.csrf}
        active="/console/coordonnees-bancaires/a-valider"
      >
        {notice?.done ? (
          <Alert kind="success" title="Décision enregistrée">
            <p>{notice.done}</p>
          </Alert>
        ) : null}
        <ErrorSummary errors={notice?.errors} />
        <p>
          Un changement de coordonnées bancaires est proposé par une personne habilitée de l’éditeur ; un ordonnateur
          qui ne l’a pas proposé le valide (il s’applique aux mises en paiement suivantes) ou le rejette avec son motif.
        </p>
        <Table
          caption="Coordonnées bancaires proposées"
          head={['Éditeur', 'IBAN', 'BIC', 'Titulaire', 'Proposées le', 'Par', 'Décision']}
          rows={proposals.map((d) => {
            const confirming = notice?.confirm?.id === d.id ? notice.confirm : undefined;
            return [
              d.editeurId,
              <code>{d.iban}</code>,
              d.bic,
              d.holder,
              <When at={d.proposedAt} />,
              d.proposedBy.id,
              <form method="post" action={`/console/coordonnees-bancaires/a-valider/${d.id}`}>
                <Csrf token={v.csrf} />
                <Hidden name="editeur" value={d.editeurId} />
                <Hidden name="evenement" value={confirming?.eventId ?? randomUUID()} />
                {confirming ? (
                  <>
                    <Hidden name="etape" value={CONFIRM} />
                    <Hidden name="decision" value={confirming.decision} />
                    <Hidden name="motif" value={confirming.reason} />
                    <p>
                      {confirming.decision === 'valider'
                        ? 'Confirmez-vous la validation ? Les paiements suivants iront à ce compte.'
                        : `Confirmez-vous le rejet (motif : ${confirming.reason}) ?`}
                    </p>
                    <button class="fr-btn fr-btn--sm" type="submit">
                      Confirmer
                    </button>
                  </>
                ) : (
                  <>
                    <label class="fr-label" for={`motif-${d.id}`}>
                      Motif (en cas de rejet)
                    </label>
                    <input class="fr-input" id={`motif-${d.id}`} name="motif" type="text" maxLength={500} />
                    <button class="fr-btn fr-btn--sm" type="submit" name="decision" value="valider">
                      Valider
                    </button>{' '}
                    <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit" name="decision" value="rejeter">
                      Rejeter
                    </button>
                  </>
                )}
              </form>,
            ];
          })}
        />
      </Page>
    );
  };

  app.get(
    '/console/coordonnees-bancaires/a-valider',
    { config: { sessionRoles: who.ordonnateurs }, schema: { hide: true } },
    async (request, reply) => {
      const done = (request.query as { fait?: string }).fait;
      return sendPage(
        reply,
        await awaiting(
          viewer(request, reply),
          done ? { done: done === 'valider' ? 'Coordonnées validées.' : 'Coordonnées rejetées.' } : undefined,
        ),
      );
    },
  );

  app.post(
    '/console/coordonnees-bancaires/a-valider/:id',
    { config: { sessionRoles: who.ordonnateurs }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const id = Number((request.params as { id: string }).id);
      const decision = field(request.body, 'decision') === 'rejeter' ? 'rejeter' : 'valider';
      const reason = field(request.body, 'motif');
      const editeurId = field(request.body, 'editeur');
      const eventId = CLIENT_EVENT_ID_PATTERN.test(field(request.body, 'evenement'))
        ? field(request.body, 'evenement')
        : randomUUID();
      if (!Number.isSafeInteger(id) || id <= 0) return reply.callNotFound();
      if (decision === 'rejeter' && !reason)
        return sendPage(reply, await awaiting(v, { errors: { motif: ['Le motif du rejet est requis.'] } }), 422);
      if (field(request.body, 'etape') !== CONFIRM)
        return sendPage(reply, await awaiting(v, { confirm: { id, editeurId, decision, reason, eventId } }));
      try {
        await decideBankDetails(
          deps.engine,
          callerOfViewer(v),
          editeurId,
          id,
          decision === 'valider' ? { eventId, decision: 'validated' } : { eventId, decision: 'rejected', reason },
        );
      } catch (err) {
        return sendPage(reply, await awaiting(v, { errors: refusalsOf(err) }), 422);
      }
      return reply.redirect(`/console/coordonnees-bancaires/a-valider?fait=${decision}`, 303);
    },
  );
}
