/** Money is integer euro cents everywhere; rates are basis points (3000 = 30 %). */
export const MAX_CENTS = Number.MAX_SAFE_INTEGER;

export const isCents = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_CENTS;

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
