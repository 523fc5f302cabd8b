import { civilDateSchema } from './schemas';
import { finessProblem } from './finess';
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

export type ParsedLine =
  { kind: 'establishment'; establishment: Establishment } | { kind: 'ignored' } | { kind: 'rejected'; reason: string };

export function parseLine(line: string): ParsedLine {
  if (line === '' || line.startsWith('geolocalisation;')) return { kind: 'ignored' };
  const parts = line.split(';');
  if (parts[0] !== 'structureet') return { kind: 'rejected', reason: `unknown record type "${parts[0]}"` };
  if (parts.length < structureetFields.length + 1)
    return {
      kind: 'rejected',
      reason: `structureet line with ${parts.length - 1} fields, expected ${structureetFields.length} or more`,
    };
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
  const etProblem = finessProblem(establishment.nofinesset);
  if (etProblem) return { kind: 'rejected', reason: `nofinesset: ${etProblem}` };
  const ejProblem = finessProblem(establishment.nofinessej);
  if (ejProblem) return { kind: 'rejected', reason: `nofinessej: ${ejProblem}` };
  if (!/^\d{3}$/.test(establishment.categetab))
    return { kind: 'rejected', reason: 'categetab is not a 3-digit category' };
  if (!/^\d{4}$/.test(establishment.categagretab))
    return { kind: 'rejected', reason: 'categagretab is not a 4-digit aggregate category' };
  return { kind: 'establishment', establishment };
}
