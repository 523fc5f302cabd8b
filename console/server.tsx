import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { refusalsOfError } from '../api/errors';
import { explainUnanswered } from '../client/unavailable';
import { knownEditeurs } from '../client/editeurs';
import { solutionNames } from '../client/solutions';
import type { Api } from '../api/context';
import { isWrite } from '../api/throttles';
import { localizeRefusal } from '../domain/localize';
import { say } from '../domain/messages';
import { refusalOf } from '../domain/refusal';
import type { ConsoleDeps } from './context';
import { sendPage } from './http';
import { bdcPages } from './pages/bdcs';
import { campaignPages } from './pages/campaigns';
import { dashboardPage } from './pages/dashboard';
import { exportPages } from './pages/exports';
import { journalPages } from './pages/journal';
import { paymentPages } from './pages/payments';
import { editeurPages } from './pages/editeurs';
import { bdcBulkPages } from './pages/bdc-bulk';
import { solutionPages } from './pages/solutions';
import { proposalPages } from './pages/proposals';
import { peoplePages } from './pages/people';
import { importPages } from './pages/imports';
import { signInPages } from './pages/sign-in';
import { vaPages } from './pages/va';
import { controlPages } from './pages/controls';
import { signalementPages } from './pages/signalements';
import { sessions, sessionUser } from './session';
import { webUiCodec } from './codec';
import { helpPages } from './pages/help';
import { owedPages } from './pages/owed';
import { notificationPages } from './pages/notifications';
import { uploads } from './uploads';
import { ErrorPage } from './views/error-page';

const ASSETS = path.join(__dirname, 'assets');
const DSFR = path.dirname(require.resolve('@gouvfr/dsfr/dist/dsfr.min.css'));

/**
 * The console, in French, served by the API's process on the same engine services, roles and tokens:
 * operators' pages, the éditeurs' portal, signed in by a session cookie. Every page is rendered on the
 * server with the State's design system; every form carries a CSRF token; an action asks for
 * confirmation before it changes anything.
 */
export async function mountConsole(app: Api, deps: ConsoleDeps): Promise<void> {
  app.get('/', { config: { public: true, unthrottled: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/console/'),
  );
  await app.register(async (scope: FastifyInstance) => {
    await sessions(scope, { key: deps.sessionKey, secureCookies: deps.secureCookies });
    await scope.register(formbody, { bodyLimit: 1024 * 1024 });
    await uploads(scope);
    await scope.register(fastifyStatic, { root: ASSETS, serve: false });

    // a page needs a signed-in reader of one of its roles: else the sign-in page, or a refusal
    scope.addHook('onRequest', async (request, reply) => {
      const roles = request.routeOptions.config.sessionRoles;
      if (!roles) return;
      const user = await sessionUser(request, deps);
      if (!user) return reply.redirect(`/console/connexion?suite=${encodeURIComponent(request.url)}`);
      // a person holding several roles acts, on this page, in the first of them the page admits
      const role = (user.person?.roles ?? [user.role]).find((r) => roles.includes(r));
      if (!role) {
        return sendPage(
          reply,
          <ErrorPage
            user={user}
            status={403}
            messages={[localizeRefusal(refusalOf('forbidden', say('forbidden', { role: user.role })), 'fr').message]}
          />,
          403,
        );
      }
      request.principal = { ...user, role };
      // the names its pages show BDCs and solutions by: éditeurs by their enrolled name, solutions by their éditeur's
      const [editeurs, solutions] = await Promise.all([knownEditeurs(deps.engine), solutionNames(deps.engine)]);
      request.consoleNames = {
        editeurs: new Map(editeurs.flatMap((e) => (e.name ? [[e.editeurId, e.name]] : []))),
        solutions,
      };
      // a person's changes through the console count against the same allowance as its token's through the API
      if (isWrite(request)) await app.throttles.write(request);
    });
    scope.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const csrfRefused = error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET';
      const { status, refusals, headers } = csrfRefused
        ? { status: 403, refusals: [refusalOf('csrf', say('csrf'))], headers: undefined }
        : refusalsOfError((await explainUnanswered(deps.engine, error)) as Error, request);
      reply.headers(headers ?? {});
      // the page of an error names its reader when it can; a database that does not answer names nobody
      const user = request.principal ?? (await sessionUser(request, deps).catch(() => undefined));
      return sendPage(
        reply,
        <ErrorPage
          user={user ?? undefined}
          status={status}
          messages={refusals.map((r) => localizeRefusal(r, 'fr').message)}
        />,
        status,
      );
    });

    const unthrottled = { public: true, unthrottled: true } as const;
    scope.get('/console/static/console.css', { config: unthrottled, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/css').sendFile('console.css', ASSETS),
    );
    scope.get('/console/static/dsfr/*', { config: unthrottled, schema: { hide: true } }, async (request, reply) => {
      const file = (request.params as { '*': string })['*'];
      // the design system's stylesheet, script (its responsive header), fonts and artwork only
      if (
        !/^(dsfr\.min\.css|dsfr\.(module|nomodule)\.min\.js|fonts\/[\w-]+\.woff2?|artwork\/[\w/-]+\.svg|icons\/[\w/-]+\.svg|favicon\/(favicon\.svg|apple-touch-icon\.png))$/.test(
          file,
        ) ||
        !fs.existsSync(path.join(DSFR, file))
      )
        return reply.callNotFound();
      return reply.header('cache-control', 'public, max-age=86400').sendFile(file, DSFR);
    });
    // the State's favicon (the DSFR's): browsers ask /favicon.ico of every site, page or not
    scope.get('/favicon.ico', { config: unthrottled, schema: { hide: true } }, async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=86400').type('image/x-icon').sendFile('favicon/favicon.ico', DSFR),
    );
    for (const pages of [
      signInPages,
      dashboardPage,
      bdcPages,
      bdcBulkPages,
      vaPages,
      campaignPages,
      controlPages,
      signalementPages,
      importPages,
      exportPages,
      journalPages,
      paymentPages,
      editeurPages,
      solutionPages,
      proposalPages,
      peoplePages,
      webUiCodec,
      helpPages,
      owedPages,
      notificationPages,
    ])
      pages(scope as unknown as Api, deps);
  });
}
