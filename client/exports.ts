import type { Ledger } from '../db/ledger';
import { EngineNumber, writeCsv, type CsvCell } from '../domain/csv';
import { decimalCommaFr, parisDateTimeFr } from '../domain/french';
import { recordedFr, statusFr } from '../domain/messages';
import { formatEuros } from '../domain/money';
import type { BdcFilter } from './bdc-reads';
import { listBdcs } from './bdc-reads';
import type { Caller, EngineContext } from './context';
import type { SummaryLine } from './reports';

type Column<T> = { header: string; value: (row: T) => CsvCell };

/** RFC 4180 CSV with a header and CRLF line ends: one column per (header, value of a row); formulas neutralised. */
export const toCsv = <T>(rows: T[], columns: Column<T>[]): string =>
  writeCsv(
    columns.map((c) => c.header),
    rows.map((r) => columns.map((c) => c.value(r))),
  );

/** Money the engine formats itself: a number for the spreadsheet, in euros with two decimals. */
const euros = (cents: number) => new EngineNumber(formatEuros(cents));
const eurosFr = (cents: number) => new EngineNumber(decimalCommaFr(cents));

/** Payment orders for the accounting system: UTF-8 CSV, amounts in euros with two decimals, columns fixed. */
export async function paymentOrdersCsv(ledger: Ledger): Promise<string> {
  const orders = await ledger.paymentOrdersForExport();
  return toCsv(orders, [
    { header: 'payment_order_id', value: (o) => o.id },
    { header: 'issued_at', value: (o) => o.issuedAt },
    { header: 'bdc_id', value: (o) => o.bdcId },
    { header: 'kind', value: (o) => o.kind },
    { header: 'amount_eur', value: (o) => euros(o.amountCents) },
    { header: 'editeur_id', value: (o) => o.editeurId },
    { header: 'og_finess', value: (o) => o.ogFiness },
    { header: 'campaign_id', value: (o) => o.campaignId },
    { header: 'idempotency_key', value: (o) => o.idempotencyKey },
  ]);
}

/** The summary report as CSV, euros with two decimals. */
export function summaryCsv(lines: SummaryLine[]): string {
  return toCsv(lines, [
    { header: 'campaign', value: (l) => l.campaign },
    { header: 'status', value: (l) => l.status },
    { header: 'editeur', value: (l) => l.editeur },
    { header: 'bdcs', value: (l) => l.bdcs },
    { header: 'committed_eur', value: (l) => euros(l.committedCents) },
    { header: 'advanced_eur', value: (l) => euros(l.advancedCents) },
    { header: 'paid_eur', value: (l) => euros(l.paidCents) },
    { header: 'demanded_eur', value: (l) => euros(l.demandedCents) },
    { header: 'received_eur', value: (l) => euros(l.receivedCents) },
    { header: 'written_off_eur', value: (l) => euros(l.writtenOffCents) },
    { header: 'outstanding_eur', value: (l) => euros(l.outstandingCents) },
  ]);
}

/**
 * A CSV that opens right in a French spreadsheet: `;` between fields, a decimal comma, UTF-8 with a
 * byte-order mark, dates as Paris dates and times, statuses in words; formulas neutralised.
 */
export const toFrenchCsv = <T>(rows: T[], columns: Column<T>[]): string =>
  writeCsv(
    columns.map((c) => c.header),
    rows.map((r) => columns.map((c) => c.value(r))),
    { french: true },
  );

const when = (at: string | undefined) => (at ? parisDateTimeFr(at) : '');

/** The BDCs a filter selects, every page of them (an éditeur its own only). */
export async function bdcListCsvFr(ctx: EngineContext, caller: Caller, filter: BdcFilter): Promise<string> {
  const rows = [];
  let pageToken: string | undefined;
  do {
    const page = await listBdcs(ctx, caller, { ...filter, pageSize: 200, ...(pageToken ? { pageToken } : {}) });
    rows.push(...page.bdcs);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return toFrenchCsv(rows, [
    { header: 'BDC', value: (b) => b.bdcId },
    { header: 'Éditeur', value: (b) => b.editeur },
    { header: 'Campagne', value: (b) => b.campaign },
    { header: 'Solution', value: (b) => b.solution },
    { header: 'OG (FINESS juridique)', value: (b) => b.og },
    { header: 'ESSMS', value: (b) => b.essms.join(' ') },
    { header: 'Statut', value: (b) => statusFr[b.status] ?? b.status },
    { header: 'Plafond (€)', value: (b) => eurosFr(b.ceilingCents) },
    { header: 'Prochaine échéance', value: (b) => when(b.nextDeadline) },
    { header: 'Remboursement en retard', value: (b) => (b.reimbursementOverdue ? 'oui' : 'non') },
  ]);
}

export function summaryCsvFr(lines: SummaryLine[]): string {
  return toFrenchCsv(lines, [
    { header: 'Campagne', value: (l) => l.campaign },
    { header: 'Statut', value: (l) => statusFr[l.status] ?? l.status },
    { header: 'Éditeur', value: (l) => l.editeur },
    { header: 'BDC', value: (l) => l.bdcs },
    { header: 'Engagé (€)', value: (l) => eurosFr(l.committedCents) },
    { header: 'Avancé (€)', value: (l) => eurosFr(l.advancedCents) },
    { header: 'Versé (€)', value: (l) => eurosFr(l.paidCents) },
    { header: 'Demandé en retour (€)', value: (l) => eurosFr(l.demandedCents) },
    { header: 'Reçu (€)', value: (l) => eurosFr(l.receivedCents) },
    { header: 'Abandonné (€)', value: (l) => eurosFr(l.writtenOffCents) },
    { header: 'Reste dû (€)', value: (l) => eurosFr(l.outstandingCents) },
  ]);
}

export async function paymentOrdersCsvFr(ledger: Ledger): Promise<string> {
  return toFrenchCsv(await ledger.paymentOrdersForExport(), [
    { header: 'Ordre de paiement', value: (o) => o.id },
    { header: 'Émis le', value: (o) => when(o.issuedAt) },
    { header: 'BDC', value: (o) => o.bdcId },
    { header: 'Nature', value: (o) => (o.kind === 'advance' ? 'avance' : 'solde') },
    { header: 'Montant (€)', value: (o) => eurosFr(o.amountCents) },
    { header: 'Éditeur', value: (o) => o.editeurId },
    { header: 'OG (FINESS juridique)', value: (o) => o.ogFiness },
    { header: 'Campagne', value: (o) => o.campaignId },
    { header: 'Clé d’idempotence', value: (o) => o.idempotencyKey },
  ]);
}

/** Reimbursement demands and receipts, one line each, in the order they happened. */
const movementFr = { demand: 'demande', receipt: 'somme reçue', write_off: 'abandon' } as const;

/** Every movement of the demands — demanded, received, written off — each with its amount: their sums are the summary's. */
export async function reimbursementsCsvFr(ledger: Ledger): Promise<string> {
  return toFrenchCsv(await ledger.reimbursementsForExport(), [
    {
      header: 'Nature',
      value: (r) =>
        `${movementFr[r.kind]} (${r.demand === 'recovery' ? 'reversement après contrôle' : 'remboursement de l’avance'})`,
    },
    { header: 'Numéro', value: (r) => r.id },
    { header: 'Date', value: (r) => when(r.at) },
    { header: 'BDC', value: (r) => r.bdcId },
    { header: 'Éditeur', value: (r) => r.editeurId },
    { header: 'Montant (€)', value: (r) => eurosFr(r.amountCents) },
    { header: 'Échéance', value: (r) => when(r.dueAt) },
    { header: 'Motif', value: (r) => (r.reason ? recordedFr(r.reason) : '') },
  ]);
}
