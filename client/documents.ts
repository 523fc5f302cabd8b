import { createHash } from 'node:crypto';
import { say } from '../domain/messages';
import { refuse, refusalOf, RefusedError, type Refusal } from '../domain/refusal';
import type { VaDocuments } from '../domain/bdc-view';
import { Documents } from '../db/documents';
import type { Caller, EngineContext } from './context';

/** A PDF an éditeur may upload: at most this size. */
export const MAX_DOCUMENT_MIB = 10;
const PDF_MAGIC = Buffer.from('%PDF-');

/** What is wrong with a file offered as a PDF document, at `path` (the form's or the body's field). */
export function documentRefusals(content: Uint8Array | undefined, path: string): Refusal[] {
  if (!content || content.length === 0) return [refusalOf('document_missing', say('document_missing'), path)];
  if (content.length > MAX_DOCUMENT_MIB * 2 ** 20)
    return [refusalOf('document_too_large', say('document_too_large', { maxMiB: MAX_DOCUMENT_MIB }), path)];
  if (!Buffer.from(content.subarray(0, 5)).equals(PDF_MAGIC))
    return [refusalOf('document_not_pdf', say('document_not_pdf'), path)];
  return [];
}

/** Stores an éditeur's PDF by its SHA-256 (the same file twice is stored once) and answers the hash. */
export async function storeDocument(
  ctx: EngineContext,
  caller: Caller & { editeurId: string },
  file: { content: Uint8Array; fileName: string },
  path = 'file',
): Promise<string> {
  const problems = documentRefusals(file.content, path);
  if (problems.length) throw new RefusedError(problems);
  const sha256 = createHash('sha256').update(file.content).digest('hex');
  await new Documents(ctx.sql).store(
    { sha256, contentType: 'application/pdf', sizeBytes: file.content.length, content: file.content },
    {
      editeurId: caller.editeurId,
      fileName: file.fileName.slice(0, 200) || 'document.pdf',
      uploadedBy: caller.actor.id,
    },
  );
  return sha256;
}

/** The documents a VA names were uploaded by its éditeur: it cannot cite another's files. */
export async function checkOwnDocuments(
  ctx: EngineContext,
  editeurId: string,
  documents: VaDocuments | undefined,
): Promise<void> {
  if (!documents || typeof documents !== 'object') return;
  const store = new Documents(ctx.sql);
  const missing: Refusal[] = [];
  for (const [field, sha256] of Object.entries(documents)) {
    if (typeof sha256 === 'string' && /^[0-9a-f]{64}$/.test(sha256) && !(await store.uploadOf(sha256, editeurId)))
      missing.push(refusalOf('document_unknown', say('document_unknown', { sha256 }), `documents.${field}`, sha256));
  }
  if (missing.length) throw new RefusedError(missing);
}

/**
 * A document's content for a reader: operators and admins read any; an éditeur only those it
 * uploaded (another's is "not found", as a missing one).
 */
export async function readDocument(
  ctx: EngineContext,
  caller: Caller,
  sha256: string,
): Promise<{ content: Buffer; contentType: string; fileName: string }> {
  const store = new Documents(ctx.sql);
  const upload = caller.editeurId
    ? await store.uploadOf(sha256, caller.editeurId)
    : { fileName: `${sha256.slice(0, 12)}.pdf` };
  const doc = upload && /^[0-9a-f]{64}$/.test(sha256) ? await store.content(sha256) : undefined;
  if (!upload || !doc) throw refuse('not_found', say('document_not_found', { sha256 }), 'sha256');
  return { content: doc.content, contentType: doc.contentType, fileName: upload.fileName };
}
