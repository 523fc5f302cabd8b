import { z } from 'zod';

/** Money is integer euro cents everywhere; rates are basis points (3000 = 30 %). */
export const centsSchema = z.number().int('amount must be whole cents').positive('amount must be positive').max(Number.MAX_SAFE_INTEGER);
export const basisPointsSchema = z.number().int().min(0).max(10_000);

/** rate applied to an amount, rounded half-up to the cent (the programme's rule for the advance). */
export function applyRate(amountCents: number, basisPoints: number): number {
  return Math.floor((amountCents * basisPoints + 5_000) / 10_000);
}

/** "1752.00": euros with two decimals and a dot, what the accounting export expects. */
export function formatEuros(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
