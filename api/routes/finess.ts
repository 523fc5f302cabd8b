import { finessSchema } from '../../domain/schemas';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { importFinessRecorded } from '../../client/imports';
import { callerOf } from '../auth';
import { say } from '../../domain/messages';
import { httpRefusal } from '../errors';
import { who, type Api, type ApiDeps } from '../context';

/**
 * Reference data through the engine that owns the database, so that an operator can import while
 * the engine runs (the embedded database admits one process).
 */
export function finessRoutes(app: Api, { engine }: ApiDeps) {
  // an extraction is streamed to a temporary file, never held in memory
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  app.post(
    '/finess/extractions',
    {
      config: { roles: who.operators },
      bodyLimit: 512 * 1024 * 1024,
      schema: {
        summary: 'Import a FINESS extraction (the public file, as text/csv): a new version of the reference data',
        consumes: ['text/csv'],
      },
    },
    async (request, reply) => {
      if (!(request.body instanceof Readable)) {
        throw httpRefusal(
          415,
          'unsupported_media_type',
          say('extraction_media_type'),
          'headers.content-type',
          request.headers['content-type'],
        );
      }
      const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sons-finess-'));
      const file = path.join(dir, String(request.headers['x-file-name'] ?? 'extraction.csv').replace(/[^\w.-]/g, '_'));
      try {
        await pipeline(request.body, fs.createWriteStream(file));
        // listed on the console's Imports page with its refused lines, as an import started there
        return reply
          .status(201)
          .send(await importFinessRecorded(engine, callerOf(request.principal), file, path.basename(file)));
      } finally {
        await fs.promises.rm(dir, { recursive: true, force: true });
      }
    },
  );

  app.post(
    '/finess/exclusions',
    {
      config: { roles: who.operators },
      schema: {
        summary: 'Add ESSMS financed by ESMS numérique for a référencé DUI: they are refused at intake',
        body: z.object({
          entries: z
            .array(z.object({ finess: finessSchema, reason: z.string().min(1).max(300) }))
            .min(1)
            .max(100_000),
        }),
      },
    },
    async (request) => ({
      imported: request.body.entries.length,
      total: await engine.finess.importExclusions(request.body.entries),
    }),
  );
}
