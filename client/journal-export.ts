import { leafOf } from '../domain/journal-chain';
import { JournalStore } from '../db/journal';
import { JournalRecords, type Checkpoint } from '../db/journal-records';
import type { Sql } from '../db/sql';

/**
 * An auditor's export of the journal, one JSON object a line (the standalone verifier,
 * scripts/journal-verify.mjs, reads it with nothing but Node and the journal's public key):
 *
 *   {"type":"sons-journal-export","version":1,"journal":…,"exportedAt":…,"scope":…}
 *   {"type":"key","keyId":…,"publicKey":…}                          the keys the database knows (compare them)
 *   {"type":"segment","from":n,"prevHash":…}                       a run of the chain from entry n
 *   {"type":"entry","seq":n,"canonical":…,"hash":…}                an entry in full
 *   {"type":"link","seq":n,"leaf":…,"hash":…}                      another entry, by its leaf only (a BDC's export)
 *   {"type":"checkpoint","n":…,"statement":…,"signature":…,"keyId":…}
 *   {"type":"end","entries":n,"links":n,"checkpoints":n}
 *
 * A range (or the whole journal) runs on to the first checkpoint that signs its last entry; a BDC's
 * entries come in runs, each from one of its entries to the checkpoint that proves it, the other
 * entries in between as their leaves (their content is other BDCs'). Entries signed by no checkpoint
 * yet run to the head, unproven.
 */
export type ExportScope = { from?: number; to?: number } | { bdcId: string };

interface Segment {
  from: number;
  to: number;
  /** which entries are given in full (the others by their leaf) */
  full: (seq: number) => boolean;
}

const PAGE = 2_000;

export async function* journalExport(sql: Sql, scope: ExportScope): AsyncGenerator<string> {
  const store = new JournalStore(sql);
  const records = new JournalRecords(sql);
  const head = await store.head();
  const checkpoints = await records.checkpoints();
  const cover = (seq: number) => checkpoints.find((c) => c.seq >= seq)?.seq ?? head.seq;
  let segments: Segment[];
  if ('bdcId' in scope) {
    const seqs = await store.seqsOfBdc(scope.bdcId);
    const mine = new Set(seqs);
    segments = [];
    for (const s of seqs) {
      const last = segments[segments.length - 1];
      if (last && s <= last.to) continue;
      segments.push({ from: s, to: cover(s), full: (seq) => mine.has(seq) });
    }
  } else {
    const from = Math.max(1, scope.from ?? 1);
    const to = Math.min(head.seq, scope.to ?? head.seq);
    segments = from <= to ? [{ from, to: cover(to), full: (seq) => seq <= to }] : [];
  }
  yield line({
    type: 'sons-journal-export',
    version: 1,
    journal: head.journalId,
    exportedAt: new Date().toISOString(),
    scope:
      'bdcId' in scope
        ? { bdcId: scope.bdcId }
        : {
            from: segments[0]?.from ?? 0,
            to: Math.min(head.seq, scope.to ?? head.seq),
            whole: scope.to === undefined || scope.to >= head.seq,
            head: head.seq,
          },
  });
  for (const [keyId, publicKey] of Object.entries(await records.keys())) yield line({ type: 'key', keyId, publicKey });
  let entries = 0;
  let links = 0;
  for (const segment of segments) {
    let seq = segment.from;
    for (;;) {
      const page = await store.entries(seq, PAGE, segment.to);
      if (!page.length) break;
      if (seq === segment.from) yield line({ type: 'segment', from: segment.from, prevHash: page[0]!.prevHash });
      for (const e of page) {
        if (segment.full(e.seq)) {
          entries++;
          yield line({ type: 'entry', seq: e.seq, canonical: e.canonical, hash: e.hash });
        } else {
          links++;
          yield line({ type: 'link', seq: e.seq, leaf: leafOf(e.canonical), hash: e.hash });
        }
      }
      seq = page[page.length - 1]!.seq + 1;
      if (seq > segment.to) break;
    }
  }
  const within = (c: Checkpoint) => segments.some((s) => c.seq >= s.from && c.seq <= s.to);
  const shown = checkpoints.filter(within);
  for (const c of shown)
    yield line({ type: 'checkpoint', n: c.n, statement: c.statement, signature: c.signature, keyId: c.keyId });
  yield line({ type: 'end', entries, links, checkpoints: shown.length });
}

const line = (o: object) => `${JSON.stringify(o)}\n`;
