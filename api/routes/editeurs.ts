import { z } from 'zod';
import {
  bankDetailsAwaiting,
  decideBankDetails,
  editeurFile,
  enrol,
  listEditeurs,
  proposeBankDetails,
} from '../../client/editeurs';
import { clientEventIdSchema } from '../../domain/schemas';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { refusalsSchema } from '../errors';

const editeurParams = z.object({ editeurId: z.string().min(1).max(64) });
const detailsParams = editeurParams.extend({ id: z.coerce.number().int().positive() });
const errors = { 403: refusalsSchema, 404: refusalsSchema, 409: refusalsSchema, 422: refusalsSchema };
const any = z.record(z.string(), z.unknown());

/**
 * Éditeurs enrolled (DOMAIN.md "Éditeurs enrolled"): a person of the éditeur's mandate enrols it and
 * proposes its bank details; an ordonnateur — another person — validates or rejects them. The form of
 * each field is judged by the engine (client/editeurs.ts), so that every refusal, at the edge or
 * within, is the same French reason at its field; zod only bounds the shapes here.
 */
export function editeurRoutes(app: Api, { engine }: ApiDeps) {
  app.get(
    '/editeurs',
    {
      config: { roles: who.readers },
      schema: {
        summary: 'The éditeurs enrolled, each with its bank details in force and any change awaiting validation',
      },
    },
    async () => ({ editeurs: await listEditeurs(engine) }),
  );

  app.get(
    '/editeurs/:editeurId',
    {
      config: { roles: who.everyone },
      schema: {
        summary: 'An éditeur’s enrolment and bank details, newest first (an éditeur reads only its own)',
        params: editeurParams,
        response: { 200: any, ...errors },
      },
    },
    async (request) => ({ ...(await editeurFile(engine, callerOf(request.principal), request.params.editeurId)) }),
  );

  app.put(
    '/editeurs/:editeurId/enrolment',
    {
      config: { roles: who.editeurs },
      schema: {
        summary:
          'A person of the éditeur enrols it, or sends a new version: SIRET, name, legal representative, mandate, VAT attestation (a PDF sent first to /documents)',
        params: editeurParams,
        body: z.object({
          eventId: clientEventIdSchema,
          siret: z.string().max(40),
          name: z.string().max(400),
          legalRepresentative: z.object({ name: z.string().max(400), role: z.string().max(400) }),
          mandate: z
            .array(z.object({ name: z.string().max(400), email: z.string().max(400), personId: z.string().max(400) }))
            .max(20),
          vatAttestation: z.string().max(64),
        }),
        response: { 200: any, ...errors },
      },
    },
    async (request) => ({
      enrolment: await enrol(engine, callerOf(request.principal), request.params.editeurId, request.body),
    }),
  );

  app.post(
    '/editeurs/:editeurId/bank-details',
    {
      config: { roles: who.editeurs },
      schema: {
        summary:
          'A person of the mandate proposes the éditeur’s bank details (IBAN, BIC, holder): in force once an ordonnateur validated them',
        params: editeurParams,
        body: z.object({
          eventId: clientEventIdSchema,
          iban: z.string().max(60),
          bic: z.string().max(20),
          holder: z.string().max(200),
        }),
        response: { 201: any, ...errors },
      },
    },
    async (request, reply) => {
      const details = await proposeBankDetails(
        engine,
        callerOf(request.principal),
        request.params.editeurId,
        request.body,
      );
      return reply.status(201).send({ bankDetails: details });
    },
  );

  app.get(
    '/bank-details/awaiting',
    {
      config: { roles: who.readers },
      schema: { summary: 'The changes of bank details awaiting an ordonnateur, oldest first' },
    },
    async () => ({ bankDetails: await bankDetailsAwaiting(engine) }),
  );

  app.post(
    '/editeurs/:editeurId/bank-details/:id/validation',
    {
      config: { roles: who.ordonnateurs },
      schema: {
        summary: 'An ordonnateur — not the person who proposed them — validates bank details: in force from now',
        params: detailsParams,
        body: z.object({ eventId: clientEventIdSchema }),
        response: { 200: any, ...errors },
      },
    },
    async (request) => ({
      bankDetails: await decideBankDetails(
        engine,
        callerOf(request.principal),
        request.params.editeurId,
        request.params.id,
        {
          eventId: request.body.eventId,
          decision: 'validated',
        },
      ),
    }),
  );

  app.post(
    '/editeurs/:editeurId/bank-details/:id/rejection',
    {
      config: { roles: who.ordonnateurs },
      schema: {
        summary: 'An ordonnateur rejects proposed bank details, with a reason',
        params: detailsParams,
        body: z.object({ eventId: clientEventIdSchema, reason: z.string().trim().min(1).max(500) }),
        response: { 200: any, ...errors },
      },
    },
    async (request) => ({
      bankDetails: await decideBankDetails(
        engine,
        callerOf(request.principal),
        request.params.editeurId,
        request.params.id,
        {
          eventId: request.body.eventId,
          decision: 'rejected',
          reason: request.body.reason,
        },
      ),
    }),
  );
}
