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

/** The money of one BDC or of a group of BDCs, as every screen and export shows it (summed by db/money.ts from the ledger). */
export interface MoneyFigures {
  bdcs: number;
  /** the ceilings: what the programme committed */
  committedCents: number;
  /** the advances paid */
  advancedCents: number;
  /** every payment order: advances and balances */
  paidCents: number;
  /** demanded back: the advances' reimbursements and the controls' recoveries */
  demandedCents: number;
  /** of which received */
  receivedCents: number;
  /** of which written off by an operator */
  writtenOffCents: number;
  /** still due: demanded, less received and written off */
  outstandingCents: number;
}

/** One demand of money back and where it stands (MoneyQueries.demands). */
export interface DemandFigures {
  demandId: number;
  bdcId: string;
  /** the advance's reimbursement, or the recovery a failed control decided */
  kind: 'reimbursement' | 'recovery';
  controlId?: string;
  amountCents: number;
  receivedCents: number;
  writtenOffCents: number;
  outstandingCents: number;
  dueAt: string;
  issuedAt: string;
}
