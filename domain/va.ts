import type { VaSubmission } from './bdc';
import type { BdcView } from './bdc-view';
import type { Refusal } from './refusal';

/** The business checks of a VA against the BDC; every failing reason, not just the first. */
export function vaRefusals(view: BdcView, submission: VaSubmission): Refusal[] {
  const refusals: Refusal[] = [];
  const add = (code: string, message: string, path: string, value?: unknown) => refusals.push({ code, message, path, ...(value === undefined ? {} : { value }) });
  if (view.status !== 'advance_issued' && view.status !== 'awaiting_va') {
    add('wrong_state', `a VA is accepted only once the advance is issued and before the BDC ends; this BDC is ${view.status}`, 'status', view.status);
    return refusals;
  }
  const covered = new Set(submission.va.essms.map((e) => e.finess));
  view.request.essms.forEach((finess, i) => {
    if (!covered.has(finess)) add('va_missing_essms', `VA does not cover ESSMS ${finess}`, `va.essms`, view.request.essms[i]);
  });
  submission.va.essms.forEach((e, i) => {
    if (!view.request.essms.includes(e.finess)) add('va_foreign_essms', `VA names ESSMS ${e.finess}, which this BDC does not cover`, `va.essms.${i}.finess`, e.finess);
    if (!e.duiDeployed) add('va_dui_not_deployed', `VA does not attest that the DUI is deployed for ESSMS ${e.finess}`, `va.essms.${i}.duiDeployed`, false);
    for (const [indicator, value] of Object.entries(e.tbb1)) {
      if (value === 0) add('va_tbb1_zero', `TBB.1 indicator ${indicator} is 0 for ESSMS ${e.finess}`, `va.essms.${i}.tbb1.${indicator}`, 0);
    }
  });
  const closing = view.deadlines.find((d) => d.name === 'closing');
  if (closing && Date.parse(submission.va.signedAt) > Date.parse(closing.at)) {
    add('va_signed_after_closing', `VA signed after the closing date (${closing.at})`, 'va.signedAt', submission.va.signedAt);
  }
  if (closing && Date.parse(submission.receivedAt) > Date.parse(closing.at)) {
    add('va_received_after_closing', `VA received after the closing date (${closing.at})`, 'receivedAt', submission.receivedAt);
  }
  if (Date.parse(submission.va.signedAt) > Date.parse(submission.receivedAt)) {
    add('va_signed_after_receipt', 'VA is signed after the moment it was received', 'va.signedAt', submission.va.signedAt);
  }
  if (submission.invoice.ogFiness !== view.request.ogFiness) {
    add('invoice_other_og', `invoice is addressed to another OG (${submission.invoice.ogFiness}, this BDC's OG is ${view.request.ogFiness})`, 'invoice.ogFiness', submission.invoice.ogFiness);
  }
  return refusals;
}
