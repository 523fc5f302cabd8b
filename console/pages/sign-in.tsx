import type { Api } from '../../api/context';
import type { ConsoleDeps } from '../context';
import { sendPage } from '../http';
import { signInPerson, signOut } from '../session';
import { Page } from '../views/layout';
import { Alert } from '../views/ui';

/**
 * Where to go after signing in: a page of the console only (never another site), in the characters a
 * URL may hold — a line break would end the Location header (and answered a 500).
 */
const next = (raw: string | undefined) =>
  raw && /^\/console\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/.test(raw) ? raw : '/console/';

/**
 * A console whose operator has not declared the OpenID provider yet: nobody signs in, and the page says
 * who can change that. A token (a machine's) never opens a console session.
 */
function NoProvider() {
  return (
    <Page title="Connexion">
      <Alert kind="warning" title="Connexion indisponible">
        <p>
          La console ne s’ouvre qu’aux personnes identifiées par un fournisseur d’identité (ProConnect pour les agents
          de l’ASP), et aucun n’est encore déclaré pour cette installation. Un administrateur de l’ASP doit le
          configurer (README, « Signing in »).
        </p>
      </Alert>
    </Page>
  );
}

/** The sign-in of people: through the provider; what went wrong, said in words, when it did. */
function SignInWithProvider({ suite, failure }: { suite: string; failure?: string }) {
  return (
    <Page title="Connexion">
      <div class="fr-grid-row fr-grid-row--center">
        <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
          <p>
            Agents de l’ASP et personnes des éditeurs se connectent avec leur compte ProConnect. Les sommes se décident
            avec un second facteur (code à usage unique).
          </p>
          {failure ? (
            <Alert kind="error" title="Connexion refusée">
              <p>{failure}</p>
            </Alert>
          ) : null}
          <div class="fr-connect-group">
            <a class="fr-btn" href={`/console/connexion/fournisseur?suite=${encodeURIComponent(suite)}`}>
              S’identifier avec ProConnect
            </a>
          </div>
        </div>
      </div>
    </Page>
  );
}

const failureText = (key: 'no_role' | 'person_disabled' | 'sign_in_failed', reason = '') =>
  key === 'sign_in_failed'
    ? `La connexion n’a pas abouti (${reason}). Recommencez depuis cette page.`
    : key === 'no_role'
      ? 'Vous n’avez encore aucun rôle dans SONS : demandez-en un à un administrateur de l’ASP.'
      : 'Votre compte SONS est désactivé : adressez-vous à un administrateur de l’ASP.';

/**
 * Signing in and out: people sign in through the OpenID provider — the authorization code flow with
 * PKCE, `state` and `nonce` (identity/relying-party.ts). A token opens no console session; without a
 * provider, nobody signs in. Failed attempts are logged.
 */
export function signInPages(app: Api, deps: ConsoleDeps) {
  const provider = deps.relyingParty;
  app.get(
    '/console/connexion',
    { config: { public: true, unthrottled: true }, schema: { hide: true } },
    async (request, reply) => {
      const suite = next((request.query as { suite?: string }).suite);
      return provider ? sendPage(reply, <SignInWithProvider suite={suite} />) : sendPage(reply, <NoProvider />, 503);
    },
  );

  if (provider) {
    // to the provider, with what its answer must match kept in a sealed cookie of its own
    app.get(
      '/console/connexion/fournisseur',
      { config: { public: true }, schema: { hide: true } },
      async (request, reply) => {
        // the provider sends people back to one address: the sign-in starts there, so its cookie comes back
        const home = new URL(provider.settings.redirectUri);
        if (request.host !== home.host) return reply.redirect(new URL(request.url, home.origin).href, 303);
        const { url, transaction } = await provider.begin();
        request.signInTransaction.set('state', transaction.state);
        request.signInTransaction.set('nonce', transaction.nonce);
        request.signInTransaction.set('verifier', transaction.verifier);
        request.signInTransaction.set('suite', next((request.query as { suite?: string }).suite));
        return reply.redirect(url, 303);
      },
    );

    // back from the provider: the code exchanged once, against this browser's state, nonce and verifier
    app.get(
      '/console/connexion/retour',
      { config: { public: true }, schema: { hide: true } },
      async (request, reply) => {
        const t = request.signInTransaction;
        const [state, nonce, verifier, suite] = [t.get('state'), t.get('nonce'), t.get('verifier'), t.get('suite')];
        // used once: a replayed return finds no transaction
        t.delete();
        const refused = (reason: string) => {
          request.log.warn({ source: request.ip, reason }, 'console sign-in refused');
          return sendPage(
            reply,
            <SignInWithProvider suite="/console/" failure={failureText('sign_in_failed', reason)} />,
            401,
          );
        };
        if (!state || !nonce || !verifier) return refused('aucune connexion en cours dans ce navigateur');
        const returned = new URL(request.url, provider.settings.redirectUri);
        let signedIn;
        try {
          signedIn = await provider.finish(returned, { state, nonce, verifier });
        } catch (err) {
          // the library's words go to the log; the person reads French
          request.log.warn({ err: (err as Error).message }, 'the provider’s answer did not check out');
          return refused('la réponse du fournisseur d’identité n’a pas pu être vérifiée');
        }
        const opened = await signInPerson(request, deps, signedIn);
        if ('refused' in opened)
          return sendPage(reply, <SignInWithProvider suite="/console/" failure={failureText(opened.refused)} />, 403);
        request.log.info({ person: opened.person?.id, roles: opened.person?.roles }, 'console sign-in');
        return reply.redirect(next(suite), 303);
      },
    );
  }

  app.post(
    '/console/deconnexion',
    { config: { public: true, unthrottled: true }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const idToken = await signOut(request, deps);
      // a person's session at the provider ends too (RP-initiated logout), then it comes back here
      const atProvider = idToken ? await provider?.logoutUrl(idToken) : undefined;
      return reply.redirect(atProvider ?? '/console/connexion', 303);
    },
  );
}
