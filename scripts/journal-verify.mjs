#!/usr/bin/env node
// The auditor's verifier of a SONS journal export: plain Node (18 or later), no dependency, not
// compiled — read it before you trust it. It needs the export and the journal's public key(s), which
// the ASP gives you apart from the export (the export carries the keys the database holds: compare
// them, never take them on trust).
//
//   node journal-verify.mjs EXPORT.jsonl --keys KEYS.json [--checkpoint HELD.txt]... [--keys-from-export]
//
// KEYS.json: {"keys": {"<key id>": "<Ed25519 public key, 32 bytes, base64>"}} (what `sons journal keys` writes).
// HELD.txt: the checkpoints you received (each email's line starting {"type":"checkpoint"…}), one a line.
//
// What it checks: the chain (hash_n = SHA-256(hash_{n-1} || SHA-256(canonical_n)), every number once, in
// order); each entry's canonical form (RFC 8785) and its number; each checkpoint's Ed25519 signature with
// your key and its hash against the chain; the checkpoints you hold against the export (a rewritten
// past contradicts them). It names the first entry that does not match. Exit 0: the export holds; 1: it
// does not; 2: usage.
import { createHash, createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';

const usage = () => {
  process.stderr.write(
    'usage: node journal-verify.mjs EXPORT.jsonl --keys KEYS.json [--checkpoint HELD.txt]... [--keys-from-export]\n',
  );
  process.exit(2);
};

const args = process.argv.slice(2);
let exportFile;
let keysFile;
let keysFromExport = false;
const heldFiles = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--keys') keysFile = args[++i];
  else if (args[i] === '--checkpoint') heldFiles.push(args[++i]);
  else if (args[i] === '--keys-from-export') keysFromExport = true;
  else if (!args[i].startsWith('--') && !exportFile) exportFile = args[i];
  else usage();
}
if (!exportFile || (!keysFile && !keysFromExport)) usage();

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const link = (prev, leaf) => sha256(Buffer.concat([Buffer.from(prev, 'hex'), Buffer.from(leaf, 'hex')]));

/** RFC 8785 (JCS) for the values a journal holds: keys sorted by UTF-16 code units, ECMAScript numbers. */
function jcs(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  return `{${Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${jcs(v[k])}`)
    .join(',')}}`;
}

const publicKey = (raw) =>
  createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw, 'base64').toString('base64url') },
    format: 'jwk',
  });

const problems = [];
const notes = [];
const problem = (seq, what) => problems.push({ seq, what });

const lines = fs
  .readFileSync(exportFile, 'utf8')
  .split('\n')
  .filter((l) => l.trim());
const parsed = [];
for (const [i, l] of lines.entries()) {
  try {
    parsed.push(JSON.parse(l));
  } catch {
    problem(undefined, `line ${i + 1} of the export is not JSON`);
  }
}
const header = parsed[0];
if (header?.type !== 'sons-journal-export' || header.version !== 1) {
  process.stdout.write('MISMATCH: this is not a SONS journal export (version 1)\n');
  process.exit(1);
}

let keys = {};
if (keysFile) {
  const k = JSON.parse(fs.readFileSync(keysFile, 'utf8'));
  keys = k.keys ?? k;
}
const exportedKeys = Object.fromEntries(parsed.filter((p) => p.type === 'key').map((p) => [p.keyId, p.publicKey]));
if (keysFromExport) {
  notes.push('the keys were taken from the export itself: this proves nothing against whoever made the export');
  keys = { ...exportedKeys, ...keys };
}
for (const [id, raw] of Object.entries(exportedKeys))
  if (keys[id] && keys[id] !== raw)
    notes.push(`the export names another public key for ${id} than yours: yours is used`);

// the chain, segment by segment
const hashAt = new Map();
let prev;
let expected;
let broken = false;
let entries = 0;
let links = 0;
let last = 0;
for (const p of parsed) {
  if (p.type === 'segment') {
    prev = p.prevHash;
    expected = p.from;
    continue;
  }
  if (p.type !== 'entry' && p.type !== 'link') continue;
  if (broken) continue;
  if (expected === undefined) {
    problem(p.seq, 'an entry comes before any segment');
    broken = true;
    continue;
  }
  if (p.seq !== expected) {
    problem(expected, `entry ${expected} is missing or out of place: the export goes from ${expected - 1} to ${p.seq}`);
    broken = true;
    continue;
  }
  let leaf = p.leaf;
  if (p.type === 'entry') {
    entries++;
    leaf = sha256(p.canonical);
    let body;
    try {
      body = JSON.parse(p.canonical);
    } catch {
      problem(p.seq, `entry ${p.seq}: its canonical form is not JSON`);
      broken = true;
      continue;
    }
    if (jcs(body) !== p.canonical) problem(p.seq, `entry ${p.seq}: its text is not its canonical form (RFC 8785)`);
    if (body.seq !== p.seq) problem(p.seq, `entry ${p.seq}: its canonical form says entry ${body.seq}`);
    if (header.scope?.bdcId && body.bdcId !== header.scope.bdcId)
      problem(
        p.seq,
        `entry ${p.seq} is given in full but belongs to ${body.bdcId ?? 'no BDC'}, not ${header.scope.bdcId}`,
      );
  } else links++;
  const hash = link(prev, leaf);
  if (hash !== p.hash) {
    problem(
      p.seq,
      `entry ${p.seq}: its hash does not follow from its content and entry ${p.seq - 1} (recomputed ${hash.slice(0, 16)}…, written ${String(p.hash).slice(0, 16)}…)`,
    );
    broken = true;
    continue;
  }
  hashAt.set(p.seq, hash);
  prev = hash;
  expected = p.seq + 1;
  last = Math.max(last, p.seq);
}

const end = parsed[parsed.length - 1];
if (end?.type !== 'end') problem(last + 1, 'the export is cut: its last line is not its end');
else if (!broken && (end.entries !== entries || end.links !== links))
  problem(
    last + 1,
    `the export's end counts ${end.entries} entries and ${end.links} links; it holds ${entries} and ${links}`,
  );

// the checkpoints: the export's, then yours
function checkCheckpoint(c, whose) {
  let s;
  try {
    s = JSON.parse(c.statement);
  } catch {
    return { ok: false, what: `${whose} checkpoint #${c.n}: its statement is not JSON` };
  }
  if (s.type !== 'sons-journal-checkpoint' || jcs(s) !== c.statement || s.n !== c.n || s.keyId !== c.keyId)
    return { ok: false, what: `${whose} checkpoint #${c.n}: its statement is not one` };
  if (s.journal !== header.journal)
    return { ok: false, what: `${whose} checkpoint #${c.n} is another journal's (${s.journal})` };
  if (!keys[c.keyId])
    return { ok: false, what: `${whose} checkpoint #${c.n} is signed with key ${c.keyId}, which you were not given` };
  let valid = false;
  try {
    valid = verify(
      null,
      Buffer.from(c.statement, 'utf8'),
      publicKey(keys[c.keyId]),
      Buffer.from(c.signature, 'base64'),
    );
  } catch {
    valid = false;
  }
  if (!valid)
    return { ok: false, what: `${whose} checkpoint #${c.n}: its signature does not verify with key ${c.keyId}` };
  return { ok: true, s };
}

let provenTo = 0;
const seen = [];
const verifyAgainstChain = (c, s, whose) => {
  if (!hashAt.has(s.seq)) {
    if (whose === 'your' && header.scope?.whole && s.seq > last)
      problem(
        last + 1,
        `your checkpoint #${c.n} signed the journal up to entry ${s.seq}; this export, said whole, ends at ${last}: entries were removed`,
      );
    return;
  }
  if (hashAt.get(s.seq) !== s.hash)
    problem(
      provenTo + 1,
      `${whose} checkpoint #${c.n} signed entry ${s.seq} with hash ${s.hash.slice(0, 16)}…; the export has ${hashAt.get(s.seq).slice(0, 16)}…: the past was rewritten after entry ${provenTo}`,
    );
  else {
    provenTo = Math.max(provenTo, s.seq);
    seen.push({ n: c.n, seq: s.seq, signedAt: s.signedAt, keyId: c.keyId, whose });
  }
};
for (const c of parsed.filter((p) => p.type === 'checkpoint')) {
  const r = checkCheckpoint(c, 'the export’s');
  if (!r.ok) problem(provenTo + 1, r.what);
  else verifyAgainstChain(c, r.s, 'the export’s');
}
for (const file of heldFiles)
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    const at = l.indexOf('{"type":"checkpoint"');
    if (at < 0) continue;
    const c = JSON.parse(l.slice(at));
    const r = checkCheckpoint(c, 'your');
    if (!r.ok) problem(undefined, r.what);
    else verifyAgainstChain(c, r.s, 'your');
  }

problems.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
const say = (s) => process.stdout.write(`${s}\n`);
const scope = header.scope?.bdcId ? `BDC ${header.scope.bdcId}` : `entries ${header.scope?.from}–${header.scope?.to}`;
say(`SONS journal ${header.journal}, exported ${header.exportedAt}, ${scope}`);
for (const n of notes) say(`note: ${n}`);
if (problems.length) {
  say(`MISMATCH: ${problems.length} problem(s); the first entry that does not match: ${problems[0].seq ?? '—'}`);
  for (const p of problems.slice(0, 20))
    say(`  - ${p.seq && !p.what.startsWith(`entry ${p.seq}`) ? `entry ${p.seq}: ` : ''}${p.what}`);
  process.exit(1);
}
say(`OK: ${entries} entries and ${links} links chained, up to entry ${last}`);
for (const c of seen)
  say(
    `  checkpoint #${c.n} (${c.whose === 'your' ? 'yours' : 'in the export'}) signed ${c.signedAt} with key ${c.keyId}: entry ${c.seq}`,
  );
if (provenTo < last) say(`  entries ${provenTo + 1}–${last} are chained but no checkpoint signs them yet`);
else say(`  every entry is signed by a checkpoint verified with your key`);
