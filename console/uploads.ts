import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A file a form sent: written to a temporary file as it arrives (never held whole in memory), hashed on the way. */
export interface Upload {
  fileName: string;
  mimeType: string;
  path: string;
  size: number;
  sha256: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    uploadDir?: string;
  }
}

/**
 * Forms with files (the VA's PDFs, a FINESS extraction, a bulk registration): their fields become the
 * body, each file a temporary file removed once the answer is sent.
 */
export async function uploads(app: FastifyInstance, options: { maxFileBytes: number }): Promise<void> {
  await app.register(multipart, {
    attachFieldsToBody: true,
    limits: { fileSize: options.maxFileBytes, files: 4, fields: 5_000, fieldSize: 64 * 1024 },
    async onFile(this: FastifyRequest, part: MultipartFile) {
      this.uploadDir ??= await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sons-upload-'));
      const file = path.join(
        this.uploadDir,
        `${Object.keys(this.body ?? {}).length}-${part.fieldname.replace(/[^\w.-]/g, '_')}`,
      );
      const hash = createHash('sha256');
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(part.file, tap, fs.createWriteStream(file, { mode: 0o600 }));
      (part as unknown as { value: Upload }).value = {
        fileName: part.filename,
        mimeType: part.mimetype,
        path: file,
        size,
        sha256: hash.digest('hex'),
      };
    },
  });
  app.addHook('onResponse', async (request) => {
    if (request.uploadDir) await fs.promises.rm(request.uploadDir, { recursive: true, force: true });
  });
}

/** The file a form sent under `name`, if one was chosen. */
export function uploadOf(body: unknown, name: string): Upload | undefined {
  const part = (body as Record<string, { value?: unknown } | undefined> | undefined)?.[name];
  const upload = part?.value as Upload | undefined;
  return upload && typeof upload === 'object' && 'path' in upload && upload.size > 0 ? upload : undefined;
}
