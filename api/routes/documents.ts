import { z } from 'zod';
import { readDocument, storeDocument } from '../../client/documents';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { refusalsSchema } from '../errors';

const sha256Params = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** The PDFs of a VA: an éditeur uploads them, its VA names them by SHA-256, operators read them. */
export function documentRoutes(app: Api, { engine }: ApiDeps) {
  app.addContentTypeParser(
    'application/pdf',
    { parseAs: 'buffer', bodyLimit: 10 * 2 ** 20 + 1 },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/documents',
    {
      config: { roles: who.editeurs },
      bodyLimit: 10 * 2 ** 20 + 1,
      schema: {
        summary:
          'Upload a PDF (the signed VA, the invoice) as application/pdf: answered with its SHA-256, which the VA names in documents.signedVa / documents.invoice',
        consumes: ['application/pdf'],
        response: { 201: z.object({ sha256: z.string() }), 422: refusalsSchema },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      const content = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const sha256 = await storeDocument(
        engine,
        { ...callerOf(principal), editeurId: principal.editeurId! },
        { content, fileName: String(request.headers['x-file-name'] ?? 'document.pdf') },
        'body',
      );
      return reply.status(201).header('location', `/documents/${sha256}`).send({ sha256 });
    },
  );

  app.get(
    '/documents/:sha256',
    {
      config: { roles: who.everyone },
      schema: { summary: 'A document by its SHA-256 (an éditeur reads only its own uploads)', params: sha256Params },
    },
    async (request, reply) => {
      const doc = await readDocument(engine, callerOf(request.principal), request.params.sha256);
      return reply
        .type(doc.contentType)
        .header('content-disposition', `attachment; filename="${doc.fileName.replace(/[^\w.-]/g, '_')}"`)
        .send(doc.content);
    },
  );
}
