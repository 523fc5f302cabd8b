import { Readable } from 'node:stream';
import { z } from 'zod';
import {
  checkpointRequestOf,
  exportJournal,
  journalStatus,
  latestCheckpoints,
  latestVerifications,
  requestCheckpoint,
  requestVerification,
  verificationOf,
} from '../../client/journal';
import { say } from '../../domain/messages';
import { actorOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { httpRefusal, refusalsSchema } from '../errors';

const idParams = z.object({ id: z.coerce.number().int().positive() });
const anObject = z.record(z.string(), z.unknown());
const requested = z.object({ id: z.number(), status: z.string() });

/**
 * The tamper-evident journal, for admins: its state, its verifications and checkpoints (asked of the
 * worker, which holds the key, and followed), its public keys and an auditor's export.
 */
export function journalRoutes(app: Api, { engine }: ApiDeps) {
  app.get(
    '/journal',
    {
      config: { roles: who.admins },
      schema: {
        summary:
          'The journal: its head, its last checkpoint, its last verification and the last that found nothing amiss',
        response: { 200: anObject },
      },
    },
    async () => ({ ...(await journalStatus(engine)) }),
  );

  app.post(
    '/journal/verifications',
    {
      config: { roles: who.admins },
      schema: {
        summary: 'Asks the worker to verify the whole journal now (202); follow it at /journal/verifications/{id}',
        response: { 202: requested },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send({ id: await requestVerification(engine, actorOf(request.principal).id), status: 'requested' }),
  );

  app.get(
    '/journal/verifications',
    { config: { roles: who.admins }, schema: { summary: 'The latest verifications of the journal' } },
    async () => ({ verifications: await latestVerifications(engine) }),
  );

  app.get(
    '/journal/verifications/:id',
    {
      config: { roles: who.admins },
      schema: {
        summary: 'A verification: requested, running, ok, or mismatch with the first entry that does not match',
        params: idParams,
        response: { 200: anObject, 404: refusalsSchema },
      },
    },
    async (request) => {
      const v = await verificationOf(engine, request.params.id);
      if (!v)
        throw httpRefusal(
          404,
          'not_found',
          say('unknown_journal_verification', { id: String(request.params.id) }),
          'id',
        );
      return { ...v };
    },
  );

  app.post(
    '/journal/checkpoints',
    {
      config: { roles: who.admins },
      schema: {
        summary: 'Asks the worker to sign a checkpoint of the journal now and publish it (202)',
        response: { 202: requested },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send({ id: await requestCheckpoint(engine, actorOf(request.principal).id), status: 'requested' }),
  );

  app.get(
    '/journal/checkpoints',
    {
      config: { roles: who.admins },
      schema: { summary: 'The latest signed checkpoints, with their statements and signatures' },
    },
    async () => ({ checkpoints: await latestCheckpoints(engine) }),
  );

  app.get(
    '/journal/checkpoints/requests/:id',
    {
      config: { roles: who.admins },
      schema: {
        summary: 'A checkpoint asked for: done, and the checkpoint signed',
        params: idParams,
        response: { 200: anObject, 404: refusalsSchema },
      },
    },
    async (request) => {
      const r = await checkpointRequestOf(engine, request.params.id);
      if (!r)
        throw httpRefusal(404, 'not_found', say('unknown_checkpoint_request', { id: String(request.params.id) }), 'id');
      return { ...r };
    },
  );

  app.get(
    '/journal/keys',
    {
      config: { roles: who.admins },
      schema: { summary: 'The public keys of the journal (Ed25519, 32 bytes, base64), by key id' },
    },
    async () => {
      const { journalId, keys } = await journalStatus(engine);
      return { journal: journalId, keys };
    },
  );

  app.get(
    '/journal/export',
    {
      config: { roles: who.admins },
      schema: {
        summary:
          "An auditor's export (JSON lines): the whole journal, a range (from, to), or one BDC's entries with the proofs linking them to a checkpoint; scripts/journal-verify.mjs verifies it",
        querystring: z.object({
          from: z.coerce.number().int().positive().optional(),
          to: z.coerce.number().int().positive().optional(),
          bdcId: z.string().min(1).max(200).optional(),
        }),
      },
    },
    async (request, reply) => {
      const { from, to, bdcId } = request.query;
      if (bdcId && (from || to)) throw httpRefusal(422, 'invalid_format', say('journal_export_scope'), 'bdcId', bdcId);
      const scope = bdcId ? { bdcId } : { ...(from ? { from } : {}), ...(to ? { to } : {}) };
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="sons-journal${bdcId ? '-bdc' : ''}.jsonl"`)
        .send(Readable.from(exportJournal(engine, scope)));
    },
  );
}
