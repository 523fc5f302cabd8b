import { randomUUID } from 'node:crypto';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import {
  answerSignalement,
  checkSignalementAnswer,
  editeurNamed,
  listSignalements,
  reportQuote,
  signalementSchema,
  type Signalement,
} from '../../client/signalements';
import { knownEditeurs, type KnownEditeur } from '../../client/editeurs';
import { parseEurosFr } from '../../domain/french';
import { RefusedError, refusalsFromZod, type Refusal } from '../../domain/refusal';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, fieldErrors, queryOf, sendPage, viewer, type Viewer } from '../http';
import { Page } from '../views/layout';
import {
  BdcLink,
  Alert,
  Csrf,
  ErrorSummary,
  Euros,
  fieldId,
  Hidden,
  Input,
  Table,
  Textarea,
  When,
  type FieldErrors,
} from '../views/ui';

function ReportForm({
  csrf,
  values,
  errors,
  sent,
  editeurs,
}: {
  csrf: string;
  values: Record<string, string>;
  errors?: FieldErrors;
  sent?: boolean;
  editeurs: KnownEditeur[];
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
          <Input
            name="editeurNom"
            label="Nom de l’éditeur"
            hint="Commencez à saisir son nom : la liste des éditeurs du programme vous est proposée."
            value={values.editeurNom}
            errors={errors}
            list="editeurs-connus"
            required
          />
          <datalist id="editeurs-connus">
            {editeurs.map((e) => (
              <option value={e.name ?? e.editeurId} />
            ))}
          </datalist>
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
            hint="En euros, par exemple 12 500,00."
          />
          <Textarea
            name="description"
            label="Ce qui vous semble douteux"
            hint="Ce que l’éditeur vous demande, ce qui vous semble anormal (10 caractères au moins)."
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
  editeurs,
  focus,
  done,
}: {
  v: Viewer;
  signalements: Signalement[];
  editeurs: KnownEditeur[];
  focus?: AnswerFocus;
  done?: boolean;
}) {
  const nameOf = new Map(editeurs.map((e) => [e.editeurId, e.name ?? e.editeurId]));
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
          nameOf.get(s.editeurId) ?? s.editeurId,
          s.bdcId ? <BdcLink id={s.bdcId} /> : '—',
          <Euros cents={s.quoteCents} />,
          s.description,
          s.status === 'answered' ? (
            `${s.answer} (${s.answeredByName ?? s.answeredBy})`
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
    async (_request, reply) =>
      sendPage(reply, <ReportForm csrf={reply.generateCsrf()} values={{}} editeurs={await knownEditeurs(engine)} />),
  );

  app.post(
    '/console/signalement',
    { config: { public: true }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const values = Object.fromEntries(
        ['signalementId', 'ogFiness', 'editeurNom', 'bdcReference', 'quoteCents', 'description', 'contactEmail']
          .map((n) => [n, field(request.body, n)])
          .filter(([, x]) => x !== ''),
      ) as Record<string, string>;
      const editeurs = await knownEditeurs(engine);
      // the OG names the éditeur; the report carries its id, and a refusal stands next to the name typed
      const refusals: Refusal[] = [];
      let editeurId: string | undefined;
      if (values.editeurNom) {
        try {
          editeurId = editeurNamed(editeurs, values.editeurNom, 'editeurNom');
        } catch (e) {
          if (!(e instanceof RefusedError)) throw e;
          refusals.push(...e.refusals);
        }
      }
      const { editeurNom: _name, ...rest } = values;
      const cents = values.quoteCents ? parseEurosFr(values.quoteCents) : undefined;
      const input = {
        ...rest,
        ...(editeurId ? { editeurId } : {}),
        ...(values.quoteCents ? { quoteCents: cents ?? values.quoteCents } : {}),
      };
      const parsed = signalementSchema.safeParse(input);
      if (!parsed.success)
        refusals.push(
          ...refusalsFromZod(parsed.error, input)
            // a name typed but not found is already said at the name
            .filter((r) => !(r.path === 'editeurId' && values.editeurNom))
            .map((r) => (r.path === 'editeurId' ? { ...r, path: 'editeurNom' } : r)),
        );
      if (!parsed.success || refusals.length)
        return sendPage(
          reply,
          <ReportForm csrf={reply.generateCsrf()} values={values} errors={fieldErrors(refusals)} editeurs={editeurs} />,
          422,
        );
      await reportQuote(engine, parsed.data);
      return sendPage(reply, <ReportForm csrf={reply.generateCsrf()} values={values} sent editeurs={editeurs} />, 201);
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
          editeurs={await knownEditeurs(engine)}
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
            editeurs={await knownEditeurs(engine)}
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
