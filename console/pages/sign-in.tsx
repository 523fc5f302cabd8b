import type { Api } from '../../api/context';
import type { ConsoleDeps } from '../context';
import { field, sendPage } from '../http';
import { signIn, signOut } from '../session';
import { Page } from '../views/layout';
import { Alert, Csrf, Input } from '../views/ui';

/**
 * Where to go after signing in: a page of the console only (never another site), in the characters a
 * URL may hold — a line break would end the Location header (and answered a 500).
 */
const next = (raw: string | undefined) =>
  raw && /^\/console\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/.test(raw) ? raw : '/console/';

function SignIn({ csrf, suite, failed }: { csrf: string; suite: string; failed?: boolean }) {
  return (
    <Page title="Connexion">
      <div class="fr-grid-row fr-grid-row--center">
        <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
          <p>Connectez-vous avec le jeton d’accès que l’ASP vous a remis (opérateurs, administrateurs et éditeurs).</p>
          {failed ? (
            <Alert kind="error" title="Connexion refusée">
              <p>Ce jeton n’est pas reconnu. Vérifiez-le, ou demandez-en un nouveau à l’ASP.</p>
            </Alert>
          ) : null}
          <form method="post" action="/console/connexion">
            <Csrf token={csrf} />
            <input type="hidden" name="suite" value={suite} />
            <Input
              name="jeton"
              label="Jeton d’accès"
              type="password"
              required
              autoComplete="current-password"
              hint="Il commence par « sons_ »."
              errors={failed ? { jeton: ['jeton inconnu'] } : undefined}
            />
            <button class="fr-btn" type="submit">
              Se connecter
            </button>
          </form>
        </div>
      </div>
    </Page>
  );
}

/** Signing in with a token (a session cookie follows) and out. Failed attempts are throttled and logged. */
export function signInPages(app: Api, deps: ConsoleDeps) {
  app.get(
    '/console/connexion',
    { config: { public: true, unthrottled: true }, schema: { hide: true } },
    async (request, reply) =>
      sendPage(reply, <SignIn csrf={reply.generateCsrf()} suite={next((request.query as { suite?: string }).suite)} />),
  );

  // public, and counted by the throttle of unauthenticated requests: guessing tokens is slowed down
  app.post(
    '/console/connexion',
    { config: { public: true }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      const principal = await signIn(request, deps, field(request.body, 'jeton'));
      if (!principal) {
        request.log.warn({ source: request.ip, route: '/console/connexion' }, 'console sign-in failed');
        return sendPage(
          reply,
          <SignIn csrf={reply.generateCsrf()} suite={next(field(request.body, 'suite'))} failed />,
          401,
        );
      }
      request.log.info({ user: principal.name, role: principal.role }, 'console sign-in');
      return reply.redirect(next(field(request.body, 'suite')), 303);
    },
  );

  app.post(
    '/console/deconnexion',
    { config: { public: true, unthrottled: true }, schema: { hide: true }, preHandler: app.csrfProtection },
    async (request, reply) => {
      await signOut(request, deps);
      return reply.redirect('/console/connexion', 303);
    },
  );
}
