import { randomUUID } from 'node:crypto';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import {
  answerSignalement,
  checkSignalementAnswer,
  listSignalements,
  reportQuote,
  signalementSchema,
  type Signalement,
} from '../../client/signalements';
import { parseEurosFr } from '../../domain/french';
import { refusalsFromZod } from '../../domain/refusal';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, fieldErrors, queryOf, sendPage, viewer, type Viewer } from '../http';
import { Page } from '../views/layout';
import { Alert, Csrf, ErrorSummary, Euros, fieldId, Hidden, Input, Table, When, type FieldErrors } from '../views/ui';

function ReportForm({
  csrf,
  values,
  errors,
  sent,
}: {
  csrf: string;
  values: Record<string, string>;
  errors?: FieldErrors;
  sent?: boolean;
}) {
  return (
    <Page title="Signaler un devis douteux">
      <p>
        Organisme gestionnaire, vous doutez d’un devis d’éditeur dans le cadre du programme SONS ? Signalez-le aux
        pouvoirs publics : l’ASP l’examine et vous répond à l’adresse que vous indiquez.
      </p>
      {sent ? (
        <Alert kind="success" title="Votre signalement est enregistré">
          <p>Vous recevrez la réponse de l’ASP par courriel.</p>
        </Alert>
      ) : (
        <form method="post" action="/console/signalement" noValidate>
          <Csrf token={csrf} />
          <Hidden name="signalementId" value={values.signalementId ?? randomUUID()} />
          <ErrorSummary errors={errors} />
          <Input
            name="ogFiness"
            label="FINESS juridique de votre organisme"
            value={values.ogFiness}
            errors={errors}
            inputMode="numeric"
            required
          />
          <Input name="editeurId" label="Identifiant de l’éditeur" value={values.editeurId} errors={errors} required />
          <Input
            name="bdcReference"
            label="Référence du bon de commande (s’il a été signé)"
            value={values.bdcReference}
            errors={errors}
          />
          <Input
            name="quoteCents"
            label="Montant du devis (€ TTC)"
            value={values.quoteCents}
            errors={errors}
            inputMode="decimal"
          />
          <Input
            name="description"
            label="Ce qui vous semble douteux"
            value={values.description}
            errors={errors}
            required
          />
          <Input
            name="contactEmail"
            label="Adresse électronique pour la réponse"
            type="email"
            value={values.contactEmail}
            errors={errors}
            autoComplete="email"
            required
          />
          <button class="fr-btn" type="submit">
            Envoyer le signalement
          </button>
        </form>
      )}
    </Page>
  );
}

/** Where the operator's answer to one signalement stands: refused with its reasons, or awaiting confirmation. */
interface AnswerFocus {
  signalementId: string;
  answer: string;
  errors?: FieldErrors;
  confirming?: string;
}

const answerField = (id: string) => `answer-${id}`;
const listUrl = '/console/signalements';

/** The answer cell of an open signalement: its form, its refusal next to the field, or its confirmation. */
function AnswerForm({ v, s, focus }: { v: Viewer; s: Signalement; focus?: AnswerFocus }) {
  const mine = focus?.signalementId === s.signalementId ? focus : undefined;
  const action = `/console/signalements/${s.signalementId}/reponse`;
  if (mine?.confirming)
    return (
      <form method="post" action={action}>
        <Csrf token={v.csrf} />
        <Hidden name={answerField(s.signalementId)} value={mine.answer} />
        <Hidden name="etape" value="confirmer" />
        <Alert kind="warning" title="Confirmez-vous ?">
          <p>{mine.confirming}</p>
        </Alert>
        <ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
          <li>
            <button class="fr-btn fr-btn--sm" type="submit">
              Confirmer
            </button>
          </li>
          <li>
            <a
              class="fr-btn fr-btn--sm fr-btn--secondary"
              href={`${listUrl}${queryOf({ signalement: s.signalementId, reponse: mine.answer })}#${fieldId(answerField(s.signalementId))}`}
            >
              Retour
            </a>
          </li>
        </ul>
      </form>
    );
  return (
    <form method="post" action={action} noValidate>
      <Csrf token={v.csrf} />
      <Hidden name="etape" value="verifier" />
      <Input
        name={answerField(s.signalementId)}
        label="Réponse à l’OG"
        value={mine?.answer}
        errors={mine?.errors}
        required
      />
      <button class="fr-btn fr-btn--sm" type="submit">
        Répondre
      </button>
    </form>
  );
}

function ListPage({
  v,
  signalements,
  focus,
  done,
}: {
  v: Viewer;
  signalements: Signalement[];
  focus?: AnswerFocus;
  done?: boolean;
}) {
  return (
    <Page title="Signalements des OG" user={v.user} csrf={v.csrf} active="/console/signalements">
      {done ? <Alert kind="success" title="Votre réponse est enregistrée et envoyée par courriel à l’OG." /> : null}
      {focus?.errors ? <ErrorSummary errors={focus.errors} /> : null}
      <p class="fr-text--sm">
        Le formulaire public des organismes gestionnaires : <a href="/console/signalement">/console/signalement</a>.
      </p>
      <Table
        id="signalements"
        caption="Signalements"
        head={['Reçu le', 'OG', 'Éditeur', 'BDC', 'Devis', 'Signalement', 'Réponse']}
        rows={signalements.map((s) => [
          <When at={s.receivedAt} />,
          s.ogFiness,
          s.editeurId,
          s.bdcId ? <a href={`/console/bdc/${encodeURIComponent(s.bdcId)}`}>{s.bdcId}</a> : '—',
          <Euros cents={s.quoteCents} />,
          s.description,
          s.status === 'answered' ? (
            `${s.answer} (${s.answeredBy})`
          ) : v.user.role === 'operator' ? (
            <AnswerForm v={v} s={s} focus={focus} />
          ) : (
            'en attente'
          ),
        ])}
      />
    </Page>
  );
}

/** An unknown signalement is not found; any other refusal is the form's. */
const r422 = (refusals: { code: string }[]) => (refusals.some((r) => r.code === 'not_found') ? 404 : 422);

/** Signalements: the OGs' public form (no account: throttled like every request without a token), the operators' list and answers. */
export function signalementPages(app: Api, { engine }: ConsoleDeps) {
  app.get(
    '/console/signalement',
    { config: { public: true, unthrottled: true }, schema: { hide: true } },
    async (_request, reply) => sendPage(reply, <ReportForm csrf={reply.generateCsrf()} values={{}} />),
  );

  app.post(
    '/console/signalement',
    { config: { public: true }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const values = Object.fromEntries(
        ['signalementId', 'ogFiness', 'editeurId', 'bdcReference', 'quoteCents', 'description', 'contactEmail']
          .map((n) => [n, field(request.body, n)])
          .filter(([, x]) => x !== ''),
      ) as Record<string, string>;
      const cents = values.quoteCents ? parseEurosFr(values.quoteCents) : undefined;
      const parsed = signalementSchema.safeParse({
        ...values,
        ...(values.quoteCents ? { quoteCents: cents ?? values.quoteCents } : {}),
      });
      if (!parsed.success)
        return sendPage(
          reply,
          <ReportForm
            csrf={reply.generateCsrf()}
            values={values}
            errors={fieldErrors(refusalsFromZod(parsed.error, values))}
          />,
          422,
        );
      await reportQuote(engine, parsed.data);
      return sendPage(reply, <ReportForm csrf={reply.generateCsrf()} values={values} sent />, 201);
    },
  );

  app.get(
    '/console/signalements',
    { config: { sessionRoles: who.readers }, schema: { hide: true } },
    async (request, reply) => {
      const query = request.query as { fait?: string; signalement?: string; reponse?: string };
      // « Retour » from a confirmation brings the answer back into its field
      const focus =
        query.signalement && query.reponse !== undefined
          ? { signalementId: query.signalement, answer: query.reponse }
          : undefined;
      return sendPage(
        reply,
        <ListPage
          v={viewer(request, reply)}
          signalements={await listSignalements(engine, {})}
          focus={focus}
          done={query.fait === 'reponse'}
        />,
      );
    },
  );

  app.post(
    '/console/signalements/:signalementId/reponse',
    { config: { sessionRoles: who.operators }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const { signalementId } = request.params as { signalementId: string };
      const answer = field(request.body, answerField(signalementId));
      const again = async (focus: Omit<AnswerFocus, 'signalementId' | 'answer'>, status = 200) =>
        sendPage(
          reply,
          <ListPage
            v={v}
            signalements={await listSignalements(engine, {})}
            focus={{ signalementId, answer, ...focus }}
          />,
          status,
        );
      // the API's rules run before the confirmation, their reasons next to the answer's field
      const { refusals, signalement } = await checkSignalementAnswer(engine, signalementId, answer);
      if (refusals.length)
        return again(
          { errors: fieldErrors(refusals.map((r) => ({ ...r, path: answerField(signalementId) }))) },
          r422(refusals),
        );
      if (field(request.body, 'etape') !== 'confirmer')
        return again({
          confirming: `Votre réponse « ${answer} » est envoyée par courriel à ${signalement!.contactEmail}, l’adresse que l’OG a donnée ; le signalement est alors clos.`,
        });
      await answerSignalement(engine, callerOfViewer(v), signalementId, answer);
      return reply.redirect(`${listUrl}?fait=reponse`, 303);
    },
  );
}
