import type { BdcRecord } from './bdc-view';
import { check, checkEvent, isRecord, Problems } from './checks';
import type { BdcEvent } from './events';
import type { Refusal } from './refusal';

/** How the OG's legal representative may sign the VA (seed 003). */
export const signatureMethods = ['cpx', 'pro-sante-connect', 'rgs-certificate', 'eidas-simple', 'eidas-advanced', 'eidas-qualified'] as const;

/** What the VA attests for one ESSMS (seed 003). */
export interface VaEssms {
  finess: string;
  duiDeployed: boolean;
  tbb1: Record<string, number>;
  esmsNumerique: { activeRecordsRate: number; activeRecordsWithProjectRate: number; activeRecordsWithEventRate: number };
}

export interface VaDocument {
  va: { signedAt: string; signature: (typeof signatureMethods)[number]; essms: VaEssms[] };
  invoice: { number: string; ogFiness: string; amountCents: number; issuedOn: string };
}

export interface VaSubmission extends BdcEvent, VaDocument {
  /** when the VA reached the ASP, stamped by the receiving boundary (API, client), not by the éditeur */
  receivedAt: string;
}

/** Until an operator lists a campaign's indicators, an identifier has this form (DOMAIN.md). */
const TBB1_FORM = /^TBB\.1\.[1-9]\d{0,2}$/;

/**
 * Every reason a VA is refused, its form and the business rules together (one answer lists them
 * all): the BDC must await it, every ESSMS of the BDC and no other, each with its DUI deployed and
 * its TBB.1 indicators — the campaign's list, each non-zero — signed after the order and by the
 * closing date, received by the closing date, invoiced to the BDC's OG.
 */
export function vaRefusals(bdc: Pick<BdcRecord, 'status' | 'request' | 'deadlines' | 'va' | 'cancellation' | 'campaign' | 'orderDayStartsAt'>, raw: unknown): Refusal[] {
  const p = new Problems();
  if (bdc.cancellation) p.add('cancellation_pending', `the BDC's cancellation was accepted (${bdc.cancellation.reason}): no VA is accepted`, 'status', bdc.status);
  else if (bdc.va) p.add('va_accepted', `a VA was already accepted for this BDC (invoice ${bdc.va.invoiceNumber})`, 'va', bdc.va.invoiceNumber);
  else if (bdc.status !== 'advance_issued' && bdc.status !== 'awaiting_va') {
    p.add('wrong_state', `a VA is accepted only once the advance is issued and before the BDC ends; this BDC is ${bdc.status}`, 'status', bdc.status);
  }
  if (!p.ok) return p.list;

  const e = checkEvent(p, raw);
  const receivedAt = check.instant(p, e, 'receivedAt');
  const va = check.object(p, e, 'va');
  const invoice = check.object(p, e, 'invoice');
  const closing = bdc.deadlines.find((d) => d.name === 'closing');
  const after = (a: string, b: string) => Date.parse(a) > Date.parse(b);

  if (va) {
    const signedAt = check.instant(p, va, 'signedAt', 'va');
    check.oneOf(p, va, 'signature', signatureMethods, 'va');
    const essms = check.array(p, va, 'essms', 'va', 1);
    if (essms) {
      const named = essms.map((x) => (isRecord(x) ? x.finess : undefined));
      bdc.request.essms.forEach((finess) => {
        if (!named.includes(finess)) p.add('va_missing_essms', `VA does not cover ESSMS ${finess}`, 'va.essms', finess);
      });
      essms.forEach((x, i) => essmsRefusals(p, bdc, x, `va.essms.${i}`));
    }
    if (signedAt) {
      if (after(bdc.orderDayStartsAt, signedAt)) p.add('va_signed_before_order', `VA signed before the order date (${bdc.request.orderDate})`, 'va.signedAt', signedAt);
      if (closing && after(signedAt, closing.at)) p.add('va_signed_after_closing', `VA signed after the closing date (${closing.at})`, 'va.signedAt', signedAt);
      if (receivedAt && after(signedAt, receivedAt)) p.add('va_signed_after_receipt', 'VA is signed after the moment it was received', 'va.signedAt', signedAt);
    }
  }
  if (receivedAt && closing && after(receivedAt, closing.at)) p.add('va_received_after_closing', `VA received after the closing date (${closing.at})`, 'receivedAt', receivedAt);
  if (invoice) {
    check.string(p, invoice, 'number', 'invoice', { max: 64 });
    const og = check.finess(p, invoice, 'ogFiness', 'invoice');
    check.cents(p, invoice, 'amountCents', 'invoice');
    check.civilDate(p, invoice, 'issuedOn', 'invoice');
    if (og && og !== bdc.request.ogFiness) {
      p.add('invoice_other_og', `invoice is addressed to another OG (${og}, this BDC's OG is ${bdc.request.ogFiness})`, 'invoice.ogFiness', og);
    }
  }
  return p.list;
}

function essmsRefusals(p: Problems, bdc: Pick<BdcRecord, 'request' | 'campaign'>, raw: unknown, path: string): void {
  if (!isRecord(raw)) {
    p.add('invalid_type', 'expected object', path, raw);
    return;
  }
  const finess = check.finess(p, raw, 'finess', path);
  const label = finess ?? String(raw.finess);
  if (finess && !bdc.request.essms.includes(finess)) p.add('va_foreign_essms', `VA names ESSMS ${finess}, which this BDC does not cover`, `${path}.finess`, finess);
  const deployed = check.boolean(p, raw, 'duiDeployed', path);
  if (deployed === false) p.add('va_dui_not_deployed', `VA does not attest that the DUI is deployed for ESSMS ${label}`, `${path}.duiDeployed`, false);
  const tbb1 = check.object(p, raw, 'tbb1', path);
  if (tbb1) tbb1Refusals(p, bdc.campaign.tbb1Indicators, tbb1, label, `${path}.tbb1`);
  const rates = check.object(p, raw, 'esmsNumerique', path);
  if (rates) for (const key of ['activeRecordsRate', 'activeRecordsWithProjectRate', 'activeRecordsWithEventRate']) check.rate(p, rates, key, `${path}.esmsNumerique`);
}

/** The campaign's indicators, each reported and non-zero, no other; without a list, any TBB.1.<n>. */
function tbb1Refusals(p: Problems, required: string[] | undefined, tbb1: Record<string, unknown>, finess: string, path: string): void {
  const reported = Object.keys(tbb1);
  if (required?.length) {
    for (const indicator of required) if (!(indicator in tbb1)) p.add('va_tbb1_missing', `TBB.1 indicator ${indicator} is missing for ESSMS ${finess}`, `${path}.${indicator}`);
  } else if (!reported.length) p.add('va_tbb1_missing', `the TBB.1 indicators are missing for ESSMS ${finess}`, path);
  for (const indicator of reported) {
    const value = tbb1[indicator];
    if (required?.length ? !required.includes(indicator) : !TBB1_FORM.test(indicator)) {
      p.add('va_tbb1_unknown', required?.length ? `${indicator} is not a TBB.1 indicator this campaign requires (${required.join(', ')})` : `${indicator} is not a TBB.1 indicator (TBB.1.<n>)`, `${path}.${indicator}`, value);
    } else if (typeof value !== 'number' || !Number.isFinite(value)) p.add('invalid_type', `expected number, received ${typeof value}`, `${path}.${indicator}`, value);
    else if (value === 0) p.add('va_tbb1_zero', `TBB.1 indicator ${indicator} is 0 for ESSMS ${finess}`, `${path}.${indicator}`, 0);
    else if (value < 0) p.add('invalid_value', `TBB.1 indicator ${indicator} is negative for ESSMS ${finess}`, `${path}.${indicator}`, value);
  }
}
