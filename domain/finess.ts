/**
 * FINESS numbers: 2 characters of département (01–95, Corsica 2A/2B, overseas 97x, Mayotte/others 98x),
 * 6 digits, 1 check digit. The check digit passes Luhn mod 10 on every real numeric number we tried.
 * Decision for Corsica: no published rule and no verified number, so 2A/2B numbers are checked for form
 * only (their last digit is not verified) — see README "FINESS numbers".
 */
export type FinessProblem = 'length' | 'characters' | 'departement' | 'check_digit';

export function normaliseFiness(raw: string): string {
  return raw.trim().toUpperCase().replace(/[\s.-]/g, '');
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

const problemMessages: Record<FinessProblem, string> = {
  length: 'a FINESS number has 9 characters',
  characters: 'a FINESS number is 2 département characters (digits, 2A or 2B) then 7 digits',
  departement: 'not a département code used by FINESS',
  check_digit: 'the check digit is wrong (Luhn)',
};

export const finessProblemMessage = (problem: FinessProblem, value: string) => `${problemMessages[problem]} (${value})`;

/** Completes 8 characters with their Luhn check digit (fixtures and generated extractions use it). */
export function withCheckDigit(first8: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${first8}${d}`)) return `${first8}${d}`;
  throw new RangeError(first8);
}
