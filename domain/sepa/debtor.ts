/**
 * The ASP's account every payment run is paid from (configuration: ASP_DEBTOR_NAME, ASP_DEBTOR_IBAN,
 * ASP_DEBTOR_BIC). The local default is the Banque de France's example account: a file made on a
 * development machine is valid, and no bank would execute it.
 */
export interface Debtor {
  name: string;
  iban: string;
  bic: string;
}

export const LOCAL_DEBTOR: Debtor = {
  name: 'Agence de services et de paiement',
  iban: 'FR7630001007941234567890185',
  bic: 'BDFEFRPPCCT',
};
