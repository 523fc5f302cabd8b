import { canonical, differences, GENESIS, leafOf, linkHash, parseStatement } from '../domain/journal-chain';
import { factKinds, readFact, selectList, type FactKind } from '../db/journal-facts';
import { JournalStore } from '../db/journal';
import { JournalRecords, type Mismatch, type VerificationOutcome } from '../db/journal-records';
import type { Sql, Tx } from '../db/sql';
import { signatureHolds } from './journal-keys';

/**
 * Verifies the journal in one snapshot of the database (REPEATABLE READ: the facts and their entries
 * as one commit left them): the chain (every number once, in order, each entry's hash its content's
 * and its predecessor's), the signed checkpoints (each signed by a configured key, over the chain's
 * hash at its number, none missing, none beyond the journal's end), the public keys the database
 * hands auditors, and every fact as its table holds it against its latest entry (changed, removed, or
 * written without an entry). Answers the mismatches, the first entry concerned first.
 */
const PAGE = 2_000;
const KEEP = 200;

export async function verifyJournal(sql: Sql, publicKeys: Record<string, string>): Promise<VerificationOutcome> {
  return sql.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    return verifyIn(tx, publicKeys);
  });
}

async function verifyIn(tx: Tx, publicKeys: Record<string, string>): Promise<VerificationOutcome> {
  const mismatches: Mismatch[] = [];
  const found = (m: Mismatch) => mismatches.length < KEEP && mismatches.push(m);
  const store = new JournalStore(tx);
  const records = new JournalRecords(tx);
  const head = await store.head();
  const checkpoints = await records.checkpoints();
  const wanted = new Set(checkpoints.map((c) => c.seq));
  const hashAt = new Map<number, string>();

  // the chain: walked to its first break (past it, nothing is proven)
  let expected = 1;
  let prev = GENESIS;
  let broken = false;
  walk: for (;;) {
    const page = await store.entries(expected, PAGE);
    if (!page.length) break;
    for (const e of page) {
      if (e.seq !== expected) {
        found({
          seq: expected,
          code: 'entry_missing',
          what: `entry ${expected} is missing or out of place: the journal goes from ${expected - 1} to ${e.seq}`,
        });
        broken = true;
        break walk;
      }
      const problem = entryProblem(e, prev);
      if (problem) {
        found({ seq: e.seq, code: problem.code, kind: e.kind, subject: e.subject, what: problem.what });
        broken = true;
        break walk;
      }
      prev = e.hash;
      if (wanted.has(e.seq)) hashAt.set(e.seq, e.hash);
      expected++;
    }
  }
  const end = expected - 1;
  if (!broken && (head.seq !== end || head.hash !== prev))
    found({
      seq: Math.min(head.seq, end) + 1,
      code: 'head_mismatch',
      what: `the journal's head says entry ${head.seq} (${head.hash.slice(0, 12)}…), its entries end at ${end} (${prev.slice(0, 12)}…)`,
    });

  // the checkpoints: each genuine, over this chain; the first one that fails leaves unproven what follows the last that held
  let provenTo = 0;
  checkpoints.forEach((c, i) => {
    const statement = parseStatement(c.statement);
    const problem =
      c.n !== i + 1
        ? { code: 'checkpoint_missing', what: `checkpoint #${i + 1} is missing (the next one kept is #${c.n})` }
        : !statement ||
            statement.n !== c.n ||
            statement.seq !== c.seq ||
            statement.hash !== c.hash ||
            statement.keyId !== c.keyId ||
            statement.journal !== head.journalId
          ? { code: 'checkpoint_forged', what: `checkpoint #${c.n}: its statement does not say what its row says` }
          : !publicKeys[c.keyId]
            ? {
                code: 'checkpoint_unknown_key',
                what: `checkpoint #${c.n} is signed with key ${c.keyId}, which is not one of the journal's keys`,
              }
            : !signatureHolds(publicKeys, c.keyId, c.statement, c.signature)
              ? {
                  code: 'checkpoint_signature',
                  what: `checkpoint #${c.n}: its signature does not verify with the journal's key ${c.keyId}`,
                }
              : c.seq > end && !broken
                ? {
                    code: 'checkpoint_beyond_journal',
                    what: `checkpoint #${c.n} signed the journal up to entry ${c.seq}; it ends at ${end}: entries ${end + 1}–${c.seq} were removed`,
                  }
                : hashAt.has(c.seq) && hashAt.get(c.seq) !== c.hash
                  ? {
                      code: 'checkpoint_hash',
                      what: `checkpoint #${c.n} signed hash ${c.hash.slice(0, 12)}… at entry ${c.seq}; the journal has ${hashAt.get(c.seq)!.slice(0, 12)}… there`,
                    }
                  : undefined;
    if (problem)
      found({
        seq: problem.code === 'checkpoint_beyond_journal' ? end + 1 : Math.min(provenTo + 1, c.seq),
        ...problem,
      });
    else if (!broken || c.seq <= end) provenTo = Math.max(provenTo, c.seq);
  });

  // the keys an export hands an auditor are the worker's
  const recorded = await records.keys();
  for (const [keyId, publicKey] of Object.entries(recorded))
    if (publicKeys[keyId] && publicKeys[keyId] !== publicKey)
      found({
        code: 'key_changed',
        what: `the database hands auditors another public key for ${keyId} than the journal signs with`,
      });

  // every fact against its latest entry
  let facts = 0;
  for (const k of factKinds) facts += await compareFacts(tx, k, head.seq, found);

  mismatches.sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
  return { verifiedSeq: end, verifiedHash: prev, entries: end, facts, checkpoints: checkpoints.length, mismatches };
}

function entryProblem(
  e: { seq: number; kind: string; subject: string; bdcId?: string; canonical: string; prevHash: string; hash: string },
  prev: string,
): { code: string; what: string } | undefined {
  if (e.prevHash !== prev)
    return {
      code: 'chain_broken',
      what: `entry ${e.seq} does not follow entry ${e.seq - 1}: its previous hash is not that entry's hash`,
    };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(e.canonical) as Record<string, unknown>;
  } catch {
    return { code: 'entry_not_canonical', what: `entry ${e.seq}: its canonical form is not JSON` };
  }
  if (
    body.seq !== e.seq ||
    body.kind !== e.kind ||
    body.subject !== e.subject ||
    (body.bdcId ?? null) !== (e.bdcId ?? null)
  )
    return {
      code: 'entry_moved',
      what: `entry ${e.seq}: its canonical form says entry ${String(body.seq)} (${String(body.kind)} ${String(body.subject)})`,
    };
  if (canonical(body) !== e.canonical)
    return { code: 'entry_not_canonical', what: `entry ${e.seq}: its text is not its canonical form` };
  if (linkHash(prev, leafOf(e.canonical)) !== e.hash)
    return {
      code: 'entry_changed',
      what: `entry ${e.seq} (${e.kind} ${e.subject}): its hash is not its content's: the entry was changed after it was written`,
    };
  return undefined;
}

/** One kind's facts against their latest entries; answers how many facts it compared. */
async function compareFacts(tx: Tx, k: FactKind, headSeq: number, found: (m: Mismatch) => unknown): Promise<number> {
  const pk = k.pk.map((_, i) => `f."$pk${i}"`);
  const inner = `SELECT ${selectList(k)}, ${k.pk.map((c, i) => `${c} AS "$pk${i}"`).join(', ')} FROM ${k.from}${k.where ? ` WHERE ${k.where}` : ''}`;
  let after: unknown[] | undefined;
  let compared = 0;
  for (;;) {
    const params: unknown[] = [k.kind, headSeq];
    const keyset = after ? `WHERE (${pk.join(', ')}) > (${after.map((v) => `$${params.push(v)}`).join(', ')})` : '';
    const rows = await tx.query(
      `SELECT f.*, j.seq AS "$seq", j.canonical AS "$canonical" FROM (${inner}) f
       LEFT JOIN LATERAL (SELECT seq, canonical FROM journal WHERE kind = $1 AND subject = f."$subject" AND seq <= $2 ORDER BY seq DESC LIMIT 1) j ON true
       ${keyset} ORDER BY ${pk.join(', ')} LIMIT ${PAGE}`,
      params,
    );
    for (const r of rows) {
      const fact = readFact(k, r);
      if (r.$seq == null) {
        found({
          code: 'fact_unjournaled',
          kind: k.kind,
          subject: fact.subject,
          what: `${k.kind} ${fact.subject} is in the database without an entry in the journal`,
        });
        continue;
      }
      const entry = (JSON.parse(String(r.$canonical)) as { content: unknown }).content;
      if (canonical(entry) !== canonical(fact.content))
        found({
          seq: Number(r.$seq),
          code: 'fact_changed',
          kind: k.kind,
          subject: fact.subject,
          what: `${k.kind} ${fact.subject} differs from its entry ${String(r.$seq)}: ${differences(entry, fact.content).join('; ')}`,
        });
    }
    compared += rows.length;
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    after = k.pk.map((_, i) => last[`$pk${i}`]);
  }
  // the facts the journal holds and the database no longer does (a `latest` fact gone by design says so in its entry)
  const gone = await tx.query<{ subject: string; seq: number; canonical: string }>(
    `SELECT DISTINCT ON (j.subject) j.subject, j.seq, j.canonical FROM journal j
     WHERE j.kind = $1 AND j.seq <= $2 AND NOT EXISTS (SELECT 1 FROM (SELECT ${k.subject} AS s FROM ${k.from}${k.where ? ` WHERE ${k.where}` : ''}) f WHERE f.s = j.subject)
     ORDER BY j.subject, j.seq DESC`,
    [k.kind, headSeq],
  );
  for (const g of gone) {
    const content = (JSON.parse(g.canonical) as { content: unknown }).content;
    if (k.absent && canonical(content) === canonical(k.absent(g.subject))) continue;
    found({
      seq: Number(g.seq),
      code: 'fact_removed',
      kind: k.kind,
      subject: g.subject,
      what: `${k.kind} ${g.subject} (entry ${g.seq}) is no longer in the database`,
    });
  }
  return compared;
}
