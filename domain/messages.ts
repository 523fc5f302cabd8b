import { civilDateFr, eurosFr, parisDateFr, parisDateTimeFr } from './french';
import { formatEuros } from './money';

/**
 * The one catalogue of what the engine tells people: every refusal and every audit line, in English
 * (logs, the API on `Accept-Language: en`) and in French (the API by default, the console). Code
 * builds a `Said` — the message's key and its parameters — and never writes a sentence itself; each
 * edge renders it in the reader's language. Parameters are plain JSON (they travel in Temporal's
 * payloads and the record): amounts in cents, instants as ISO strings, civil dates as YYYY-MM-DD.
 */

export type Lang = 'fr' | 'en';
type Params = Record<string, string | number | boolean>;

interface Entry<P> {
  en: (p: P) => string;
  fr: (p: P) => string;
}
const m = <P extends Params = Record<never, never>>(en: (p: P) => string, fr: (p: P) => string): Entry<P> => ({
  en,
  fr,
});

/** A solution's référencement, as a person reads it beside the solution's name. */
export const referencementFr: Record<string, string> = {
  granted: 'référencée',
  pending: 'en attente',
  refused: 'refusée',
};

/** French words for the engine's codes: statuses, deadlines, decisions (used by the messages and the console). */
export const statusFr: Record<string, string> = {
  awaiting_referencement: 'En attente du référencement',
  advance_issued: 'Avance en cours d’ordonnancement',
  awaiting_va: 'En attente de la VA',
  completed: 'Terminé',
  lapsed: 'Caduc',
  cancelled: 'Annulé',
  rejected: 'Référencement refusé',
  reimbursement_due: 'Avance à rembourser',
  reimbursed: 'Avance remboursée',
  needs_attention: 'À examiner',
  awaiting_validation: 'En attente de validation (ordonnateur)',
  written_off: 'Remboursement abandonné',
};
export const controlStatusFr: Record<string, string> = {
  documents_requested: 'Pièces demandées',
  under_review: 'En cours d’examen',
  passed: 'Conforme',
  recovery_due: 'Reversement demandé',
  recovered: 'Reversé',
  written_off: 'Reversement abandonné',
  needs_attention: 'À examiner',
  awaiting_validation: 'Reversement proposé, en attente de validation',
};
/** The FINESS extraction's columns as people call them (the file's own name after, to find it). */
const finessFieldFr: Record<string, string> = {
  nofinesset: 'FINESS géographique (nofinesset)',
  nofinessej: 'FINESS juridique (nofinessej)',
  categetab: 'catégorie d’établissement (categetab)',
  categagretab: 'catégorie d’agrégat (categagretab)',
};
export const deadlineFr: Record<string, string> = {
  dossier: 'dépôt du dossier de référencement',
  orderDeadline: 'fermeture des commandes',
  closing: 'clôture (VA et facture)',
  reimbursementDue: 'échéance du remboursement',
};
const decisionFr: Record<string, string> = {
  granted: 'accordé',
  refused: 'refusé',
  retry: 'nouvel essai',
  cancel: 'annulation',
  pending: 'en attente',
};
const typeFr: Record<string, string> = {
  string: 'texte',
  number: 'nombre',
  boolean: 'vrai ou faux',
  object: 'objet',
  array: 'liste',
  null: 'vide',
  undefined: 'rien',
};
const stepFr: Record<string, string> = {
  advance: 'l’avance',
  balance: 'le solde',
  'reimbursement demand': 'la demande de remboursement',
  receipt: 'la réception',
  referencement: 'le référencement',
};
const s = (n: number) => (n > 1 ? 's' : '');
/** An ISO 8601 duration of days or minutes (P30D, PT3M) in words. */
const durationIn = (iso: string, lang: Lang) => {
  const m = /^P(?:(\d+)D)?(?:T(\d+)M)?$/.exec(iso);
  const [days, minutes] = [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)];
  if (days) return lang === 'fr' ? `${days} jour${s(days)}` : `${days} day${s(days)}`;
  return `${minutes} min`;
};
const word = (table: Record<string, string>, code: string) => table[code] ?? code;
/** How a process stopped in Temporal rather than by its lifecycle ended, in French. */
const temporalEndFr: Record<string, string> = {
  terminated: 'arrêté dans Temporal',
  canceled: 'annulé dans Temporal',
  failed: 'en échec dans Temporal',
  timed_out: 'expiré dans Temporal',
  continued_as_new: 'poursuivi dans une nouvelle exécution',
};

/** What a proposal of money is, in French. */
export const proposalFr: Record<string, string> = {
  advance: 'l’avance',
  balance: 'le solde',
  reimbursement: 'la demande de remboursement de l’avance',
  recovery: 'la demande de reversement',
  writeOff: 'l’abandon de créance',
};
/** Why a proposal was withdrawn before its validation, in French. */
const withdrawnFr: Record<string, string> = {
  cancellation: 'le BDC est annulé',
  closing: 'la date de clôture est passée',
};
/** The agreement of a past participle with what a proposal is (« l’avance validée », « le solde validé »). */
const agreed = (kind: string) => (kind === 'balance' || kind === 'writeOff' ? '' : 'e');
const proposalStateFr: Record<string, string> = {
  proposed: 'proposée',
  validated: 'validée',
  rejected: 'rejetée',
  withdrawn: 'retirée',
};
/** A payment order's state in French (DOMAIN.md's status words: validated, released, paid, rejected). */
export const orderStateFr: Record<string, string> = {
  validated: 'validé, à mettre en paiement',
  released: 'mis en paiement',
  paid: 'payé',
  rejected: 'rejeté par la banque',
};
/** The state of bank details in French. */
export const bankDetailsStateFr: Record<string, string> = {
  proposed: 'en attente de validation',
  valid: 'en vigueur',
  superseded: 'remplacées',
  rejected: 'rejetées',
};

export const messages = {
  // ——— form of a value (the plain checks of domain/checks.ts, and zod's messages we name) ———
  expected_type: m(
    (p: { expected: string; received: string }) => `expected ${p.expected}, received ${p.received}`,
    (p) => `${word(typeFr, p.expected)} attendu, ${word(typeFr, p.received)} reçu`,
  ),
  object_expected: m(
    () => 'expected object',
    () => 'objet attendu',
  ),
  at_least_items: m(
    (p: { min: number }) => `expected at least ${p.min} item${s(p.min)}`,
    (p) => `au moins ${p.min} élément${s(p.min)} attendu${s(p.min)}`,
  ),
  at_least_chars: m(
    (p: { min: number }) => `expected at least ${p.min} character${s(p.min)}`,
    (p) => `au moins ${p.min} caractère${s(p.min)} attendu${s(p.min)}`,
  ),
  at_most_chars: m(
    (p: { max: number }) => `expected at most ${p.max} characters`,
    (p) => `au plus ${p.max} caractères`,
  ),
  one_of: m(
    (p: { values: string }) => `expected one of ${p.values}`,
    (p) => `une valeur parmi ${p.values} attendue`,
  ),
  instant_expected: m(
    () => 'expected an ISO-8601 instant',
    () => 'un instant ISO 8601 est attendu',
  ),
  civil_date_expected: m(
    () => 'expected a date as YYYY-MM-DD',
    () => 'une date AAAA-MM-JJ est attendue',
  ),
  date_out_of_range: m(
    () => 'a date between 1900 and 2999',
    () => 'une date entre 1900 et 2999',
  ),
  not_a_calendar_date: m(
    () => 'not a calendar date',
    () => 'cette date n’existe pas au calendrier',
  ),
  cents_expected: m(
    () => 'expected a positive whole number of cents',
    () => 'un nombre entier positif de centimes est attendu',
  ),
  whole_cents: m(
    () => 'amount must be whole cents',
    () => 'le montant doit être un nombre entier de centimes',
  ),
  positive_amount: m(
    () => 'amount must be positive',
    () => 'le montant doit être positif',
  ),
  rate_expected: m(
    () => 'expected a rate between 0 and 100',
    () => 'un taux entre 0 et 100 est attendu',
  ),
  sha256_expected: m(
    () => 'expected a SHA-256 in lower-case hexadecimal',
    () => 'une empreinte SHA-256 en hexadécimal minuscule est attendue',
  ),
  event_id_expected: m(
    () => 'not an event id',
    () => 'ce n’est pas un identifiant d’événement',
  ),
  id_rule: m(
    () => 'letters, digits, ".", "_" or "-" (not first), at most 64',
    () => 'lettres, chiffres, « . », « _ » ou « - » (pas en premier), 64 au plus',
  ),
  name_rule: m(
    () => 'one line of 1 to 120 characters, with a letter or a digit, nothing invisible',
    () => 'une ligne de 1 à 120 caractères, avec au moins une lettre ou un chiffre, sans caractère invisible',
  ),
  client_event_id_rule: m(
    () => 'letters, digits, ".", "_", ":" or "-" (not first), at most 128',
    () => 'lettres, chiffres, « . », « _ », « : » ou « - » (pas en premier), 128 au plus',
  ),
  campaign_id_rule: m(
    () => 'lower-case letters, digits and dashes',
    () => 'lettres minuscules, chiffres et tirets',
  ),
  tbb1_id_rule: m(
    () => 'expected TBB.1.<n>',
    () => 'un identifiant TBB.1.<n> est attendu',
  ),
  finess_length: m(
    (p: { value: string }) => `a FINESS number has 9 characters (${p.value})`,
    (p) => `un numéro FINESS compte 9 caractères (${p.value})`,
  ),
  finess_characters: m(
    (p: { value: string }) =>
      `a FINESS number is 2 département characters (digits, 2A or 2B) then 7 digits (${p.value})`,
    (p) =>
      `un numéro FINESS commence par 2 caractères de département (chiffres, 2A ou 2B) suivis de 7 chiffres (${p.value})`,
  ),
  finess_departement: m(
    (p: { value: string }) => `not a département code used by FINESS (${p.value})`,
    (p) => `ce code de département n’existe pas dans FINESS (${p.value})`,
  ),
  finess_check_digit: m(
    (p: { value: string }) => `the check digit is wrong (Luhn) (${p.value})`,
    (p) => `la clé de contrôle est fausse (Luhn) (${p.value})`,
  ),
  finess_row_type: m(
    (p: { type: string }) => `unknown record type "${p.type}"`,
    (p) => `type de ligne inconnu « ${p.type} » : structureet ou geolocalisation attendu`,
  ),
  finess_row_fields: m(
    (p: { count: number; expected: number }) =>
      `structureet line with ${p.count} fields, expected ${p.expected} or more`,
    (p) => `ligne structureet de ${p.count} champ(s) : ${p.expected} au moins sont attendus`,
  ),
  finess_row_number: m(
    (p: { field: string; problem: string; value: string }) =>
      `${p.field}: ${render(`finess_${p.problem}`, { value: p.value }, 'en') ?? p.problem}`,
    (p) =>
      `${finessFieldFr[p.field] ?? p.field} : ${render(`finess_${p.problem}`, { value: p.value }, 'fr') ?? p.problem}`,
  ),
  finess_row_category: m(
    (p: { value: string }) => `categetab is not a 3-digit category (${p.value})`,
    (p) => `${finessFieldFr.categetab} : une catégorie de 3 chiffres est attendue (« ${p.value} »)`,
  ),
  finess_row_aggregate: m(
    (p: { value: string }) => `categagretab is not a 4-digit aggregate category (${p.value})`,
    (p) => `${finessFieldFr.categagretab} : une catégorie d’agrégat de 4 chiffres est attendue (« ${p.value} »)`,
  ),
  essms_none: m(
    () => 'a BDC covers at least one ESSMS',
    () => 'un BDC porte sur au moins un ESSMS',
  ),
  essms_twice: m(
    () => 'an ESSMS appears twice',
    () => 'un ESSMS figure deux fois',
  ),
  amendment_empty: m(
    () => 'an amendment changes at least one date',
    () => 'un avenant modifie au moins une date',
  ),
  amendment_closing_twice: m(
    () => 'closingDate or closingAt, not both',
    () => 'closingDate ou closingAt, pas les deux',
  ),
  campaign_dates_order: m(
    () => 'dates must run opening ≤ order deadline ≤ closing',
    () => 'les dates doivent se suivre : ouverture ≤ fermeture des commandes ≤ clôture',
  ),
  tranche_gap: m(
    (p: { tranche: string; next: string }) => `tranche ${p.tranche} must end just before ${p.next}`,
    (p) => `la tranche ${p.tranche} doit s’arrêter juste avant la tranche ${p.next}`,
  ),
  tranche_last_max: m(
    () => 'the last tranche has no maximum',
    () => 'la dernière tranche n’a pas de maximum',
  ),
  bareme_start: m(
    () => 'the barème must start at 1 ESSMS',
    () => 'le barème doit commencer à 1 ESSMS',
  ),
  ledger_key_form: m(
    () => 'expected <bdcId>:<effect>[:<event id>]',
    () => 'une clé <bdcId>:<effet>[:<identifiant d’événement>] est attendue',
  ),
  invalid_value: m(
    () => 'invalid value',
    () => 'valeur invalide',
  ),

  // ——— registration ———
  unknown_campaign: m(
    (p: { campaignId: string }) => `no campaign ${p.campaignId}`,
    (p) => `aucune campagne ${p.campaignId}`,
  ),
  ordered_before_opening: m(
    (p: { opening: string }) => `the order date is before the campaign opened (${p.opening})`,
    (p) => `la date de commande précède l’ouverture de la campagne (${civilDateFr(p.opening)})`,
  ),
  ordered_after_deadline: m(
    (p: { deadline: string }) => `the order date is after the order deadline (${p.deadline})`,
    (p) => `la date de commande est postérieure à la fermeture des commandes (${civilDateFr(p.deadline)})`,
  ),
  registered_after_deadline: m(
    (p: { deadline: string; now: string }) =>
      `requests are registered up to the order deadline (${p.deadline}); it is now ${p.now}`,
    (p) =>
      `les demandes sont enregistrées jusqu’à la fermeture des commandes (${civilDateFr(p.deadline)}) ; nous sommes le ${parisDateTimeFr(p.now)}`,
  ),
  pinned_extraction_missing: m(
    (p: { campaignId: string; date: string; label: string }) =>
      `campaign ${p.campaignId} counts the OG's ESSMS in the FINESS extraction of ${p.date} (${p.label}), which is not imported`,
    (p) =>
      `la campagne ${p.campaignId} compte les ESSMS de l’OG dans l’extraction FINESS du ${civilDateFr(p.date)} (${p.label}), qui n’est pas importée`,
  ),
  no_finess_extraction: m(
    () => 'no FINESS extraction is imported yet: an operator imports one with `sons finess import FILE`',
    () =>
      'aucune extraction FINESS n’est encore importée : un opérateur en importe une (console, ou `sons finess import FICHIER`)',
  ),
  solution_refused: m(
    (p: { solutionId: string; decidedOn: string }) =>
      `the référencement of solution ${p.solutionId} was refused (${p.decidedOn})`,
    (p) => `le référencement de la solution ${p.solutionId} a été refusé (${civilDateFr(p.decidedOn)})`,
  ),
  registration_id_reused: m(
    (p: { eventId: string; bdcId: string }) => `event id ${p.eventId} registered BDC ${p.bdcId} with other content`,
    (p) => `l’identifiant d’événement ${p.eventId} a déjà enregistré le BDC ${p.bdcId} avec un autre contenu`,
  ),
  already_registered: m(
    (p: { reference: string; editeurId: string; bdcId: string }) =>
      `BDC ${p.reference} of ${p.editeurId} is already registered (${p.bdcId})`,
    (p) => `le BDC ${p.reference} de ${p.editeurId} est déjà enregistré (${p.bdcId})`,
  ),
  essms_unknown: m(
    (p: { finess: string; extraction: string }) =>
      `ESSMS ${p.finess} is not in the FINESS extraction of ${p.extraction}`,
    (p) => `l’ESSMS ${p.finess} ne figure pas dans l’extraction FINESS du ${civilDateFr(p.extraction)}`,
  ),
  essms_other_og: m(
    (p: { finess: string; holder: string; og: string }) =>
      `ESSMS ${p.finess} belongs to OG ${p.holder}, not to ${p.og}`,
    (p) => `l’ESSMS ${p.finess} relève de l’OG ${p.holder}, non de ${p.og}`,
  ),
  essms_not_eligible: m(
    (p: { finess: string; category: string; label: string; aggregate: string; couloir: string }) =>
      `ESSMS ${p.finess} (${p.category} ${p.label}, aggregate ${p.aggregate}) is not eligible in couloir ${p.couloir}`,
    (p) =>
      `l’ESSMS ${p.finess} (${p.category} ${p.label}, agrégat ${p.aggregate}) n’est pas éligible au couloir ${p.couloir}`,
  ),
  essms_excluded: m(
    (p: { finess: string; reason: string }) => `ESSMS ${p.finess} is excluded: ${p.reason}`,
    (p) => `l’ESSMS ${p.finess} est exclu : ${p.reason}`,
  ),
  essms_already_financed: m(
    (p: { finess: string; holder: string }) => `ESSMS ${p.finess} is already financed by BDC ${p.holder}`,
    (p) => `l’ESSMS ${p.finess} est déjà financé par le BDC ${p.holder}`,
  ),

  // ——— events of a BDC ———
  event_id_reused: m(
    (p: { eventId: string; kind: string; same: boolean }) =>
      `event id ${p.eventId} was already used for ${p.same ? 'another' : `a ${p.kind}`} event`,
    (p) =>
      `l’identifiant d’événement ${p.eventId} a déjà servi pour ${p.same ? 'un autre événement' : `un événement ${p.kind}`}`,
  ),
  event_id_used_elsewhere: m(
    (p: { eventId: string; subject: string; kind: string }) =>
      `event id ${p.eventId} already names a ${p.kind} event of ${p.subject}: an id names one event`,
    (p) =>
      `l’identifiant d’événement ${p.eventId} désigne déjà un événement ${p.kind} de ${p.subject} : un identifiant ne désigne qu’un événement`,
  ),
  dossier_not_awaited: m(
    (p: { referencement: string; status: string }) =>
      `no dossier is awaited: référencement is ${p.referencement}, the BDC ${p.status}`,
    (p) =>
      `aucun dossier n’est attendu : référencement ${word(decisionFr, p.referencement)}, BDC « ${word(statusFr, p.status)} »`,
  ),
  already_filed: m(
    (p: { filedAt: string }) => `the dossier was already filed on ${p.filedAt}`,
    (p) => `le dossier a déjà été déposé le ${parisDateFr(p.filedAt)}`,
  ),
  dossier_late: m(
    (p: { due: string }) => `dossier filed after the 120-day deadline (${p.due})`,
    (p) => `dossier déposé après le délai de 120 jours (${parisDateTimeFr(p.due)})`,
  ),
  decision_in_future: m(
    () => 'a decision is not dated after today',
    () => 'une décision n’est pas datée après aujourd’hui',
  ),
  filing_in_future: m(
    () => 'the filing date is in the future',
    () => 'la date de dépôt est dans le futur',
  ),
  filing_before_order: m(
    (p: { orderDate: string }) => `the filing date is before the order date (${p.orderDate})`,
    (p) => `la date de dépôt précède la date de commande (${civilDateFr(p.orderDate)})`,
  ),
  decision_not_awaited: m(
    (p: { referencement: string; status: string }) =>
      `référencement is already ${p.referencement}; the BDC is ${p.status}`,
    (p) =>
      `le référencement est déjà ${word(decisionFr, p.referencement)} ; le BDC est « ${word(statusFr, p.status)} »`,
  ),
  not_cancellable_va: m(
    (p: { invoice: string }) => `the BDC can no longer be cancelled: its VA was accepted (invoice ${p.invoice})`,
    (p) => `le BDC ne peut plus être annulé : sa VA a été acceptée (facture ${p.invoice})`,
  ),
  not_cancellable_attention: m(
    () => 'the BDC needs attention: an operator decides (retry or cancel) through its attention decision',
    () => 'le BDC est à examiner : un opérateur décide (nouvel essai ou annulation) par sa décision d’examen',
  ),
  not_cancellable: m(
    (p: { status: string; pending: boolean }) =>
      `the BDC can no longer be cancelled: it is ${p.status}${p.pending ? ', its cancellation already accepted' : ''}`,
    (p) =>
      `le BDC ne peut plus être annulé : il est « ${word(statusFr, p.status)} »${p.pending ? ', son annulation déjà acceptée' : ''}`,
  ),
  no_reimbursement_due: m(
    (p: { status: string }) => `no reimbursement is due: the BDC is ${p.status}`,
    (p) => `aucun remboursement n’est dû : le BDC est « ${word(statusFr, p.status)} »`,
  ),
  more_than_due: m(
    (p: { amountCents: number; dueCents: number }) =>
      `${formatEuros(p.amountCents)} € is more than the ${formatEuros(p.dueCents)} € still due`,
    (p) => `${eurosFr(p.amountCents)} dépasse les ${eurosFr(p.dueCents)} encore dus`,
  ),
  receipt_in_future: m(
    () => 'the reception date is in the future',
    () => 'la date de réception est dans le futur',
  ),
  receipt_before_demand: m(
    (p: { issuedAt: string }) => `the reception date is before the demand (${p.issuedAt})`,
    (p) => `la date de réception précède la demande (${parisDateFr(p.issuedAt)})`,
  ),
  milestone_passed: m(
    (p: { status: string }) => `the BDC has ended (${p.status}); a passed milestone is not reopened`,
    (p) => `le BDC est terminé (« ${word(statusFr, p.status)} ») ; une échéance passée n’est pas rouverte`,
  ),
  attention_not_needed: m(
    (p: { status: string }) => `nothing awaits an operator's decision: the status is ${p.status}`,
    (p) => `rien n’est à examiner : le statut est « ${word({ ...controlStatusFr, ...statusFr }, p.status)} »`,
  ),
  attention_already_paid: m(
    () => 'money was paid: the failed step can only be tried again',
    () => 'des sommes ont été versées : l’étape en échec ne peut qu’être tentée à nouveau',
  ),
  bdc_ended: m(
    (p: { bdcId: string; status: string }) => `BDC ${p.bdcId} has ended (${p.status}) and takes no more events`,
    (p) =>
      `le BDC ${p.bdcId} est terminé (« ${word({ ...statusFr, ...temporalEndFr }, p.status)} ») et ne reçoit plus d’événement`,
  ),
  event_not_taken: m(
    (p: { status: string }) => `the BDC moved on (${p.status}) before this event's turn: nothing of it is recorded`,
    (p) =>
      `le BDC est passé au statut « ${word(statusFr, p.status)} » avant que cet événement soit enregistré : rien n’en est retenu`,
  ),
  unknown_bdc: m(
    (p: { bdcId: string }) => `no BDC ${p.bdcId}`,
    (p) => `aucun BDC ${p.bdcId}`,
  ),
  unknown_bdc_in_record: m(
    (p: { bdcId: string }) => `no BDC ${p.bdcId} in the record`,
    (p) => `aucun BDC ${p.bdcId} dans le registre`,
  ),
  unknown_bdc_in_ledger: m(
    (p: { bdcId: string }) => `no BDC ${p.bdcId} is registered`,
    (p) => `aucun BDC ${p.bdcId} n’est enregistré`,
  ),
  refused: m(
    (p: { reason: string }) => p.reason,
    (p) => `refusé : ${p.reason}`,
  ),
  not_overdue: m(
    (p: { status: string }) => `only an overdue reimbursement is escalated or written off; the BDC is ${p.status}`,
    (p) =>
      `seul un remboursement en retard est transmis au recouvrement ou abandonné ; le BDC est « ${word(statusFr, p.status)} »`,
  ),
  already_escalated: m(
    () => 'the reimbursement was already handed over for recovery',
    () => 'le remboursement a déjà été transmis au recouvrement',
  ),

  // ——— the VA and its invoice ———
  va_cancellation_pending: m(
    (p: { reason: string }) => `the BDC's cancellation was accepted (${p.reason}): no VA is accepted`,
    (p) => `l’annulation du BDC a été acceptée (${p.reason}) : aucune VA n’est plus acceptée`,
  ),
  va_already_accepted: m(
    (p: { invoice: string }) => `a VA was already accepted for this BDC (invoice ${p.invoice})`,
    (p) => `une VA a déjà été acceptée pour ce BDC (facture ${p.invoice})`,
  ),
  va_wrong_state: m(
    (p: { status: string }) =>
      `a VA is accepted only once the advance is issued and before the BDC ends; this BDC is ${p.status}`,
    (p) =>
      `une VA n’est acceptée qu’une fois l’avance ordonnée et avant la fin du BDC ; ce BDC est « ${word(statusFr, p.status)} »`,
  ),
  va_missing_essms: m(
    (p: { finess: string }) => `VA does not cover ESSMS ${p.finess}`,
    (p) => `la VA ne couvre pas l’ESSMS ${p.finess}`,
  ),
  va_foreign_essms: m(
    (p: { finess: string }) => `VA names ESSMS ${p.finess}, which this BDC does not cover`,
    (p) => `la VA cite l’ESSMS ${p.finess}, que ce BDC ne couvre pas`,
  ),
  va_dui_not_deployed: m(
    (p: { finess: string }) => `VA does not attest that the DUI is deployed for ESSMS ${p.finess}`,
    (p) => `la VA n’atteste pas le déploiement du DUI pour l’ESSMS ${p.finess}`,
  ),
  va_signed_before_order: m(
    (p: { orderDate: string }) => `VA signed before the order date (${p.orderDate})`,
    (p) => `VA signée avant la date de commande (${civilDateFr(p.orderDate)})`,
  ),
  va_signed_after_closing: m(
    (p: { closing: string }) => `VA signed after the closing date (${p.closing})`,
    (p) => `VA signée après la clôture (${parisDateTimeFr(p.closing)})`,
  ),
  va_signed_after_receipt: m(
    () => 'VA is signed after the moment it was received',
    () => 'la VA est signée après sa réception',
  ),
  va_received_after_closing: m(
    (p: { closing: string }) => `VA received after the closing date (${p.closing})`,
    (p) => `VA reçue après la clôture (${parisDateTimeFr(p.closing)})`,
  ),
  invoice_other_og: m(
    (p: { og: string; bdcOg: string }) => `invoice is addressed to another OG (${p.og}, this BDC's OG is ${p.bdcOg})`,
    (p) => `la facture est adressée à un autre OG (${p.og} ; l’OG de ce BDC est ${p.bdcOg})`,
  ),
  tbb1_missing: m(
    (p: { indicator: string; finess: string }) => `TBB.1 indicator ${p.indicator} is missing for ESSMS ${p.finess}`,
    (p) => `l’indicateur ${p.indicator} manque pour l’ESSMS ${p.finess}`,
  ),
  tbb1_none: m(
    (p: { finess: string }) => `the TBB.1 indicators are missing for ESSMS ${p.finess}`,
    (p) => `les indicateurs TBB.1 manquent pour l’ESSMS ${p.finess}`,
  ),
  tbb1_not_required: m(
    (p: { indicator: string; required: string }) =>
      `${p.indicator} is not a TBB.1 indicator this campaign requires (${p.required})`,
    (p) => `${p.indicator} n’est pas un indicateur TBB.1 requis par cette campagne (${p.required})`,
  ),
  tbb1_unknown: m(
    (p: { indicator: string }) => `${p.indicator} is not a TBB.1 indicator (TBB.1.<n>)`,
    (p) => `${p.indicator} n’est pas un indicateur TBB.1 (TBB.1.<n>)`,
  ),
  tbb1_zero: m(
    (p: { indicator: string; finess: string }) => `TBB.1 indicator ${p.indicator} is 0 for ESSMS ${p.finess}`,
    (p) => `l’indicateur ${p.indicator} vaut 0 pour l’ESSMS ${p.finess}`,
  ),
  tbb1_negative: m(
    (p: { indicator: string; finess: string }) => `TBB.1 indicator ${p.indicator} is negative for ESSMS ${p.finess}`,
    (p) => `l’indicateur ${p.indicator} est négatif pour l’ESSMS ${p.finess}`,
  ),
  document_unknown: m(
    (p: { sha256: string }) => `no document ${p.sha256} was uploaded by this éditeur`,
    (p) => `aucun document ${p.sha256} n’a été déposé par cet éditeur`,
  ),
  file_missing: m(
    () => 'choose a file',
    () => 'choisissez un fichier',
  ),
  document_not_found: m(
    (p: { sha256: string }) => `no document ${p.sha256}`,
    (p) => `aucun document ${p.sha256}`,
  ),
  document_not_pdf: m(
    () => 'the file is not a PDF document',
    () => 'le fichier n’est pas un document PDF',
  ),
  document_too_large: m(
    (p: { maxMiB: number }) => `the file is larger than ${p.maxMiB} MiB`,
    (p) => `le fichier dépasse ${p.maxMiB} Mio`,
  ),
  document_missing: m(
    () => 'a PDF file is required',
    () => 'un fichier PDF est requis',
  ),

  // ——— solutions, campaigns, batches, reference data ———
  solution_of_another_editeur: m(
    (p: { solutionId: string; editeurId: string }) => `solution ${p.solutionId} belongs to éditeur ${p.editeurId}`,
    (p) => `la solution ${p.solutionId} appartient à l’éditeur ${p.editeurId}`,
  ),
  unknown_solution: m(
    (p: { solutionId: string }) => `no solution ${p.solutionId}: it is known once a BDC is registered for it`,
    (p) => `aucune solution ${p.solutionId} : elle est connue dès qu’un BDC est enregistré pour elle`,
  ),
  solution_already_decided: m(
    (p: { solutionId: string; state: string; decidedOn: string; eventId: string }) =>
      `solution ${p.solutionId} is already ${p.state} (${p.decidedOn}, event ${p.eventId})`,
    (p) =>
      `le référencement de la solution ${p.solutionId} est déjà ${word(decisionFr, p.state)} (${civilDateFr(p.decidedOn)}, événement ${p.eventId})`,
  ),
  campaign_unknown: m(
    (p: { campaignId: string }) => `no campaign ${p.campaignId}`,
    (p) => `aucune campagne ${p.campaignId}`,
  ),
  campaign_configured: m(
    (p: { campaignId: string }) => `campaign ${p.campaignId} is configured already`,
    (p) => `la campagne ${p.campaignId} est déjà configurée`,
  ),
  campaign_other_definition: m(
    (p: { campaignId: string }) => `campaign ${p.campaignId} exists with another definition`,
    (p) => `la campagne ${p.campaignId} existe avec une autre définition`,
  ),
  confirmation_required: m(
    (p: { lapsing: number }) =>
      `this amendment puts a deadline in the past: ${p.lapsing} running BDC(s) would lapse at once (see the dry run); send it again with confirmed: true`,
    (p) =>
      `cet avenant place une échéance dans le passé : ${p.lapsing} BDC en cours deviendraient caducs aussitôt (voir la simulation) ; confirmez-le pour l’appliquer`,
  ),
  unknown_batch: m(
    (p: { batchId: string }) => `no batch ${p.batchId} (or it has not begun yet)`,
    (p) => `aucun traitement ${p.batchId} (ou il n’a pas encore commencé)`,
  ),
  unknown_import: m(
    (p: { importId: string }) => `no import ${p.importId}`,
    (p) => `aucun import ${p.importId}`,
  ),
  unknown_control: m(
    (p: { controlId: string }) => `no control ${p.controlId}`,
    (p) => `aucun contrôle ${p.controlId}`,
  ),
  over_ceiling: m(
    (p: { amountCents: number; paidCents: number; ceilingCents: number }) =>
      `an order of ${formatEuros(p.amountCents)} € would pay more than the ceiling of ${formatEuros(p.ceilingCents)} € (${formatEuros(p.paidCents)} € paid)`,
    (p) =>
      `un ordre de ${eurosFr(p.amountCents)} verserait plus que le plafond de ${eurosFr(p.ceilingCents)} (${eurosFr(p.paidCents)} déjà versés)`,
  ),
  demand_exceeds_held: m(
    (p: { amountCents: number; heldCents: number }) =>
      `a demand of ${formatEuros(p.amountCents)} € exceeds what the éditeur holds and is not already asked back (${formatEuros(p.heldCents)} €)`,
    (p) =>
      `une demande de ${eurosFr(p.amountCents)} dépasse ce que l’éditeur détient et qui ne lui est pas déjà demandé (${eurosFr(p.heldCents)})`,
  ),
  invalid_iban: m(
    () => 'this IBAN is not valid (its check digits or its length)',
    () => 'cet IBAN n’est pas valide (clé de contrôle ou longueur)',
  ),
  iban_outside_sepa: m(
    (p: { country: string }) => `an IBAN of ${p.country} is outside the SEPA zone`,
    (p) => `un IBAN ${p.country} est hors de la zone SEPA`,
  ),
  invalid_bic: m(
    () => 'this BIC is not valid (8 or 11 characters: bank, country, place, branch)',
    () => 'ce BIC n’est pas valide (8 ou 11 caractères : banque, pays, lieu, agence)',
  ),
  invalid_holder: m(
    () => 'the account holder is required (70 characters at most)',
    () => 'le titulaire du compte est requis (70 caractères au plus)',
  ),
  already_proposed: m(
    () => 'a write-off is already proposed: an ordonnateur decides on it first',
    () => 'un abandon est déjà proposé : un ordonnateur en décide d’abord',
  ),
  own_person: m(
    () => 'nobody changes their own roles or status: another admin does (four eyes)',
    () => 'personne ne change ses propres rôles ni son propre statut : un autre administrateur le fait',
  ),
  unknown_person: m(
    (p: { personId: string }) => `no person ${p.personId}`,
    (p) => `aucune personne ${p.personId}`,
  ),
  editeur_held: m(
    (p: { editeurId: string }) => `this person already acts for the éditeur ${p.editeurId}`,
    (p) => `cette personne agit déjà pour l’éditeur ${p.editeurId}`,
  ),
  incompatible_roles: m(
    (p: { role: string; held: string }) =>
      `${p.role} and ${p.held} are incompatible functions (décret GBCP n° 2012-1246, art. 9): no person holds both`,
    (p) =>
      `${p.role} et ${p.held} sont des fonctions incompatibles (décret GBCP n° 2012-1246, art. 9) : nul ne les cumule`,
  ),
  second_factor_required: m(
    () => 'money is decided with a second factor: sign in again with your one-time code',
    () => 'une somme se décide avec un second facteur : reconnectez-vous avec votre code à usage unique',
  ),
  no_role: m(
    () => 'you hold no role in SONS yet: ask an administrator to grant you one',
    () => 'vous n’avez encore aucun rôle dans SONS : demandez-en un à un administrateur',
  ),
  person_disabled: m(
    () => 'this person is disabled',
    () => 'cette personne est désactivée',
  ),
  sign_in_failed: m(
    (p: { reason: string }) => `the sign-in did not complete: ${p.reason}`,
    (p) => `la connexion n’a pas abouti : ${p.reason}`,
  ),
  proposal_unknown: m(
    (p: { proposalId: string }) => `no proposal ${p.proposalId} here`,
    (p) => `aucune proposition ${p.proposalId} ici`,
  ),
  proposal_decided: m(
    (p: { state: string }) => `this proposal is ${p.state} already`,
    (p) => `cette proposition est déjà ${word(proposalStateFr, p.state)}`,
  ),
  not_ordonnateur: m(
    () => 'only an ordonnateur validates or rejects money',
    () => 'seul un ordonnateur valide ou rejette une somme',
  ),
  own_proposal: m(
    () => 'no one validates their own proposal (four eyes)',
    () => 'nul ne valide sa propre proposition (double regard)',
  ),
  caused_it: m(
    () => 'the person who recorded the event behind this money cannot validate it (four eyes)',
    () => 'la personne qui a enregistré l’événement à l’origine de cette somme ne peut la valider (double regard)',
  ),
  already_validated: m(
    () => 'you validated it already: a second ordonnateur must',
    () => 'vous l’avez déjà validée : un second ordonnateur doit le faire',
  ),
  proposal_rejected: m(
    (p: { kind: string; reason: string }) => `the ordonnateur rejected the ${p.kind}: ${p.reason}`,
    (p) => `l’ordonnateur a rejeté ${word(proposalFr, p.kind)} : ${p.reason}`,
  ),
  control_not_cancellable: m(
    () => 'a control is never cancelled: its failed step can only be tried again',
    () => 'un contrôle n’est jamais annulé : l’étape en échec ne peut qu’être tentée à nouveau',
  ),
  control_wrong_state: m(
    (p: { status: string }) => `the control does not await this: it is ${p.status}`,
    (p) => `le contrôle n’attend pas cela : il est « ${word(controlStatusFr, p.status)} »`,
  ),
  recovery_too_large: m(
    (p: { amountCents: number; heldCents: number }) =>
      `a recovery of ${formatEuros(p.amountCents)} € is more than the ${formatEuros(p.heldCents)} € the éditeur holds (paid, less what was already demanded back)`,
    (p) =>
      `un reversement de ${eurosFr(p.amountCents)} dépasse les ${eurosFr(p.heldCents)} que l’éditeur détient (versé, moins ce qui lui est déjà demandé)`,
  ),
  recovery_missing: m(
    () => 'a failed control says how much is demanded back',
    () => 'un contrôle non conforme indique le montant à reverser',
  ),
  reasons_missing: m(
    () => 'a failed control gives its reasons',
    () => 'un contrôle non conforme donne ses motifs',
  ),
  empty_sample: m(
    () => 'the draw selects no completed BDC',
    () => 'le tirage ne retient aucun BDC terminé',
  ),
  sample_size: m(
    () => 'give a rate (0 to 1) or a size, not both',
    () => 'indiquez un taux (de 0 à 1) ou une taille, pas les deux',
  ),
  search_text_empty: m(
    () => 'type at least one character to search',
    () => 'saisissez au moins un caractère pour chercher',
  ),
  search_text_long: m(
    () => 'a search is at most 100 characters',
    () => 'une recherche fait 100 caractères au plus',
  ),
  signalement_og_required: m(
    () => "give your organisation's FINESS juridique number (9 digits)",
    () => 'indiquez le numéro FINESS juridique de votre organisme (9 chiffres)',
  ),
  signalement_editeur_required: m(
    () => 'name the éditeur whose quote you report',
    () => 'indiquez le nom de l’éditeur dont vous signalez le devis',
  ),
  signalement_editeur_unknown: m(
    (p: { name: string }) => `no éditeur of the programme is named "${p.name}": choose it from the list offered`,
    (p) => `aucun éditeur du programme ne s’appelle « ${p.name} » : choisissez-le dans la liste proposée`,
  ),
  signalement_editeur_ambiguous: m(
    (p: { name: string; count: number }) => `${p.count} éditeurs match "${p.name}": choose one from the list offered`,
    (p) => `${p.count} éditeurs correspondent à « ${p.name} » : choisissez le vôtre dans la liste proposée`,
  ),
  signalement_description_short: m(
    () => 'describe what seems doubtful in at least 10 characters',
    () => 'décrivez ce qui vous semble douteux en 10 caractères au moins',
  ),
  signalement_description_long: m(
    () => 'a description is at most 5,000 characters',
    () => 'la description fait 5 000 caractères au plus',
  ),
  signalement_email_invalid: m(
    () => 'give an email address where the ASP can answer you, e.g. name@organisation.fr',
    () => 'indiquez une adresse électronique où l’ASP peut vous répondre, par exemple nom@organisme.fr',
  ),
  signalement_quote_invalid: m(
    () => 'give the amount in euros, e.g. 12 500,00',
    () => 'indiquez le montant en euros, par exemple 12 500,00',
  ),
  unknown_signalement: m(
    (p: { signalementId: string }) => `no signalement ${p.signalementId}`,
    (p) => `aucun signalement ${p.signalementId}`,
  ),
  signalement_already_answered: m(
    (p: { answeredBy: string }) => `this signalement was already answered (by ${p.answeredBy})`,
    (p) => `ce signalement a déjà reçu une réponse (de ${p.answeredBy})`,
  ),
  invalid_page_token: m(
    () => 'this page token was not given by this list: start again without it',
    () => 'ce jeton de page ne vient pas de cette liste : recommencez sans lui',
  ),
  extraction_header: m(
    (p: { file: string }) => `${p.file}: the first line must be finess;etalab;<n>;<date>`,
    (p) => `${p.file} : la première ligne doit être finess;etalab;<n>;<date>`,
  ),
  extraction_date: m(
    (p: { file: string; raw: string }) => `${p.file}: the extraction date "${p.raw}" is not a date`,
    (p) => `${p.file} : la date d’extraction « ${p.raw} » n’est pas une date`,
  ),
  extraction_empty: m(
    (p: { file: string }) => `${p.file} is empty`,
    (p) => `${p.file} est vide`,
  ),
  extraction_already_imported: m(
    (p: { date: string }) => `the extraction of ${p.date} is already imported`,
    (p) => `l’extraction du ${civilDateFr(p.date)} est déjà importée`,
  ),
  duplicate_effect: m(
    (p: { bdcId: string; table: string }) =>
      `BDC ${p.bdcId} already has this kind of record in ${p.table} under another key`,
    (p) => `le BDC ${p.bdcId} a déjà une écriture de ce type (${p.table}) sous une autre clé`,
  ),
  idempotency_conflict: m(
    (p: { key: string; table: string }) => `key ${p.key} was already used for a different ${p.table} record`,
    (p) => `la clé ${p.key} a déjà servi pour une autre écriture (${p.table})`,
  ),
  bdc_other_content: m(
    (p: { bdcId: string }) => `BDC ${p.bdcId} is already registered with other content`,
    (p) => `le BDC ${p.bdcId} est déjà enregistré avec un autre contenu`,
  ),
  no_reimbursement_demand: m(
    (p: { bdcId: string }) => `no reimbursement was demanded for BDC ${p.bdcId}`,
    (p) => `aucun remboursement n’a été demandé pour le BDC ${p.bdcId}`,
  ),
  no_codec: m(
    () => 'this engine encrypts no payloads',
    () => 'ce moteur ne chiffre aucune donnée',
  ),
  undecodable_payload: m(
    (p: { problem: string }) => `a payload cannot be decoded: ${p.problem}`,
    (p) => `une donnée ne peut pas être déchiffrée : ${p.problem}`,
  ),

  // ——— HTTP ———
  unauthenticated: m(
    () => 'a valid bearer token is required',
    () => 'un jeton d’accès valide est requis',
  ),
  forbidden: m(
    (p: { role: string }) => `the ${p.role} role may not do this`,
    (p) => `le rôle ${p.role} ne permet pas cette action`,
  ),
  no_route: m(
    (p: { method: string; url: string }) => `no route ${p.method} ${p.url}`,
    (p) => `aucune route ${p.method} ${p.url}`,
  ),
  uri_too_long: m(
    (p: { max: number }) => `the URL is longer than ${p.max} characters`,
    (p) => `l’URL dépasse ${p.max} caractères`,
  ),
  too_many_requests: m(
    (p: { seconds: number }) => `too many requests without a valid token: try again in ${p.seconds} s`,
    (p) => `trop de requêtes sans jeton valide : réessayez dans ${p.seconds} s`,
  ),
  too_deep: m(
    (p: { max: number }) => `the body nests objects or arrays more than ${p.max} levels deep`,
    (p) => `le corps imbrique objets ou listes sur plus de ${p.max} niveaux`,
  ),
  invalid_json: m(
    (p: { problem: string }) => `the body is not JSON: ${p.problem}`,
    (p) => `le corps n’est pas du JSON : ${p.problem}`,
  ),
  request_too_large: m(
    () => 'the request line and headers are too large',
    () => 'la ligne de requête et les en-têtes sont trop longs',
  ),
  bad_request: m(
    () => 'the request is not well-formed HTTP',
    () => 'la requête n’est pas du HTTP bien formé',
  ),
  extraction_media_type: m(
    () => 'send the extraction file itself as text/csv',
    () => 'envoyez le fichier d’extraction lui-même en text/csv',
  ),
  unavailable: m(
    (p: { dependency: string }) =>
      `${p.dependency === 'temporal' ? 'Temporal' : 'the database'} does not answer now: send the same request again (with the same eventId) in a few seconds`,
    (p) =>
      `${p.dependency === 'temporal' ? 'Temporal' : 'la base de données'} ne répond pas pour l’instant : renvoyez la même demande (avec le même eventId) dans quelques secondes`,
  ),
  internal: m(
    () => 'the engine could not complete the request; it was logged',
    () => 'le moteur n’a pas pu traiter la demande ; l’incident est journalisé',
  ),
  http_error: m(
    (p: { problem: string }) => p.problem,
    (p) => `demande refusée : ${p.problem}`,
  ),
  api_unreachable: m(
    (p: { url: string; problem: string }) =>
      `the API at ${p.url} does not answer (${p.problem}); is npm start running?`,
    (p) => `l’API ${p.url} ne répond pas (${p.problem}) ; npm start est-il lancé ?`,
  ),
  import_bad_header: m(
    (p: { columns: string }) => `the first line must be the columns ${p.columns}`,
    (p) => `la première ligne doit donner les colonnes ${p.columns}`,
  ),
  http_status: m(
    (p: { status: number; body: string }) => `HTTP ${p.status}: ${p.body}`,
    (p) => `HTTP ${p.status} : ${p.body}`,
  ),
  number_expected: m(
    (p: { what: string }) => `${p.what}: a number is expected`,
    (p) => `${p.what} : un nombre est attendu`,
  ),
  euros_expected: m(
    () => 'an amount in euros is expected, e.g. 1 752,00',
    () => 'un montant en euros est attendu, par exemple 1 752,00',
  ),
  text_required: m(
    (p: { label: string }) => `${p.label} is required`,
    (p) => `${p.label} est à renseigner`,
  ),
  text_too_long: m(
    (p: { label: string; max: number }) => `${p.label}: at most ${p.max} characters`,
    (p) => `${p.label} : ${p.max} caractères au plus`,
  ),
  choose_one: m(
    (p: { label: string }) => `choose ${p.label}`,
    (p) => `choisissez ${p.label}`,
  ),
  csrf: m(
    () => 'the form has expired or did not come from this console: reload the page and try again',
    () => 'le formulaire a expiré ou ne vient pas de cette console : rechargez la page et recommencez',
  ),

  // ——— audit trail: what happened to a BDC ———
  audit_registered: m(
    (p: { essms: number; ceilingCents: number; tranche: string }) =>
      `registered: ${p.essms} ESSMS, ceiling ${formatEuros(p.ceilingCents)} € (tranche ${p.tranche})`,
    (p) => `enregistré : ${p.essms} ESSMS, plafond ${eurosFr(p.ceilingCents)} (tranche ${p.tranche})`,
  ),
  audit_referencement: m(
    (p: { decision: string; decidedAt: string }) => `référencement ${p.decision} on ${p.decidedAt}`,
    (p) => `référencement ${word(decisionFr, p.decision)} le ${parisDateFr(p.decidedAt)}`,
  ),
  audit_proposed: m(
    (p: { kind: string; amountCents: number; needed: number }) =>
      `${p.kind} of ${formatEuros(p.amountCents)} € proposed, awaiting ${p.needed} ordonnateur validation(s)`,
    (p) =>
      `${word(proposalFr, p.kind)} (${eurosFr(p.amountCents)}) proposé${agreed(p.kind)}, en attente de ${p.needed === 1 ? 'la validation d’un ordonnateur' : 'la validation de deux ordonnateurs'}`,
  ),
  audit_validated: m(
    (p: { kind: string; count: number; needed: number }) => `${p.kind} validated (${p.count}/${p.needed})`,
    (p) => `${word(proposalFr, p.kind)} validé${agreed(p.kind)} par un ordonnateur (${p.count} sur ${p.needed})`,
  ),
  audit_rejected: m(
    (p: { kind: string; reason: string }) => `${p.kind} rejected: ${p.reason}`,
    (p) => `${word(proposalFr, p.kind)} rejeté${agreed(p.kind)} par l’ordonnateur : ${p.reason}`,
  ),
  audit_withdrawn: m(
    (p: { kind: string; why: string }) => `${p.kind} withdrawn before its validation: ${p.why}`,
    (p) => `${word(proposalFr, p.kind)} retiré${agreed(p.kind)} avant sa validation : ${word(withdrawnFr, p.why)}`,
  ),
  audit_advance_ordered: m(
    (p: { amountCents: number }) => `advance of ${formatEuros(p.amountCents)} € ordered`,
    (p) => `avance de ${eurosFr(p.amountCents)} ordonnée`,
  ),
  audit_awaiting_va: m(
    () => 'awaiting the signed VA and the invoice',
    () => 'en attente de la VA signée et de la facture',
  ),
  audit_va_accepted: m(
    (p: { signedAt: string; invoice: string; invoiceCents: number }) =>
      `VA signed ${p.signedAt} and invoice ${p.invoice} of ${formatEuros(p.invoiceCents)} € accepted`,
    (p) => `VA signée le ${parisDateFr(p.signedAt)} et facture ${p.invoice} de ${eurosFr(p.invoiceCents)} acceptées`,
  ),
  audit_balance_ordered: m(
    (p: { amountCents: number }) => `balance of ${formatEuros(p.amountCents)} € ordered`,
    (p) => `solde de ${eurosFr(p.amountCents)} ordonné`,
  ),
  audit_completed: m(
    (p: { paidCents: number }) => `completed: ${formatEuros(p.paidCents)} € paid`,
    (p) => `terminé : ${eurosFr(p.paidCents)} versés`,
  ),
  audit_reimbursement_demanded: m(
    (p: { amountCents: number; reason: string; dueAt: string }) =>
      `reimbursement of ${formatEuros(p.amountCents)} € demanded (${p.reason}), due ${p.dueAt}`,
    (p) =>
      `remboursement de ${eurosFr(p.amountCents)} demandé (${p.reason}), à régler avant le ${parisDateTimeFr(p.dueAt)}`,
  ),
  audit_reimbursement_complete: m(
    (p: { amountCents: number }) => `reimbursement of ${formatEuros(p.amountCents)} € complete`,
    (p) => `remboursement de ${eurosFr(p.amountCents)} soldé`,
  ),
  audit_reimbursement_overdue: m(
    () => 'reimbursement overdue',
    () => 'remboursement en retard',
  ),
  audit_reimbursement_received: m(
    (p: { amountCents: number; receivedAt: string }) =>
      `reimbursement of ${formatEuros(p.amountCents)} € received on ${p.receivedAt}`,
    (p) => `remboursement de ${eurosFr(p.amountCents)} reçu le ${parisDateFr(p.receivedAt)}`,
  ),
  audit_cancellation_requested: m(
    (p: { reason: string }) => `cancellation requested: ${p.reason}`,
    (p) => `annulation demandée : ${p.reason}`,
  ),
  audit_needs_attention: m(
    (p: { step: string; reason: string }) => `needs attention: the ${p.step} was refused (${p.reason})`,
    (p) => `à examiner : ${word(stepFr, p.step)} a été refusé(e) (${p.reason})`,
  ),
  audit_attention_resolved: m(
    (p: { decision: string; reason: string }) => `attention resolved: ${p.decision} (${p.reason})`,
    (p) => `examen tranché : ${word(decisionFr, p.decision)} (${p.reason})`,
  ),
  audit_dossier_filed: m(
    (p: { filedAt: string }) => `référencement dossier filed on ${p.filedAt}`,
    (p) => `dossier de référencement déposé le ${parisDateFr(p.filedAt)}`,
  ),
  audit_escalated: m(
    (p: { reason: string }) => `overdue reimbursement handed over for recovery (${p.reason})`,
    (p) => `remboursement en retard transmis au recouvrement (${p.reason})`,
  ),
  audit_written_off: m(
    (p: { amountCents: number; reason: string }) =>
      `${formatEuros(p.amountCents)} € of the reimbursement written off (${p.reason})`,
    (p) => `${eurosFr(p.amountCents)} du remboursement abandonnés (${p.reason})`,
  ),
  audit_reminder_sent: m(
    (p: { deadline: string; before: string; at: string }) =>
      `reminder of the ${p.deadline} deadline (${durationIn(p.before, 'en')} before) sent to the éditeur`,
    (p) =>
      `rappel de l’échéance « ${word(deadlineFr, p.deadline)} » (${durationIn(p.before, 'fr')} avant) adressé à l’éditeur`,
  ),
  audit_control_opened: m(
    (p: { drawId: string; documents: string; dueAt: string; assignedTo: string }) =>
      `a posteriori control opened (draw ${p.drawId}), assigned to ${p.assignedTo}: ${p.documents} requested by ${p.dueAt}`,
    (p) =>
      `contrôle a posteriori ouvert (tirage ${p.drawId}), confié à ${p.assignedTo} : ${p.documents} à transmettre avant le ${parisDateTimeFr(p.dueAt)}`,
  ),
  audit_documents_received: m(
    (p: { receivedAt: string }) => `documents received on ${p.receivedAt}`,
    (p) => `pièces reçues le ${parisDateFr(p.receivedAt)}`,
  ),
  audit_documents_overdue: m(
    () => 'documents overdue',
    () => 'pièces en retard',
  ),
  audit_control_passed: m(
    (p: { findings: string }) => `control passed: ${p.findings}`,
    (p) => `contrôle conforme : ${p.findings}`,
  ),
  audit_control_failed: m(
    (p: { findings: string; reasons: string }) => `control failed: ${p.findings} (${p.reasons})`,
    (p) => `contrôle non conforme : ${p.findings} (${p.reasons})`,
  ),
  audit_recovery_demanded: m(
    (p: { amountCents: number; dueAt: string }) =>
      `recovery of ${formatEuros(p.amountCents)} € demanded, due ${p.dueAt}`,
    (p) => `reversement de ${eurosFr(p.amountCents)} demandé, à régler avant le ${parisDateTimeFr(p.dueAt)}`,
  ),
  audit_recovery_received: m(
    (p: { amountCents: number; receivedAt: string }) =>
      `recovery of ${formatEuros(p.amountCents)} € received on ${p.receivedAt}`,
    (p) => `reversement de ${eurosFr(p.amountCents)} reçu le ${parisDateFr(p.receivedAt)}`,
  ),
  audit_recovery_overdue: m(
    () => 'recovery overdue',
    () => 'reversement en retard',
  ),
  audit_recovered: m(
    (p: { amountCents: number }) => `recovery complete: ${formatEuros(p.amountCents)} €`,
    (p) => `reversement soldé : ${eurosFr(p.amountCents)}`,
  ),
  audit_calendar_amended: m(
    (p: { reason: string }) => `calendar amended (${p.reason})`,
    (p) => `calendrier modifié (${p.reason})`,
  ),
  audit_documents: m(
    (p: { va: string; invoice: string }) =>
      `signed VA ${p.va.slice(0, 12)}…, invoice ${p.invoice.slice(0, 12)}… (SHA-256)`,
    (p) => `VA signée ${p.va.slice(0, 12)}…, facture ${p.invoice.slice(0, 12)}… (SHA-256)`,
  ),

  // ——— why a BDC ends ———
  end_referencement_refused: m(
    () => 'référencement refused by the ANS',
    () => 'référencement refusé par l’ANS',
  ),
  end_cancelled_unpaid: m(
    (p: { reason: string }) => `cancelled before any payment: ${p.reason}`,
    (p) => `annulé avant tout paiement : ${p.reason}`,
  ),
  end_no_dossier: m(
    () => 'no référencement dossier filed within 120 days of the order',
    () => 'aucun dossier de référencement déposé dans les 120 jours suivant la commande',
  ),
  end_closing_before_referencement: m(
    () => 'closing date passed before référencement',
    () => 'clôture passée avant le référencement',
  ),
  end_cancelled_after_advance: m(
    (p: { reason: string }) => `cancelled after the advance: ${p.reason}`,
    (p) => `annulé après l’avance : ${p.reason}`,
  ),
  end_closing_without_va: m(
    () => 'closing date passed without a valid VA',
    () => 'clôture passée sans VA valide',
  ),
  end_advance_not_justified: m(
    (p: { why: string }) => `advance not justified: ${p.why}`,
    (p) => `avance non justifiée : ${p.why}`,
  ),
  end_advance_exceeds_financed: m(
    () => 'advance exceeds the financed total',
    () => 'l’avance dépasse le total financé',
  ),
  end_workflow_cancelled: m(
    () => 'workflow cancelled through Temporal by an administrator',
    () => 'workflow annulé dans Temporal par un administrateur',
  ),

  // ——— issue 19: bounds on what a caller sends and what is kept of it ———
  at_most_items: m(
    (p: { max: number }) => `expected at most ${p.max} items`,
    (p) => `au plus ${p.max} éléments`,
  ),
  refusals_omitted: m(
    (p: { count: number }) => `and ${p.count} more reason${s(p.count)}, not kept`,
    (p) => `et ${p.count} autre${s(p.count)} motif${s(p.count)}, non conservé${s(p.count)}`,
  ),
  webhook_invalid_url: m(
    () => 'a webhook is a URL without credentials (its secret signs it)',
    () => 'un webhook est une URL sans identifiants (son secret le signe)',
  ),
  webhook_https_required: m(
    () => 'a webhook is https',
    () => 'un webhook est en https',
  ),
  webhook_forbidden_address: m(
    () => 'a webhook goes to a public address: this name resolves to none, or to an address of a private network',
    () => 'un webhook va à une adresse publique : ce nom n’en désigne aucune, ou désigne une adresse de réseau privé',
  ),
  webhook_secret_required: m(
    () => 'a webhook is signed: give its secret (at least 16 characters)',
    () => 'un webhook est signé : donnez son secret (au moins 16 caractères)',
  ),
  notification_retrying: m(
    () => 'not delivered yet; tried again later',
    () => 'pas encore remis ; nouvel essai plus tard',
  ),
  notification_given_up: m(
    () => 'not delivered; given up — check the address, or ask the ASP',
    () => 'non remis ; abandonné — vérifiez l’adresse, ou contactez l’ASP',
  ),
  // ——— a hostile world: throttles, sessions, tokens, uploads, transient failures ———
  too_many_writes: m(
    (p: { seconds: number; max: number }) =>
      `more than ${p.max} changes a minute with this token: try again in ${p.seconds} s`,
    (p) => `plus de ${p.max} modifications par minute avec ce jeton : réessayez dans ${p.seconds} s`,
  ),
  unknown_token: m(
    (p: { name: string }) => `no API token is named ${p.name}`,
    (p) => `aucun jeton d’API ne s’appelle ${p.name}`,
  ),
  malformed_csv: m(
    (p: { line: number; problem: string }) => `the file is not readable CSV (line ${p.line}: ${p.problem})`,
    (p) => `le fichier n’est pas un CSV lisible (ligne ${p.line} : ${p.problem})`,
  ),
  multipart_not_here: m(
    () => 'this address takes no file: a form with files (multipart) is refused unread',
    () => 'cette adresse ne prend aucun fichier : un formulaire avec fichiers (multipart) est refusé sans être lu',
  ),
  too_many_uploads: m(
    (p: { max: number }) =>
      `at most ${p.max} forms with files at once per person: send it again once the others are done`,
    (p) =>
      `${p.max} formulaires avec fichiers à la fois au plus par personne : renvoyez-le une fois les autres terminés`,
  ),
  uploads_busy: m(
    () => 'too many files are arriving right now: send the form again in a few seconds',
    () => 'trop de fichiers arrivent en ce moment : renvoyez le formulaire dans quelques secondes',
  ),
  form_too_large: m(
    () => 'the form has too many fields or files',
    () => 'le formulaire compte trop de champs ou de fichiers',
  ),
  malformed_form: m(
    (p: { problem: string }) => `the form is not well-formed multipart: ${p.problem}`,
    (p) => `le formulaire n’est pas un multipart bien formé : ${p.problem}`,
  ),
  unavailable_worker: m(
    () =>
      'the engine did not record the event in time (its workers are busy or away): send the same request again (with the same eventId) in a few seconds',
    () =>
      'le moteur n’a pas enregistré l’événement à temps (ses workers sont occupés ou absents) : renvoyez la même demande (avec le même eventId) dans quelques secondes',
  ),
  unknown_journal_verification: m(
    (p: { id: string }) => `no verification ${p.id} of the journal`,
    (p) => `aucune vérification ${p.id} du journal`,
  ),
  unknown_checkpoint_request: m(
    (p: { id: string }) => `no checkpoint request ${p.id}`,
    (p) => `aucune demande de point de contrôle ${p.id}`,
  ),
  journal_export_scope: m(
    () => 'export a range (from, to) or one BDC (bdcId), not both',
    () => 'exportez une plage (from, to) ou un BDC (bdcId), pas les deux',
  ),
  auditor_contact_admins: m(
    () => 'an auditor’s contact is set by an admin, and an admin sets no other',
    () => 'le contact d’un auditeur est fixé par un administrateur, qui n’en fixe pas d’autre',
  ),
  invalid_siret: m(
    () => 'this SIRET is not valid (14 digits and their check key)',
    () => 'ce SIRET n’est pas valide (14 chiffres et leur clé de contrôle)',
  ),
  enrolment_name_required: m(
    () => 'the éditeur’s name is required (200 characters at most)',
    () => 'la raison sociale de l’éditeur est requise (200 caractères au plus)',
  ),
  legal_representative_required: m(
    () => 'the legal representative’s name is required',
    () => 'le nom du représentant légal est requis',
  ),
  legal_representative_role_required: m(
    () => 'the legal representative’s function is required',
    () => 'la fonction du représentant légal est requise',
  ),
  mandate_missing: m(
    () => 'the mandate names at least one person who may act for the éditeur',
    () => 'le mandat désigne au moins une personne habilitée à agir pour l’éditeur',
  ),
  mandate_name_required: m(
    () => 'each person of the mandate has a name',
    () => 'chaque personne du mandat a un nom',
  ),
  mandate_email_invalid: m(
    () => 'each person of the mandate has a valid email address',
    () => 'chaque personne du mandat a une adresse électronique valide',
  ),
  mandate_person_required: m(
    () => 'each person of the mandate names the account they act with',
    () => 'chaque personne du mandat indique le compte avec lequel elle agit',
  ),
  submitter_not_in_mandate: m(
    () => 'you may act for the éditeur only if its mandate names you',
    () => 'vous ne pouvez agir pour l’éditeur que si son mandat vous désigne',
  ),
  vat_attestation_missing: m(
    () => 'the VAT attestation (a PDF sent first to /documents) is required',
    () => 'l’attestation de TVA (un PDF déposé d’abord) est requise',
  ),
  editeur_unknown: m(
    (p: { editeurId: string }) => `no éditeur ${p.editeurId} is enrolled`,
    (p) => `aucun éditeur ${p.editeurId} n’est inscrit`,
  ),
  editeur_not_enrolled: m(
    (p: { editeurId: string }) =>
      `no order is validated for ${p.editeurId}: the éditeur is not enrolled, or has no bank details validated`,
    (p) =>
      `aucun ordre n’est validé pour ${p.editeurId} : l’éditeur n’est pas inscrit, ou n’a pas de coordonnées bancaires validées`,
  ),
  enrolment_first: m(
    () => 'the éditeur enrols first (SIRET, mandate, VAT attestation), then gives its bank details',
    () => 'l’éditeur s’inscrit d’abord (SIRET, mandat, attestation de TVA), puis donne ses coordonnées bancaires',
  ),
  bank_details_pending: m(
    () => 'a change of bank details already awaits an ordonnateur’s validation',
    () => 'un changement de coordonnées bancaires attend déjà la validation d’un ordonnateur',
  ),
  bank_details_unknown: m(
    (p: { id: number }) => `no bank details ${p.id} for this éditeur`,
    (p) => `aucunes coordonnées bancaires n° ${p.id} pour cet éditeur`,
  ),
  bank_details_decided: m(
    (p: { state: string }) => `these bank details are ${p.state} already`,
    (p) => `ces coordonnées bancaires sont déjà ${word(bankDetailsStateFr, p.state)}`,
  ),
  order_unknown: m(
    (p: { orderId: number }) => `no payment order ${p.orderId}`,
    (p) => `aucun ordre de paiement n° ${p.orderId}`,
  ),
  order_wrong_state: m(
    (p: { orderId: number; state: string; to: string }) =>
      `payment order ${p.orderId} is ${p.state}: it cannot be ${p.to}`,
    (p) =>
      `l’ordre de paiement n° ${p.orderId} est ${word(orderStateFr, p.state)} : il ne peut être ${word(orderStateFr, p.to)}`,
  ),
  run_empty: m(
    () => 'a payment run releases at least one validated order',
    () => 'une mise en paiement porte sur au moins un ordre validé',
  ),
  run_other_content: m(
    (p: { runId: string }) => `payment run ${p.runId} was released with other orders: choose another run id`,
    (p) => `la mise en paiement ${p.runId} a été faite avec d’autres ordres : choisissez un autre identifiant`,
  ),
  run_unknown: m(
    (p: { runId: string }) => `no payment run ${p.runId}`,
    (p) => `aucune mise en paiement ${p.runId}`,
  ),
  no_valid_bank_details: m(
    (p: { editeurId: string }) => `${p.editeurId} has no bank details validated: its order cannot be released`,
    (p) => `${p.editeurId} n’a pas de coordonnées bancaires validées : son ordre ne peut être mis en paiement`,
  ),
  transfer_unknown: m(
    (p: { endToEndId: string; runId: string }) => `no transfer ${p.endToEndId} in payment run ${p.runId}`,
    (p) => `aucun virement ${p.endToEndId} dans la mise en paiement ${p.runId}`,
  ),
  transfer_answered: m(
    (p: { endToEndId: string; outcome: string }) => `transfer ${p.endToEndId} is ${p.outcome} already`,
    (p) => `le virement ${p.endToEndId} est déjà ${word(orderStateFr, p.outcome)}`,
  ),
  status_report_unreadable: m(
    (p: { problem: string }) => `this file is not a pain.002 status report: ${p.problem}`,
    (p) => `ce fichier n’est pas un compte rendu pain.002 : ${p.problem}`,
  ),
  status_report_other_run: m(
    (p: { messageId: string }) => `this status report answers message ${p.messageId}, not this payment run`,
    (p) => `ce compte rendu répond au message ${p.messageId}, pas à cette mise en paiement`,
  ),
  bank_reason_required: m(
    () => 'a rejection by the bank gives its reason (an ISO 20022 code of four characters, e.g. AC04)',
    () => 'un rejet de la banque indique son motif (un code ISO 20022 de quatre caractères, par exemple AC04)',
  ),
  execution_date_past: m(
    (p: { date: string }) => `the execution date ${p.date} is before today`,
    (p) => `la date d’exécution ${civilDateFr(p.date)} est antérieure à aujourd’hui`,
  ),
  bank_details_not_in_mandate: m(
    () => 'bank details are proposed by a person the éditeur’s mandate names',
    () => 'les coordonnées bancaires sont proposées par une personne que le mandat de l’éditeur désigne',
  ),
  nul_character: m(
    () => 'a NUL character is never accepted',
    () => 'un caractère NUL n’est jamais accepté',
  ),
  codec_admin_session: m(
    () => 'an admin signed in to the console is required to read histories in clear',
    () => 'il faut être connecté à la console comme administrateur pour lire les historiques en clair',
  ),
  codec_origin: m(
    (p: { origin: string }) => `${p.origin} is not the Temporal Web UI this engine serves`,
    (p) => `${p.origin} n’est pas le Web UI Temporal que sert ce moteur`,
  ),
} satisfies Record<string, Entry<never>>;

export type MessageKey = keyof typeof messages;
type ParamsOf<K extends MessageKey> = Parameters<(typeof messages)[K]['en']>[0];

/** A message said: its key, its parameters and its English text (what logs and English readers see). */
export interface Said {
  key: MessageKey;
  params?: Params;
  message: string;
}

/** Says a message of the catalogue. */
type ArgsOf<K extends MessageKey> = [ParamsOf<K>] extends [never]
  ? []
  : keyof ParamsOf<K> extends never
    ? []
    : [ParamsOf<K>];

export function say<K extends MessageKey>(key: K, ...params: ArgsOf<K>): Said {
  const p = params[0] as Params | undefined;
  const entry = messages[key] as Entry<Params>;
  return { key, ...(p ? { params: p } : {}), message: entry.en(p ?? {}) };
}

/** The English text of a message without parameters: zod schemas take it as their message. */
export const text = (key: MessageKey) => (messages[key] as Entry<Params>).en({});

/** Messages without parameters by their English text (made on first use): a zod issue carrying one is translated. */
let byText: Map<string, MessageKey> | undefined;
export function keyOfText(message: string): MessageKey | undefined {
  byText ??= new Map(
    (Object.keys(messages) as MessageKey[])
      .filter((key) => messages[key].en.length === 0)
      .map((key) => [(messages[key] as Entry<Params>).en({}), key] as const),
  );
  return byText.get(message);
}

/** A message in a language; undefined when the key is not in the catalogue (a record older than it). */
export function render(key: string, params: Params | undefined, lang: Lang): string | undefined {
  const entry = (messages as unknown as Record<string, Entry<Params>>)[key];
  if (!entry) return undefined;
  try {
    return entry[lang](lang === 'fr' && params ? frenchParams(params) : (params ?? {}));
  } catch {
    return undefined;
  }
}

/**
 * A reason the engine wrote in English (a BDC's outcome, a demand's reason, a withdrawn proposal's
 * why), in French: the record keeps the catalogue's English text of such reasons, often one inside
 * another (« advance not justified: closing date passed without a valid VA »), so each is read back
 * against the catalogue's English templates and said again in French. A person's own words match no
 * template and are kept as written.
 */
export function recordedFr(text: string): string {
  const known = frenchOfRecorded.get(text);
  if (known !== undefined) return known;
  let french = text;
  for (const t of templates()) {
    const m = t.pattern.exec(text);
    if (!m) continue;
    const params = Object.fromEntries(t.names.map((name, i) => [name, recordedFr(m[i + 1]!)]));
    french = (messages[t.key] as Entry<Params>).fr(params);
    break;
  }
  // a bounded memo: the same few reasons are read on every page and export
  if (frenchOfRecorded.size > 10_000) frenchOfRecorded.clear();
  frenchOfRecorded.set(text, french);
  return french;
}
const frenchOfRecorded = new Map<string, string>();

/** The string parameters of a French message said in French too (a reason recorded in English inside it). */
function frenchParams(params: Params): Params {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' && /[a-z] [a-z]/.test(v) ? recordedFr(v) : v]),
  );
}

interface Template {
  key: MessageKey;
  pattern: RegExp;
  names: string[];
}
let compiled: Template[] | undefined;
/**
 * The catalogue's English messages whose parameters are plain text, as patterns: each parameter
 * rendered as a marker shows where it goes. Messages that format a parameter (an amount, a date), or
 * say too little besides their parameters to be recognised, are left out. Most specific first.
 */
function templates(): Template[] {
  const MARK = '\u0001';
  compiled ??= (Object.keys(messages) as MessageKey[])
    .flatMap((key) => {
      const used: string[] = [];
      const probe = new Proxy({} as Params, {
        get: (_t, name) => (typeof name === 'string' ? (used.push(name), `${MARK}${name}${MARK}`) : undefined),
      });
      let en: string;
      try {
        en = (messages[key] as Entry<Params>).en(probe);
      } catch {
        return [];
      }
      const parts = en.split(MARK);
      const literals = parts.filter((_, i) => i % 2 === 0);
      const names = parts.filter((_, i) => i % 2 === 1);
      const literal = literals.join('');
      if (
        parts.length % 2 === 0 ||
        names.length !== new Set(used).size ||
        literal.length < 12 ||
        /[\u0000-\u001f]/.test(literal)
      )
        return [];
      const escaped = literals.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      const source = escaped.reduce((re, l, i) => (i === 0 ? l : `${re}(.+?)${l}`), '');
      return [{ key, pattern: new RegExp(`^${source}$`, 's'), names, literal: literal.length }];
    })
    .sort((a, b) => b.literal - a.literal)
    .map(({ key, pattern, names }) => ({ key, pattern, names }));
  return compiled;
}
