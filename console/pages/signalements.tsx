import { randomUUID } from 'node:crypto';
import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { answerSignalement, listSignalements, reportQuote, signalementSchema } from '../../client/signalements';
import { parseEurosFr } from '../../domain/french';
import { refusalsFromZod } from '../../domain/refusal';
import type { ConsoleDeps } from '../context';
import { callerOfViewer, field, fieldErrors, sendPage, viewer, type Viewer } from '../http';
import { Page } from '../views/layout';
import { Alert, Csrf, ErrorSummary, Euros, Hidden, Input, Table, When, type FieldErrors } from '../views/ui';

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

function ListPage({ v, signalements }: { v: Viewer; signalements: Awaited<ReturnType<typeof listSignalements>> }) {
  return (
    <Page title="Signalements des OG" user={v.user} csrf={v.csrf} active="/console/signalements">
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
            <form method="post" action={`/console/signalements/${s.signalementId}/reponse`}>
              <Csrf token={v.csrf} />
              <Input name={`answer-${s.signalementId}`} label="Réponse à l’OG" required />
              <button class="fr-btn fr-btn--sm" type="submit">
                Répondre
              </button>
            </form>
          ) : (
            'en attente'
          ),
        ])}
      />
    </Page>
  );
}

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
    async (request, reply) =>
      sendPage(reply, <ListPage v={viewer(request, reply)} signalements={await listSignalements(engine, {})} />),
  );

  app.post(
    '/console/signalements/:signalementId/reponse',
    { config: { sessionRoles: who.operators }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const { signalementId } = request.params as { signalementId: string };
      const answer = field(request.body, `answer-${signalementId}`);
      if (answer) await answerSignalement(engine, callerOfViewer(viewer(request, reply)), signalementId, answer);
      return reply.redirect('/console/signalements', 303);
    },
  );
}
