import type { Api } from '../../api/context';
import { who } from '../../api/context';
import { contactOf, notificationsTo, setContact, type ContactView } from '../../client/notices';
import { contactSchema } from '../../domain/schemas';
import { RefusedError, refusalsFromZod, type Refusal } from '../../domain/refusal';
import type { ConsoleDeps } from '../context';
import { field, fieldErrors, sendPage, viewer, type Viewer } from '../http';
import { Page } from '../views/layout';
import { Alert, BdcLink, Csrf, ErrorSummary, Input, Table, Textarea, When, type FieldErrors } from '../views/ui';

type Outgoing = Awaited<ReturnType<typeof notificationsTo>>[number];

const deliveryFr: Record<Outgoing['status'], string> = {
  sent: 'envoyé',
  pending: 'en cours d’envoi',
  failed: 'non remis',
  no_contact: 'aucune adresse',
};
const channelFr: Record<Outgoing['channel'], string> = { email: 'courriel', webhook: 'webhook' };

interface ContactForm {
  emails: string;
  webhookUrl: string;
}

/**
 * An éditeur's notifications (what the engine sent it: reminders, demands, controls) and where it
 * wants them: its addresses and its signed webhook. An éditeur learns that a delivery failed, never
 * why (the reason would map the network for whoever set the URL; operators read it).
 */
export function notificationPages(app: Api, { engine }: ConsoleDeps) {
  const page = async (v: Viewer, focus: { values?: ContactForm; errors?: FieldErrors; saved?: boolean } = {}) => {
    const editeurId = v.user.editeurId ?? '';
    const [sent, contact] = await Promise.all([
      notificationsTo(engine, 'editeur', editeurId),
      contactOf(engine, 'editeur', editeurId),
    ]);
    return (
      <Page title="Notifications" user={v.user} csrf={v.csrf} active="/console/notifications">
        {focus.saved ? <Alert kind="success" title="Vos coordonnées de contact sont enregistrées" /> : null}
        <ErrorSummary errors={focus.errors} />
        <h2 class="fr-h4">Messages reçus</h2>
        {sent.length ? (
          <Table
            id="notifications"
            caption="Messages envoyés par SONS à votre structure, les plus récents d’abord"
            head={['Envoyé le', 'BDC', 'Objet', 'Par', 'Remise']}
            rows={sent.map((n) => [
              <When at={n.sentAt ?? n.createdAt} />,
              n.bdcId ? <BdcLink id={n.bdcId} /> : '—',
              n.subject,
              channelFr[n.channel],
              deliveryFr[n.status],
            ])}
          />
        ) : (
          <p>Aucun message ne vous a encore été envoyé.</p>
        )}
        <h2 class="fr-h4">Où vous prévenir</h2>
        <ContactFormView v={v} contact={contact} values={focus.values} errors={focus.errors} />
      </Page>
    );
  };

  app.get(
    '/console/notifications',
    { config: { sessionRoles: who.editeurs }, schema: { hide: true } },
    async (request, reply) => {
      const v = viewer(request, reply);
      return sendPage(reply, await page(v, { saved: field(request.query, 'fait') === 'contact' }));
    },
  );

  app.post(
    '/console/notifications',
    { config: { sessionRoles: who.editeurs }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const v = viewer(request, reply);
      const values: ContactForm = {
        emails: field(request.body, 'emails'),
        webhookUrl: field(request.body, 'webhookUrl'),
      };
      const secret = field(request.body, 'webhookSecret');
      // one address per line (or separated by commas), as people paste them
      const emails = values.emails
        .split(/[\n,;]+/)
        .map((e) => e.trim())
        .filter(Boolean);
      const input = {
        emails,
        ...(values.webhookUrl ? { webhookUrl: values.webhookUrl } : {}),
        ...(secret ? { webhookSecret: secret } : {}),
      };
      const refused = async (refusals: Refusal[]) =>
        sendPage(reply, await page(v, { values, errors: fieldErrors(refusals.map(onField)) }), 422);
      const parsed = contactSchema.safeParse(input);
      if (!parsed.success) return refused(refusalsFromZod(parsed.error, input));
      try {
        await setContact(engine, { party: 'editeur', partyId: v.user.editeurId ?? '', ...parsed.data });
      } catch (err) {
        if (err instanceof RefusedError) return refused(err.refusals);
        throw err;
      }
      return reply.redirect('/console/notifications?fait=contact', 303);
    },
  );
}

/** A refusal of one address (`emails.2`) stands next to the addresses' field. */
const onField = (r: Refusal): Refusal => (r.path.startsWith('emails') ? { ...r, path: 'emails' } : r);

function ContactFormView({
  v,
  contact,
  values,
  errors,
}: {
  v: Viewer;
  contact: ContactView | undefined;
  values?: ContactForm;
  errors?: FieldErrors;
}) {
  return (
    <form method="post" action="/console/notifications" id="contact">
      <Csrf token={v.csrf} />
      <Textarea
        name="emails"
        label="Adresses électroniques"
        hint="une par ligne : les rappels d’échéance, les demandes de remboursement et les contrôles y sont envoyés"
        rows={3}
        value={values?.emails ?? contact?.emails.join('\n') ?? ''}
        errors={errors}
      />
      <Input
        name="webhookUrl"
        label="Webhook (facultatif)"
        hint="une adresse https de votre système, qui reçoit les mêmes avis en JSON signé"
        value={values?.webhookUrl ?? contact?.webhookUrl ?? ''}
        errors={errors}
      />
      <Input
        name="webhookSecret"
        type="password"
        label="Secret de signature du webhook"
        hint={
          contact?.webhookSigned
            ? 'un secret est enregistré : laissez vide pour le garder'
            : 'au moins 16 caractères, requis avec un webhook'
        }
        errors={errors}
        autoComplete="new-password"
      />
      <button class="fr-btn" type="submit">
        Enregistrer
      </button>
    </form>
  );
}
