import { eurosFr, parisDateTimeFr, parisLongDateFr } from './french';
import { bdcLabelOf } from './ids';
import { deadlineFr, statusFr } from './messages';

/**
 * What the engine writes to people (an éditeur's reminder, the operators' digest): French
 * templates, each a subject and a plain-text body, from the notice's parameters. The webhook carries
 * the parameters themselves, for the éditeur's own system.
 */
export type NoticeParams = Record<string, string | number | boolean>;

const duration = (iso: string) => {
  const m = /^P(?:(\d+)D)?(?:T(\d+)M)?$/.exec(iso);
  const days = Number(m?.[1] ?? 0);
  return days ? `${days} jour${days > 1 ? 's' : ''}` : `${Number(m?.[2] ?? 0)} min`;
};

const awaited: Record<string, (p: NoticeParams) => string> = {
  dossier: () =>
    'Déposez le dossier de référencement de votre solution auprès de l’ANS et déclarez sa date de dépôt dans la console SONS : sans dépôt dans ce délai, le bon de commande devient caduc.',
  // what the closing means depends on where the BDC stands: say only what is true of it (issue 21)
  closing: (p) =>
    p.status === 'awaiting_referencement'
      ? 'Votre solution n’est pas encore référencée par l’ANS : sans référencement puis VA valide à cette date, le bon de commande devient caduc. Aucune somme ne vous a été versée pour ce bon de commande.'
      : Number(p.paidCents ?? 0) > 0
        ? `Transmettez la VA signée par le représentant légal de l’OG et la facture (console SONS, « Soumettre la VA ») : sans VA valide à cette date, le bon de commande devient caduc et l’avance versée (${eurosFr(Number(p.paidCents))}) est demandée en remboursement.`
        : 'Transmettez la VA signée par le représentant légal de l’OG et la facture (console SONS, « Soumettre la VA ») : sans VA valide à cette date, le bon de commande devient caduc.',
  reimbursementDue: (p) =>
    `Réglez le remboursement de ${eurosFr(Number(p.outstandingCents ?? 0))} demandé à l’ASP : passé cette date, il est signalé en retard.`,
  orderDeadline: () => 'Après cette date, aucun nouveau bon de commande n’est plus enregistré pour cette campagne.',
};

const templates = {
  deadline_reminder: (p: NoticeParams) => ({
    subject: `SONS — rappel : ${deadlineFr[String(p.deadline)] ?? p.deadline} du BDC ${p.reference} le ${parisLongDateFr(String(p.deadlineAt))}`,
    text: [
      'Bonjour,',
      '',
      `L’échéance « ${deadlineFr[String(p.deadline)] ?? p.deadline} » du bon de commande ${p.reference} tombe le ${parisDateTimeFr(String(p.deadlineAt))}, heure de Paris, dans ${duration(String(p.before))}.`,
      '',
      (awaited[String(p.deadline)] ?? (() => ''))(p),
      '',
      `Statut actuel : ${statusFr[String(p.status)] ?? p.status}.`,
      '',
      'Agence de services et de paiement — programme SONS',
    ].join('\n'),
  }),
  order_deadline_reminder: (p: NoticeParams) => ({
    subject: `SONS — rappel : fermeture des commandes de la campagne ${p.campaignLabel} le ${parisLongDateFr(String(p.deadlineAt))}`,
    text: [
      'Bonjour,',
      '',
      `Les commandes de la campagne ${p.campaignLabel} ferment le ${parisDateTimeFr(String(p.deadlineAt))}, heure de Paris, dans ${duration(String(p.before))}.`,
      '',
      awaited.orderDeadline!(p),
      '',
      'Agence de services et de paiement — programme SONS',
    ].join('\n'),
  }),
  operator_digest: (p: NoticeParams) => ({
    subject: `${p.journalMismatch ? 'SONS — ALERTE journal — ' : 'SONS — '}à traiter le ${parisLongDateFr(String(p.at))} : ${p.overdue} remboursement(s) en retard, ${p.attention} BDC à examiner, ${p.controlsDue} contrôle(s) à échéance`,
    text: [
      'Bonjour,',
      '',
      `Remboursements en retard : ${p.overdue} (${eurosFr(Number(p.overdueCents ?? 0))} encore dus).`,
      `BDC à examiner : ${p.attention}.`,
      `Contrôles a posteriori dont les pièces ou le recouvrement sont en retard : ${p.controlsDue}.`,
      // the journal's last verification, when there was one: an alert first
      ...(p.journal ? [String(p.journal)] : []),
      String(p.lines ?? ''),
      '',
      'Le détail est sur le tableau de bord de la console SONS.',
    ].join('\n'),
  }),
  control_opened: (p: NoticeParams) => ({
    subject: `SONS — contrôle a posteriori du BDC ${bdcLabelOf(String(p.bdcId))} : pièces à transmettre avant le ${parisLongDateFr(String(p.dueAt))}`,
    text: [
      'Bonjour,',
      '',
      `Le bon de commande ${bdcLabelOf(String(p.bdcId))} fait l’objet d’un contrôle a posteriori de l’ASP.`,
      `Pièces demandées : ${p.documents}.`,
      `À transmettre avant le ${parisDateTimeFr(String(p.dueAt))}, heure de Paris.`,
      '',
      'Agence de services et de paiement — programme SONS',
    ].join('\n'),
  }),
  recovery_demanded: (p: NoticeParams) => ({
    subject: `SONS — contrôle du BDC ${bdcLabelOf(String(p.bdcId))} : ${eurosFr(Number(p.amountCents))} à reverser avant le ${parisLongDateFr(String(p.dueAt))}`,
    text: [
      'Bonjour,',
      '',
      `Le contrôle a posteriori du bon de commande ${bdcLabelOf(String(p.bdcId))} conclut à un reversement de ${eurosFr(Number(p.amountCents))} (${p.reasons}).`,
      `À régler avant le ${parisDateTimeFr(String(p.dueAt))}, heure de Paris.`,
      '',
      'Agence de services et de paiement — programme SONS',
    ].join('\n'),
  }),
  journal_checkpoint: (p: NoticeParams) => ({
    subject: `SONS — journal ${String(p.journal).slice(0, 8)} : point de contrôle n° ${p.n} signé le ${parisLongDateFr(String(p.signedAt))}`,
    text: [
      'Bonjour,',
      '',
      `Le journal infalsifiable des bons de commande SONS (journal ${p.journal}) compte ${p.seq} écritures au ${parisDateTimeFr(String(p.signedAt))}, heure de Paris.`,
      `Empreinte de la dernière écriture (SHA-256) : ${p.hash}`,
      `Signé avec la clé ${p.keyId} (Ed25519, clé publique ${p.publicKey}).`,
      '',
      'Conservez ce message : il permet de prouver plus tard que le passé du journal n’a pas été réécrit.',
      'La ligne suivante se copie telle quelle dans un fichier que le vérificateur autonome lit (--checkpoint FICHIER) :',
      '',
      String(p.line),
      '',
      'Agence de services et de paiement — programme SONS',
    ].join('\n'),
  }),
  journal_mismatch: (p: NoticeParams) => ({
    subject: `SONS — ALERTE journal : écart détecté à l’écriture n° ${p.seq} (${p.mismatches} écart(s))`,
    text: [
      'Bonjour,',
      '',
      `La vérification n° ${p.verificationId} du journal infalsifiable, terminée le ${parisDateTimeFr(String(p.at))} (heure de Paris), a trouvé ${p.mismatches} écart(s).`,
      `Premier écart : ${p.first}`,
      '',
      'Une ligne du registre ou du grand livre a pu être modifiée, supprimée ou ajoutée hors du moteur. Le détail est sur la page « Journal » de la console SONS (administrateurs) et par « sons journal verify ».',
      '',
      'Agence de services et de paiement — programme SONS',
    ].join('\n'),
  }),
  signalement_answer: (p: NoticeParams) => ({
    // no identifier in the subject (it travels, is forwarded, is shown in lists): the day it was sent
    subject: `SONS — réponse à votre signalement du ${parisLongDateFr(String(p.receivedAt))}`,
    text: [
      'Bonjour,',
      '',
      `Votre signalement au sujet de l’éditeur ${p.editeurId} a reçu la réponse suivante de l’ASP :`,
      '',
      String(p.answer),
      '',
      'Agence de services et de paiement — programme SONS',
    ].join('\n'),
  }),
} satisfies Record<string, (p: NoticeParams) => { subject: string; text: string }>;

export type NoticeTemplate = keyof typeof templates;
export const renderNotice = (template: NoticeTemplate, params: NoticeParams) => templates[template](params);

/** Who a notification goes to: an éditeur, an OG, or the operators. */
export type Party = 'editeur' | 'og' | 'operators' | 'auditor';

/** A notification a transition asks for: written once under its key, delivered to the party's contacts. */
export interface NotificationRequest {
  key: string;
  template: NoticeTemplate;
  to: { party: Party; id: string };
  params: NoticeParams;
  /** an address given with the request itself (the OG that sent a signalement), instead of the party's contact */
  email?: string;
}
