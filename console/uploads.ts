import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpRefusal } from '../api/errors';
import { callerKey } from '../api/throttles';
import { say } from '../domain/messages';
import { refusalOf } from '../domain/refusal';
import { UploadArea } from './upload-area';
import { UploadQuota } from './upload-quota';

/** A file a form sent: written to the upload area as it arrives (never held whole in memory), hashed on the way. */
export interface Upload {
  fileName: string;
  mimeType: string;
  path: string;
  size: number;
  sha256: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a form that takes files (multipart): its largest file, MAX_FILE_BYTES unless it says */
    uploads?: { maxFileBytes?: number };
  }
}

/** The largest file a form takes, unless its route says otherwise. */
export const MAX_FILE_BYTES = 10 * 2 ** 20;
/** Forms with files arriving at once: per person, and for the process. */
export const UPLOADS = { perPerson: 2, atOnce: 4 };

/** Refused before the rest of the body is read: the connection closes rather than read what nobody keeps. */
const refusedUnread = (status: number, code: string, said: ReturnType<typeof say>, path = '', retryAfter?: number) =>
  new HttpRefusal(status, [refusalOf(code, said, path)], {
    connection: 'close',
    ...(retryAfter ? { 'retry-after': String(retryAfter) } : {}),
  });

/**
 * Forms with files (the VA's PDFs, a FINESS extraction, a bulk registration), on their routes only
 * (`config.uploads`): a multipart body sent anywhere else is refused unread. On those routes the
 * session is checked before the body is read (the console's hook), the CSRF token — a field the form
 * puts before its files — before the first byte of a file is written; each file is bounded, written
 * to this process's upload area and removed once the answer is sent (or the client gone), and a
 * person (and the process) has a bounded number of such forms arriving at once.
 */
export async function uploads(app: FastifyInstance, quota = new UploadQuota(UPLOADS.perPerson, UPLOADS.atOnce)) {
  const area = await UploadArea.open();
  app.addHook('onClose', () => area.close());
  // only the parser: parts are read by the route's own reader, not attached to the body
  await app.register(multipart, { throwFileSizeLimit: true });

  // before any parser: the content type as the client states it
  app.addHook('onRequest', async (request) => {
    const multipartBody = /^\s*multipart\//i.test(request.headers['content-type'] ?? '');
    if (multipartBody && !request.routeOptions.config.uploads)
      throw refusedUnread(415, 'unsupported_media_type', say('multipart_not_here'), 'headers.content-type');
  });
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = route.config as { uploads?: { maxFileBytes?: number }; sessionRoles?: unknown } | undefined;
    if (!config?.uploads) return;
    // a file is taken from a person signed in only: the session is checked before the body is read
    if (!config.sessionRoles) throw new Error(`route ${route.method} ${route.url} takes files without a session`);
    const reader = readForm(app, area, quota, config.uploads.maxFileBytes ?? MAX_FILE_BYTES);
    route.preHandler = [
      reader,
      ...(Array.isArray(route.preHandler) ? route.preHandler : route.preHandler ? [route.preHandler] : []),
    ];
  });
}

/** The CSRF check of the fields read so far, by the console's own CSRF protection. */
function checkCsrf(app: FastifyInstance, request: FastifyRequest, fields: Record<string, string>): Promise<void> {
  request.body = fields;
  return new Promise((resolve, reject) =>
    // the protection answers a refusal with reply.send(error): here the error is taken, the body read no further
    app.csrfProtection.call(app, request, { send: reject } as unknown as FastifyReply, () => resolve()),
  );
}

function readForm(app: FastifyInstance, area: UploadArea, quota: UploadQuota, maxFileBytes: number) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    // the same route posted without files (a form resent with its files kept): formbody parsed it
    if (!request.isMultipart()) return;
    const place = quota.take(callerKey(request.principal));
    if ('refused' in place)
      throw place.refused === 'person'
        ? refusedUnread(429, 'too_many_uploads', say('too_many_uploads', { max: quota.perPerson }), '', 5)
        : refusedUnread(503, 'uploads_busy', say('uploads_busy'), '', 5);
    const written: string[] = [];
    // whatever ends the exchange (the answer sent, the client gone), the place is given back and the files go
    reply.raw.once('close', () => {
      place.release();
      for (const file of written) void fs.promises.rm(file, { force: true });
    });
    const fields: Record<string, string> = {};
    const files: Record<string, { value: Upload }> = {};
    let csrfChecked = false;
    try {
      for await (const part of request.parts({
        limits: { fileSize: maxFileBytes, files: 4, fields: 5_000, fieldSize: 8 * 1024, parts: 5_004 },
      })) {
        if (part.type === 'field') {
          fields[part.fieldname] ??= String(part.value);
          continue;
        }
        if (!csrfChecked) {
          await checkCsrf(app, request, fields);
          csrfChecked = true;
        }
        const file = area.file(randomUUID());
        written.push(file);
        files[part.fieldname] = { value: await store(part, file) };
      }
    } catch (err) {
      reply.header('connection', 'close');
      throw asRefusal(err, maxFileBytes);
    }
    request.body = { ...fields, ...files };
  };
}

async function store(part: MultipartFile, file: string): Promise<Upload> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(part.file, tap, fs.createWriteStream(file, { mode: 0o600, flags: 'wx' }));
  return { fileName: part.filename, mimeType: part.mimetype, path: file, size, sha256: hash.digest('hex') };
}

/** What reading a form failed on, as the refusal it answers (an error of the disk stays an error). */
function asRefusal(err: unknown, maxFileBytes: number): unknown {
  const e = err as { code?: string; statusCode?: number; syscall?: string; part?: { fieldname?: string } };
  if (err instanceof HttpRefusal || e.code?.startsWith('FST_CSRF') || e.syscall) return err;
  if (e.code === 'FST_REQ_FILE_TOO_LARGE')
    return refusedUnread(413, 'file_too_large', say('document_too_large', { maxMiB: maxFileBytes / 2 ** 20 }));
  if (e.code === 'FST_FILES_LIMIT' || e.code === 'FST_FIELDS_LIMIT' || e.code === 'FST_PARTS_LIMIT')
    return refusedUnread(413, 'form_too_large', say('form_too_large'));
  // busboy's words for a body that is not the multipart it claims (no boundary, a part cut short…)
  return refusedUnread(400, 'malformed_form', say('malformed_form', { problem: (err as Error).message }));
}

/** The file a form sent under `name`, if one was chosen. */
export function uploadOf(body: unknown, name: string): Upload | undefined {
  const part = (body as Record<string, { value?: unknown } | undefined> | undefined)?.[name];
  const upload = part?.value as Upload | undefined;
  return upload && typeof upload === 'object' && 'path' in upload && upload.size > 0 ? upload : undefined;
}
