import { say, type MessageKey, type Said } from './messages';

/**
 * FINESS numbers: 2 characters of département (01–95, Corsica 2A/2B, overseas 97x, Mayotte/others 98x),
 * 6 digits, 1 check digit. The check digit passes Luhn mod 10 on every real numeric number we tried.
 * Decision for Corsica: no published rule and no verified number, so 2A/2B numbers are checked for form
 * only (their last digit is not verified) — see README "FINESS numbers".
 */
export type FinessProblem = 'length' | 'characters' | 'departement' | 'check_digit';

export function normaliseFiness(raw: string): string {
  return raw
    .trim()
    .toUpperCase()
    .replace(/[\s.-]/g, '');
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function finessProblem(value: string): FinessProblem | undefined {
  if (value.length !== 9) return 'length';
  if (!/^(\d{2}|2[AB])\d{7}$/.test(value)) return 'characters';
  const dept = value.slice(0, 2);
  if (dept === '00' || dept === '20' || dept === '96' || dept === '99') return 'departement';
  if (/^\d+$/.test(value) && !luhnValid(value)) return 'check_digit';
  return undefined;
}

const problemKeys = {
  length: 'finess_length',
  characters: 'finess_characters',
  departement: 'finess_departement',
  check_digit: 'finess_check_digit',
} as const satisfies Record<FinessProblem, MessageKey>;

/** What is wrong with a FINESS number, as the catalogue says it. */
export const finessSaid = (problem: FinessProblem, value: string): Said => say(problemKeys[problem], { value });

/** Completes 8 characters with their Luhn check digit (fixtures and generated extractions use it). */
export function withCheckDigit(first8: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${first8}${d}`)) return `${first8}${d}`;
  throw new RangeError(first8);
}
