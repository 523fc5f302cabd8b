import type { Sql } from './sql';

export interface StoredDocument {
  sha256: string;
  contentType: string;
  sizeBytes: number;
}

/**
 * Documents éditeurs upload (the signed VA, the invoice), stored by their SHA-256: the same file
 * twice is stored once, and a VA event names its files by hash. Who uploaded which is kept apart,
 * so that an éditeur can refer only to its own uploads.
 */
export class Documents {
  constructor(readonly sql: Sql) {}

  async store(
    doc: StoredDocument & { content: Uint8Array },
    upload: { editeurId: string; fileName: string; uploadedBy: string },
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query(
        'INSERT INTO documents (sha256, content_type, size_bytes, content) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING',
        [doc.sha256, doc.contentType, doc.sizeBytes, doc.content],
      );
      await tx.query(
        'INSERT INTO document_uploads (sha256, editeur_id, file_name, uploaded_by) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256, editeur_id) DO NOTHING',
        [doc.sha256, upload.editeurId, upload.fileName, upload.uploadedBy],
      );
    });
  }

  /** The file name an éditeur gave a document it uploaded; undefined when it did not upload it. */
  async uploadOf(sha256: string, editeurId: string): Promise<{ fileName: string } | undefined> {
    const [row] = await this.sql.query<{ file_name: string }>(
      'SELECT file_name FROM document_uploads WHERE sha256 = $1 AND editeur_id = $2',
      [sha256, editeurId],
    );
    return row ? { fileName: row.file_name } : undefined;
  }

  async content(sha256: string): Promise<(StoredDocument & { content: Buffer }) | undefined> {
    const [row] = await this.sql.query<{
      sha256: string;
      content_type: string;
      size_bytes: number;
      content: Uint8Array;
    }>('SELECT sha256, content_type, size_bytes, content FROM documents WHERE sha256 = $1', [sha256]);
    return row
      ? {
          sha256: row.sha256,
          contentType: row.content_type,
          sizeBytes: Number(row.size_bytes),
          content: Buffer.from(row.content),
        }
      : undefined;
  }
}
