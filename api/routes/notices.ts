import { z } from 'zod';
import { visibleBdc } from '../../client/bdc-events';
import { notificationsOfBdc, setContact } from '../../client/notices';
import { answerSignalement, listSignalements, reportQuote, signalementSchema } from '../../client/signalements';
import { render, say } from '../../domain/messages';
import { contactSchema, finessSchema, idSchema } from '../../domain/schemas';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { forbidden, httpRefusal, refusalsSchema } from '../errors';
import { languageOf } from '../language';

// an id of the one grammar (an éditeur's id, an OG's FINESS, the operators' asp, an auditor's): anything else is a 422 here
const contactParams = z.object({ party: z.enum(['editeur', 'og', 'operators', 'auditor']), partyId: idSchema });
const anObject = z.record(z.string(), z.unknown());

/** Contacts (who is told), the notifications a BDC caused, the OGs' signalements. */
export function noticeRoutes(app: Api, { engine }: ApiDeps) {
  app.put(
    '/contacts/:party/:partyId',
    {
      config: { roles: [...who.editeursAndOperators, ...who.admins] },
      schema: {
        summary:
          "Set a contact: an éditeur's email addresses and signed webhook (an éditeur sets its own), an OG's addresses, the operators' (party operators, id asp), an auditor's who receives the journal's checkpoints (party auditor, admins only)",
        params: contactParams,
        body: contactSchema,
        response: { 200: anObject, 403: refusalsSchema, 422: refusalsSchema },
      },
    },
    async (request) => {
      const { party, partyId } = request.params;
      const p = request.principal;
      if (p.role === 'editeur' && (party !== 'editeur' || partyId !== p.editeurId)) throw forbidden(p.role);
      // who receives the journal's checkpoints is the admins' to say (not the operators' the journal watches)
      if ((party === 'auditor') !== (p.role === 'admin'))
        throw httpRefusal(403, 'forbidden', say('auditor_contact_admins'), 'params.party', party);
      if (party === 'editeur' || party === 'auditor') idSchema.parse(partyId);
      if (party === 'og' && !finessSchema.safeParse(partyId).success)
        throw httpRefusal(422, 'invalid_format', say('finess_length', { value: partyId }), 'params.partyId', partyId);
      return {
        ...(await setContact(engine, {
          party,
          partyId,
          emails: request.body.emails,
          ...(request.body.webhookUrl ? { webhookUrl: request.body.webhookUrl } : {}),
          ...(request.body.webhookSecret ? { webhookSecret: request.body.webhookSecret } : {}),
        })),
      };
    },
  );

  app.get(
    '/bdcs/:bdcId/notifications',
    {
      config: { roles: who.everyone },
      schema: {
        summary: 'The notifications a BDC caused (its reminders), with their delivery',
        params: z.object({ bdcId: z.string().min(1).max(200) }),
      },
    },
    async (request) => {
      const caller = callerOf(request.principal);
      await visibleBdc(engine, caller, request.params.bdcId);
      const all = await notificationsOfBdc(engine, request.params.bdcId);
      // an éditeur reads what was sent to it, never what its BDC caused for others (the answer to an
      // OG's signalement against it, with the OG's address)
      if (!caller.editeurId) return { notifications: all.map(({ payload: _p, ...n }) => n) };
      // an éditeur learns that a delivery failed, never why: what its endpoint, its resolver or the
      // address check answered is for operators (the reason would map the network for whoever set the URL)
      const lang = languageOf(request.headers['accept-language']);
      return {
        notifications: all
          .filter((n) => n.party === 'editeur' && n.partyId === caller.editeurId)
          .map(({ payload: _p, lastError, ...n }) => ({
            ...n,
            ...(lastError
              ? {
                  lastError: render(
                    n.status === 'failed' ? 'notification_given_up' : 'notification_retrying',
                    {},
                    lang,
                  ),
                }
              : {}),
          })),
      };
    },
  );

  app.post(
    '/signalements',
    {
      // an OG has no token: public, and counted by the throttle of requests without one
      config: { public: true },
      schema: {
        summary:
          'An OG reports a doubtful quote of an éditeur (and its BDC, if it names one); the same signalementId again is the same report',
        body: signalementSchema,
        response: {
          201: z.void().describe('no body: the public form learns nothing of what was recorded'),
          422: refusalsSchema,
        },
        security: [],
      },
    },
    async (request, reply) => {
      await reportQuote(engine, request.body);
      return reply.status(201).send();
    },
  );

  app.get(
    '/signalements',
    {
      config: { roles: who.readers },
      schema: {
        summary: 'Signalements by éditeur, BDC or status',
        querystring: z.object({
          editeurId: idSchema.optional(),
          bdcId: z.string().max(200).optional(),
          status: z.enum(['open', 'answered']).optional(),
        }),
      },
    },
    async (request) => ({ signalements: await listSignalements(engine, request.query) }),
  );

  app.post(
    '/signalements/:signalementId/answer',
    {
      config: { roles: who.operators },
      schema: {
        summary: 'Answer a signalement: recorded, and emailed to the OG',
        params: z.object({ signalementId: z.string().uuid() }),
        body: z.object({ answer: z.string().min(1).max(5_000) }),
        response: { 200: anObject, 404: refusalsSchema },
      },
    },
    async (request) =>
      answerSignalement(engine, callerOf(request.principal), request.params.signalementId, request.body.answer),
  );
}
