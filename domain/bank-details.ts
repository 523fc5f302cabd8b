import { extractIBAN, isSEPACountry, isValidBIC, isValidIBAN, electronicFormatIBAN } from 'ibantools';
import { say } from './messages';
import { refusalOf, type Refusal } from './refusal';

/**
 * An éditeur's bank details (RIB): an IBAN — its check digits verified, its country in the SEPA zone —
 * and the BIC of its bank, checked by ibantools (the well-kept implementation of ISO 13616 and ISO 9362).
 */
export interface BankDetails {
  iban: string;
  bic: string;
  /** the account holder, as the bank knows it */
  holder: string;
}

/** The IBAN in its electronic form (no spaces, upper case). */
export const ibanOf = (text: string) => electronicFormatIBAN(text) ?? text.replace(/\s+/g, '').toUpperCase();

export function bankDetailsRefusals(raw: { iban?: unknown; bic?: unknown; holder?: unknown }, at = ''): Refusal[] {
  const path = (field: string) => (at ? `${at}.${field}` : field);
  const refusals: Refusal[] = [];
  const iban = typeof raw.iban === 'string' ? ibanOf(raw.iban) : '';
  if (!isValidIBAN(iban)) refusals.push(refusalOf('invalid_iban', say('invalid_iban'), path('iban'), raw.iban));
  else if (!isSEPACountry(extractIBAN(iban).countryCode ?? ''))
    refusals.push(
      refusalOf('iban_outside_sepa', say('iban_outside_sepa', { country: iban.slice(0, 2) }), path('iban'), raw.iban),
    );
  const bic = typeof raw.bic === 'string' ? raw.bic.trim().toUpperCase() : '';
  if (!isValidBIC(bic)) refusals.push(refusalOf('invalid_bic', say('invalid_bic'), path('bic'), raw.bic));
  const holder = typeof raw.holder === 'string' ? raw.holder.trim() : '';
  if (!holder || holder.length > 70)
    refusals.push(refusalOf('invalid_holder', say('invalid_holder'), path('holder'), raw.holder));
  return refusals;
}
