import type { PayloadCodec } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fromWire, toWire, wirePayloads } from '../api/codec-wire';
import type { Api } from '../api/context';
import { languageOf } from '../api/language';
import { publicRefusal } from '../domain/localize';
import { say, type Said } from '../domain/messages';
import { refusalOf } from '../domain/refusal';
import type { ConsoleDeps } from './context';
import { sessionUser } from './session';

/** What the Web UI sends with its decode requests (Temporal UI's data-encoder service). */
const UI_HEADERS = 'content-type, x-namespace';
/** a preflight's answer is kept this long by the browser: a history's many decodes ask once */
const PREFLIGHT_SECONDS = 600;

/**
 * The Temporal Web UI's codec endpoint (`<console>/console/codec`, its `codec.endpoint`): Temporal's
 * codec protocol, decode only, for admins signed in to the console. The UI calls it from the admin's
 * browser, on another origin than the console's: it answers the CORS preflight of the UI's origin
 * alone (TEMPORAL_UI_URL, or the dev server's UI), and knows its caller by the console's session
 * cookie, which the browser sends because the UI asks it to (`includeCredentials`, Temporal's
 * guidance for a codec server behind a sign-in) and because the UI and the console are one site
 * (SameSite=Strict). Anyone else — another origin, no session, a session of another role — gets
 * nothing decoded. The CLI keeps `/codec` and its bearer token.
 */
export function webUiCodec(app: Api, deps: ConsoleDeps): void {
  const origin = deps.temporalUiUrl ? new URL(deps.temporalUiUrl).origin : undefined;
  const codec: PayloadCodec | undefined = deps.payloadCodec;
  const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, code: string, said: Said) =>
    reply
      .status(status)
      .send({ refusals: [publicRefusal(refusalOf(code, said), languageOf(request.headers['accept-language']))] });
  const fromTheUi = (request: FastifyRequest) => origin !== undefined && request.headers.origin === origin;
  const allowTheUi = (reply: FastifyReply) =>
    reply
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-credentials', 'true')
      .header('vary', 'Origin');

  // a preflight carries no credential: it is answered for the UI's origin alone, counted by nobody
  app.options(
    '/console/codec/decode',
    { config: { public: true, unthrottled: true }, schema: { hide: true } },
    async (request, reply) => {
      if (!fromTheUi(request)) return reply.status(403).header('vary', 'Origin').send();
      return allowTheUi(reply)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', UI_HEADERS)
        .header('access-control-max-age', String(PREFLIGHT_SECONDS))
        .status(204)
        .send();
    },
  );

  // a history opened in the UI asks for dozens of decodes at once, before anyone signed in as well as
  // after: none is counted. Counting the refused ones against the allowance of requests without a
  // credential would let the UI, opened by an admin not yet signed in (or by an operator), exhaust
  // its address's allowance and refuse the console's sign-in for a minute (seen: 429s, then a sign-in
  // refused). A refusal costs no decryption, and nothing can be guessed here: the session cookie is
  // sealed by the server, so a forged one names no session and asks nothing of the database.
  app.post(
    '/console/codec/decode',
    { config: { public: true, unthrottled: true }, schema: { hide: true, body: wirePayloads } },
    async (request, reply) => {
      if (request.headers.origin !== undefined && !fromTheUi(request)) {
        return refuse(
          request,
          reply,
          403,
          'forbidden',
          say('codec_origin', { origin: request.headers.origin.slice(0, 200) }),
        );
      }
      if (request.headers.origin !== undefined) allowTheUi(reply);
      const user = await sessionUser(request, deps);
      if (user?.role !== 'admin') {
        return refuse(
          request,
          reply,
          user ? 403 : 401,
          user ? 'forbidden' : 'unauthenticated',
          say('codec_admin_session'),
        );
      }
      if (!codec) return refuse(request, reply, 422, 'no_codec', say('no_codec'));
      const body = request.body as { payloads: Parameters<typeof fromWire>[0][] };
      try {
        const decoded = await codec.decode(body.payloads.map(fromWire));
        return reply.header('cache-control', 'no-store').send({ payloads: decoded.map(toWire) });
      } catch (err) {
        return refuse(
          request,
          reply,
          422,
          'undecodable_payload',
          say('undecodable_payload', { problem: (err as Error).message }),
        );
      }
    },
  );
}
