import { civilDateSchema } from './schemas';
import { finessProblem } from './finess';
import { say, type Said } from './messages';
import type { Establishment } from './eligibility';

/**
 * The public FINESS extraction (data.gouv.fr): `;`-separated, a first line `finess;etalab;<n>;<date>`,
 * `structureet;` lines (fields below, in order), then `geolocalisation;` lines, which are ignored.
 */
export const structureetFields = [
  'nofinesset',
  'nofinessej',
  'rs',
  'rslongue',
  'complrs',
  'compldistrib',
  'numvoie',
  'typvoie',
  'voie',
  'compvoie',
  'lieuditbp',
  'commune',
  'departement',
  'libdepartement',
  'ligneacheminement',
  'telephone',
  'telecopie',
  'categetab',
  'libcategetab',
  'categagretab',
  'libcategagretab',
  'siret',
  'codeape',
  'codemft',
  'libmft',
  'codesph',
  'libsph',
  'dateouv',
  'dateautor',
  'datemaj',
] as const;

/** The extraction's date from its first line; DD/MM/YYYY and YYYY-MM-DD are both seen. */
export function parseHeader(line: string): { date: string } | { problem: 'header' } | { problem: 'date'; raw: string } {
  const parts = line.replace(/^\uFEFF/, '').split(';');
  if (parts[0] !== 'finess' || parts[1] !== 'etalab') return { problem: 'header' };
  const raw = (parts[3] ?? '').trim();
  const fr = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw);
  const date = fr ? `${fr[3]}-${fr[2]}-${fr[1]}` : raw.slice(0, 10);
  return civilDateSchema.safeParse(date).success ? { date } : { problem: 'date', raw };
}

/** A rejected line's reason: a short code-like text (the API's and CLI's tally key) and the catalogue's words. */
export type ParsedLine =
  | { kind: 'establishment'; establishment: Establishment }
  | { kind: 'ignored' }
  | { kind: 'rejected'; reason: string; said: Said };

const rejected = (reason: string, said: Said): ParsedLine => ({ kind: 'rejected', reason, said });

export function parseLine(line: string): ParsedLine {
  if (line === '' || line.startsWith('geolocalisation;')) return { kind: 'ignored' };
  const parts = line.split(';');
  if (parts[0] !== 'structureet') {
    const type = parts[0] ?? '';
    return rejected(`unknown record type "${type}"`, say('finess_row_type', { type: type.slice(0, 40) }));
  }
  if (parts.length < structureetFields.length + 1) {
    const counts = { count: parts.length - 1, expected: structureetFields.length };
    return rejected(say('finess_row_fields', counts).message, say('finess_row_fields', counts));
  }
  const field = (name: (typeof structureetFields)[number]) => (parts[structureetFields.indexOf(name) + 1] ?? '').trim();
  const establishment: Establishment = {
    nofinesset: field('nofinesset').toUpperCase(),
    nofinessej: field('nofinessej').toUpperCase(),
    rs: field('rs'),
    departement: field('departement'),
    categetab: field('categetab'),
    libcategetab: field('libcategetab'),
    categagretab: field('categagretab'),
    libcategagretab: field('libcategagretab'),
  };
  for (const field of ['nofinesset', 'nofinessej'] as const) {
    const problem = finessProblem(establishment[field]);
    const value = establishment[field].slice(0, 40);
    if (problem) return rejected(`${field}: ${problem}`, say('finess_row_number', { field, problem, value }));
  }
  if (!/^\d{3}$/.test(establishment.categetab))
    return rejected(
      'categetab is not a 3-digit category',
      say('finess_row_category', { value: establishment.categetab.slice(0, 40) }),
    );
  if (!/^\d{4}$/.test(establishment.categagretab))
    return rejected(
      'categagretab is not a 4-digit aggregate category',
      say('finess_row_aggregate', { value: establishment.categagretab.slice(0, 40) }),
    );
  return { kind: 'establishment', establishment };
}
