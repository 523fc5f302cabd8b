import { say, type Said } from '../domain/messages';
import fs from 'node:fs';
import path from 'node:path';
import { parseHeader, parseLine } from '../domain/finess-extraction';
import type { Establishment } from '../domain/eligibility';
import { refuse } from '../domain/refusal';
import type { Extraction, FinessReference } from '../db/finess';

export interface ImportSummary {
  extraction: Extraction;
  encoding: 'utf-8' | 'latin1';
  /** rejected lines by reason, with the first line numbers of each */
  rejections: Record<string, { count: number; lines: number[] }>;
}

const BATCH = 1_000;

/**
 * Older extractions are Latin-1, newer UTF-8: a file whose first 64 KiB are not valid UTF-8 (a cut
 * multi-byte character at the end aside) is read as Latin-1.
 */
async function detectEncoding(file: string): Promise<'utf-8' | 'latin1'> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0);
    new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead), { stream: true });
    return 'utf-8';
  } catch {
    return 'latin1';
  } finally {
    await handle.close();
  }
}

async function* lines(file: string, encoding: 'utf-8' | 'latin1', position: { bytes: number }): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  let rest = '';
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    position.bytes += (chunk as Buffer).length;
    const text = rest + decoder.decode(chunk as Buffer, { stream: true });
    const parts = text.split(/\r?\n/);
    rest = parts.pop() ?? '';
    yield* parts;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

/**
 * Streams a FINESS extraction into the reference tables as a new version: rows are parsed one at a
 * time and written in batches, so memory stays flat whatever the file's size.
 */
export type Progress = (p: { rowsRead: number; bytesRead: number; bytesTotal: number }) => void;
/** A line the import set aside: its number in the file, its text, why (in the catalogue's words). */
export type Rejected = (r: { line: number; content: string; said: Said }) => void;

export async function importFinessExtraction(
  reference: FinessReference,
  file: string,
  onProgress: Progress = () => undefined,
  onRejected: Rejected = () => undefined,
): Promise<ImportSummary> {
  const encoding = await detectEncoding(file);
  const bytesTotal = (await fs.promises.stat(file)).size;
  const rejections: ImportSummary['rejections'] = {};
  let extractionId: number | undefined;
  let batch: Establishment[] = [];
  let read = 0;
  let kept = 0;
  let lineNumber = 0;
  const position = { bytes: 0 };
  for await (const line of lines(file, encoding, position)) {
    lineNumber++;
    if (lineNumber === 1) {
      const header = parseHeader(line);
      if ('problem' in header) {
        const name = path.basename(file);
        throw refuse(
          'not_an_extraction',
          header.problem === 'header'
            ? say('extraction_header', { file: name })
            : say('extraction_date', { file: name, raw: header.raw }),
          'file',
          file,
        );
      }
      extractionId = await reference.beginExtraction(header.date, path.basename(file), encoding);
      continue;
    }
    const parsed = parseLine(line);
    if (parsed.kind === 'ignored') continue;
    read++;
    if (parsed.kind === 'rejected') {
      const r = (rejections[parsed.reason] ??= { count: 0, lines: [] });
      r.count++;
      if (r.lines.length < 5) r.lines.push(lineNumber);
      onRejected({ line: lineNumber, content: line, said: parsed.said });
      continue;
    }
    kept++;
    batch.push(parsed.establishment);
    if (batch.length === BATCH) {
      await reference.insertEstablishments(extractionId!, batch);
      batch = [];
      onProgress({ rowsRead: read, bytesRead: position.bytes, bytesTotal });
    }
  }
  if (extractionId === undefined)
    throw refuse('not_an_extraction', say('extraction_empty', { file: path.basename(file) }), 'file', file);
  await reference.insertEstablishments(extractionId, batch);
  onProgress({ rowsRead: read, bytesRead: bytesTotal, bytesTotal });
  const extraction = await reference.completeExtraction(extractionId, { read, kept, rejected: read - kept });
  return { extraction, encoding, rejections };
}
